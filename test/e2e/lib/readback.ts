/**
 * AWS SDK v3 clients pointed at moto, one set per account (moto tells accounts apart
 * by access key) and region.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ControlClient } from "@aws-sdk/client-s3-control";
import { SNSClient } from "@aws-sdk/client-sns";
import { MotoServer } from "./moto";

export interface Clients {
  accountId: string;
  region: string;
  cloudtrail: CloudTrailClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  kms: KMSClient;
  s3: S3Client;
  s3control: S3ControlClient;
  sns: SNSClient;
  destroy(): void;
}

export async function clientsFor(moto: MotoServer, accountId: string, region: string): Promise<Clients> {
  const credentials = await moto.credentialsFor(accountId);
  const base = { endpoint: moto.endpoint, region, credentials, maxAttempts: 2 };
  const c = {
    accountId,
    region,
    cloudtrail: new CloudTrailClient(base),
    cloudwatch: new CloudWatchClient(base),
    logs: new CloudWatchLogsClient(base),
    kms: new KMSClient(base),
    s3: new S3Client({ ...base, forcePathStyle: true }),
    // S3 Control's endpoint rules put the account id in front of the host
    // (222222222222.127.0.0.1, not even a valid URL); send every call to moto as is.
    s3control: new S3ControlClient({
      ...base,
      disableHostPrefix: true,
      endpointProvider: () => ({ url: new URL(moto.endpoint) }),
    }),
    sns: new SNSClient(base),
  };
  return {
    ...c,
    destroy() {
      for (const client of [c.cloudtrail, c.cloudwatch, c.logs, c.kms, c.s3, c.s3control, c.sns]) client.destroy();
    },
  };
}

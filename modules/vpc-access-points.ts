import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { markTrailgateConstruct } from "./marker";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import { VpcAccessPointConfig } from "./baseline";
import { PolicyStatement, arns, policyDocument } from "./iam";

/** Read actions readers get through an access point: listing and fetching log files, nothing else. */
const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"];

export interface VpcAccessPointsProps {
  /** Provider of the log-archive account. */
  readonly provider: TerraformProvider;
  /** Region of the bucket and its access points. */
  readonly region: string;
  /** Account that owns the bucket and the access points. */
  readonly accountId: string;
  /** Name of the log bucket the access points front. */
  readonly bucketName: string;
  /** The access points: each is reachable only from its VPC, by its named reader roles. */
  readonly accessPoints: VpcAccessPointConfig[];
}

/**
 * VPC-only S3 access points on the log archive: no internet origin, every public
 * access block on, and a policy that admits only named reader roles, read-only.
 */
export class VpcAccessPoints extends Construct {
  readonly accessPoints: S3AccessPoint[];

  constructor(scope: Construct, id: string, props: VpcAccessPointsProps) {
    super(scope, id);
    markTrailgateConstruct(this);
    this.accessPoints = props.accessPoints.map((point) => {
      if (!point.vpcId) throw new Error(`VpcAccessPoints ${id}: access point "${point.name}" needs a vpcId: internet access points are not allowed`);
      if (point.readerRoleArns.length === 0) throw new Error(`VpcAccessPoints ${id}: access point "${point.name}" needs at least one reader role`);
      const pointArn = arns.accessPoint(props.region, props.accountId, point.name);
      return new S3AccessPoint(this, point.name, {
        provider: props.provider,
        accountId: props.accountId,
        bucket: props.bucketName,
        name: point.name,
        vpcConfiguration: { vpcId: point.vpcId },
        publicAccessBlockConfiguration: {
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        policy: policyDocument([
          {
            Sid: "ReadersReadLogs",
            Effect: "Allow",
            Principal: { AWS: point.readerRoleArns },
            Action: READ_ACTIONS,
            Resource: [pointArn, `${pointArn}/object/*`],
          },
        ]),
      });
    });
  }
}

/**
 * The bucket-policy statement that hands read access control to the account's access
 * points (AWS's delegation pattern); the access point policies then decide who reads.
 */
export function accessPointDelegation(bucketArn: string, accountId: string): PolicyStatement {
  return {
    Sid: "DelegateReadsToAccessPoints",
    Effect: "Allow",
    Principal: "*",
    Action: READ_ACTIONS,
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { StringEquals: { "s3:DataAccessPointAccount": accountId } },
  };
}

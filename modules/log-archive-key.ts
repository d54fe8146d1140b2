import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { markTrailgateConstruct } from "./marker";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { isTerraformValue } from "./baseline";
import { KMS_ADMIN_ACTIONS, PolicyStatement, arns, policyDocument } from "./iam";

export interface LogArchiveKeyProps {
  /** Provider of the log-archive account, where the key lives. */
  readonly provider: TerraformProvider;
  /** Region of the key (and of the trail's home region). */
  readonly region: string;
  /** Account that owns the key (the log-archive account). */
  readonly keyAccountId: string;
  /** ARN of the trail that may encrypt with this key. */
  readonly trailArn: string;
  /** Alias name without the "alias/" prefix. */
  readonly aliasName: string;
  /**
   * IAM role ARNs that may decrypt log files, only through S3 in this region.
   * @default [] (nobody can read the logs until a reader is named)
   */
  readonly readerRoleArns?: string[];
  /**
   * Extra principals with key administration (never use of the key). The key
   * account's root always has it, so the key can never become unmanageable.
   * @default []
   */
  readonly adminRoleArns?: string[];
  /** Days before a deleted key is gone (7-30). @default 30 */
  readonly deletionWindowDays?: number;
}

/**
 * The customer-managed KMS key that encrypts the trail's log files: rotation on and a
 * key policy that lets CloudTrail only generate data keys for this trail, and lets
 * only named readers decrypt.
 */
export class LogArchiveKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: LogArchiveKeyProps) {
    super(scope, id);
    markTrailgateConstruct(this);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    if (!Number.isInteger(deletionWindowDays) || deletionWindowDays < 7 || deletionWindowDays > 30) {
      throw new Error(`LogArchiveKey ${id}: deletionWindowDays must be 7-30 (got ${deletionWindowDays})`);
    }
    if (!isTerraformValue(props.aliasName) && (!/^[a-zA-Z0-9/_-]+$/.test(props.aliasName) || props.aliasName.startsWith("aws/"))) {
      throw new Error(`LogArchiveKey ${id}: aliasName "${props.aliasName}" must be letters, digits, / _ - and not start with aws/`);
    }

    this.key = new KmsKey(this, "key", {
      provider: props.provider,
      description: `Encrypts CloudTrail log files of ${props.trailArn}`,
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindowDays,
      policy: policyDocument(logArchiveKeyStatements(props)),
    });
    this.alias = new KmsAlias(this, "alias", {
      provider: props.provider,
      name: `alias/${props.aliasName}`,
      targetKeyId: this.key.keyId,
    });
  }
}

function logArchiveKeyStatements(props: LogArchiveKeyProps): PolicyStatement[] {
  const trailCondition = { "aws:SourceArn": props.trailArn };
  const statements: PolicyStatement[] = [
    {
      Sid: "KeyAdministration",
      Effect: "Allow",
      Principal: { AWS: [arns.accountRoot(props.keyAccountId), ...(props.adminRoleArns ?? [])] },
      Action: KMS_ADMIN_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "CloudTrailEncryptLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        StringEquals: { ...trailCondition, "kms:EncryptionContext:aws:cloudtrail:arn": props.trailArn },
      },
    },
    {
      Sid: "CloudTrailDescribeKey",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: { StringEquals: trailCondition },
    },
  ];
  const readers = props.readerRoleArns ?? [];
  if (readers.length > 0) {
    statements.push({
      Sid: "ReadersDecryptThroughS3",
      Effect: "Allow",
      Principal: { AWS: readers },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${props.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": props.trailArn },
      },
    });
  }
  return statements;
}

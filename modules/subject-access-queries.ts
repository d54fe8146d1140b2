import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchQueryDefinition } from "@cdktf/provider-aws/lib/cloudwatch-query-definition";
import { SAVED_QUERIES } from "./subject-access-query-text";

export interface SubjectAccessQueriesProps {
  /** Provider of the account that owns the trail's log group (the management account). */
  readonly provider: TerraformProvider;
  /** Folder of the saved queries in the Logs Insights console ("<prefix>/subject-access/..."). */
  readonly namePrefix: string;
  /** The organisation trail's log group (every account's events from every region). */
  readonly logGroupName: string;
}

/**
 * Saved CloudWatch Logs Insights queries on the trail's log group for answering a
 * subject access request: every event of one principal, every access to one bucket or
 * object prefix, every call from one source IP. They hold placeholders
 * (REPLACE_WITH_...) the person answering replaces in the console; `trailgate
 * subject-access` prints the same queries filled in. Saving a query costs nothing;
 * running one is billed per GB scanned, so keep the time window to the request.
 */
export class SubjectAccessQueries extends Construct {
  readonly definitions: CloudwatchQueryDefinition[];

  constructor(scope: Construct, id: string, props: SubjectAccessQueriesProps) {
    super(scope, id);
    this.definitions = SAVED_QUERIES.map(
      (saved) =>
        new CloudwatchQueryDefinition(this, saved.name.replace(/-/g, "_"), {
          provider: props.provider,
          name: `${props.namePrefix}/subject-access/${saved.name}`,
          logGroupNames: [props.logGroupName],
          queryString: saved.query,
        }),
    );
  }
}

#!/usr/bin/env python3
"""Self-test of tools/moto/server.py's fixes and of the moto behaviour the e2e relies on.

Run with the venv's python (scripts/e2e.sh does, before the e2e suite):
  .tools/venv/bin/python tools/moto/selftest.py
Starts the patched server in-process on 127.0.0.1 (kernel-chosen port), checks, stops.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import server  # noqa: E402


def main() -> int:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.pop("MOTO_ACCOUNT_ID", None)
    server.patch_cloudtrail()
    server.patch_s3_logging()
    server.patch_event_data_stores()
    server.patch_trail_status()
    server.patch_access_point_arn()
    server.patch_query_definitions()
    keys_file = os.path.join(tempfile.mkdtemp(prefix="trailgate-selftest-"), "cloudtrail-public-keys.json")
    server.patch_public_keys(keys_file)
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    try:
        _, port = srv.get_host_and_port()
        check(f"http://127.0.0.1:{port}")
        check_public_keys(f"http://127.0.0.1:{port}", keys_file)
    finally:
        srv.stop()
    print("tools/moto/selftest.py: ok")
    return 0


def check(endpoint: str) -> None:
    base = dict(endpoint_url=endpoint, region_name="eu-west-2", aws_access_key_id="selftest", aws_secret_access_key="selftest")
    sts = boto3.client("sts", **base)
    role = "arn:aws:iam::222222222222:role/TrailgateLogArchiveDeployer"
    c = sts.assume_role(RoleArn=role, RoleSessionName="selftest")["Credentials"]
    archive = dict(base, aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
    got = boto3.client("sts", **archive).get_caller_identity()["Account"]
    assert got == "222222222222", f"assumed-role credentials map to {got}, not 222222222222"

    # PutBucketLogging with a target policy that has a Principal "*" statement and list Resources.
    s3 = boto3.client("s3", **archive)
    loc = {"LocationConstraint": "eu-west-2"}
    s3.create_bucket(Bucket="selftest-source", CreateBucketConfiguration=loc)
    s3.create_bucket(Bucket="selftest-target", CreateBucketConfiguration=loc)
    s3.put_bucket_policy(Bucket="selftest-target", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::selftest-target", "arn:aws:s3:::selftest-target/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": ["arn:aws:s3:::selftest-target/*"]},
    ]}))
    s3.put_bucket_logging(Bucket="selftest-source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "selftest-target", "TargetPrefix": "src/"}})
    assert s3.get_bucket_logging(Bucket="selftest-source")["LoggingEnabled"]["TargetBucket"] == "selftest-target"
    # ... and still refuses a target whose policy does not admit the logging service.
    s3.create_bucket(Bucket="selftest-closed", CreateBucketConfiguration=loc)
    s3.put_bucket_policy(Bucket="selftest-closed", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::selftest-closed/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    try:
        s3.put_bucket_logging(Bucket="selftest-source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "selftest-closed", "TargetPrefix": ""}})
        raise AssertionError("PutBucketLogging to a target without a logging grant succeeded")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidTargetBucketForLogging", e

    # CloudTrail named by ARN: StartLogging, GetTrailStatus, DeleteTrail (the patched call).
    ct = boto3.client("cloudtrail", **base)
    arn = ct.create_trail(Name="selftest-trail", S3BucketName="selftest-source", IsMultiRegionTrail=True)["TrailARN"]
    ct.start_logging(Name=arn)
    assert ct.get_trail_status(Name=arn)["IsLogging"] is True
    ct.delete_trail(Name=arn)
    left = [t["TrailARN"] for t in ct.describe_trails(includeShadowTrails=True)["trailList"]]
    assert left == [], f"DeleteTrail by ARN left {left}"
    try:
        ct.delete_trail(Name=arn)
        raise AssertionError("deleting a missing trail succeeded")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "TrailNotFoundException", e

    # GetTrailStatus: AWS's delivery fields for a healthy trail, frozen once it stops (the patched call).
    import calendar
    import time

    s3.create_bucket(Bucket="selftest-trail-logs", CreateBucketConfiguration=loc)
    logs = boto3.client("logs", **base)
    logs.create_log_group(logGroupName="/selftest/trail")
    group_arn = "arn:aws:logs:eu-west-2:123456789012:log-group:/selftest/trail:*"
    arn = ct.create_trail(Name="selftest-status", S3BucketName="selftest-trail-logs", EnableLogFileValidation=True,
                          CloudWatchLogsLogGroupArn=group_arn,
                          CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/selftest")["TrailARN"]
    status = ct.get_trail_status(Name=arn)
    assert status["IsLogging"] is False and "LatestDeliveryTime" not in status and "StartLoggingTime" not in status, status
    before = int(time.time())
    ct.start_logging(Name=arn)
    status = ct.get_trail_status(Name=arn)
    epoch = lambda d: calendar.timegm(d.utctimetuple())  # noqa: E731
    assert status["IsLogging"] is True, status
    assert before - 1 <= epoch(status["StartLoggingTime"]) <= int(time.time()) + 1, status
    assert epoch(status["LatestDeliveryTime"]) >= epoch(status["StartLoggingTime"]), status
    assert status["LatestCloudWatchLogsDeliveryTime"] == status["LatestDeliveryTime"], status
    # The first digest comes an hour after logging started.
    assert "LatestDigestDeliveryTime" not in status, status
    ct.stop_logging(Name=arn)
    stopped = ct.get_trail_status(Name=arn)
    assert stopped["IsLogging"] is False and stopped["LatestDeliveryTime"] == stopped["StopLoggingTime"], stopped
    time.sleep(1.1)
    assert ct.get_trail_status(Name=arn)["LatestDeliveryTime"] == stopped["LatestDeliveryTime"], "deliveries went on after StopLogging"
    # A trail without a log group reports no CloudWatch Logs delivery.
    plain = ct.create_trail(Name="selftest-plain", S3BucketName="selftest-trail-logs")["TrailARN"]
    ct.start_logging(Name=plain)
    assert "LatestCloudWatchLogsDeliveryTime" not in ct.get_trail_status(Name=plain)
    ct.delete_trail(Name=plain)
    ct.delete_trail(Name=arn)

    # S3 Control: an access point's ARN names the request's region (the patched call).
    # S3 Control prefixes the host with the account id; moto answers such requests as an
    # HTTP proxy (as the e2e harness uses it for Terraform).
    from botocore.config import Config

    s3control = boto3.client("s3control", config=Config(proxies={"http": endpoint}), **archive)
    created = s3control.create_access_point(AccountId="222222222222", Name="selftest-ap", Bucket="selftest-source",
                                            VpcConfiguration={"VpcId": "vpc-0a1b2c3d"})
    want = "arn:aws:s3:eu-west-2:222222222222:accesspoint/selftest-ap"
    assert created["AccessPointArn"] == want, created
    assert s3control.get_access_point(AccountId="222222222222", Name="selftest-ap")["AccessPointArn"] == want
    listed = s3control.list_access_points(AccountId="222222222222")["AccessPointList"]
    assert [p["AccessPointArn"] for p in listed] == [want], listed

    # CloudTrail Lake (added by the launcher): create, read, protected delete, delete.
    eds = ct.create_event_data_store(Name="selftest-lake", RetentionPeriod=2555, MultiRegionEnabled=True,
                                     OrganizationEnabled=True, TerminationProtectionEnabled=True,
                                     TagsList=[{"Key": "k", "Value": "v"}])
    arn = eds["EventDataStoreArn"]
    got = ct.get_event_data_store(EventDataStore=arn)
    assert (got["Status"], got["RetentionPeriod"], got["OrganizationEnabled"]) == ("ENABLED", 2555, True), got
    assert ct.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"] == [{"Key": "k", "Value": "v"}]
    try:
        ct.delete_event_data_store(EventDataStore=arn)
        raise AssertionError("deleting a termination-protected event data store succeeded")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "EventDataStoreTerminationProtectedException", e
    ct.update_event_data_store(EventDataStore=arn, TerminationProtectionEnabled=False)
    ct.delete_event_data_store(EventDataStore=arn)
    assert ct.get_event_data_store(EventDataStore=arn)["Status"] == "PENDING_DELETION"

    # CloudWatch Logs query definitions (added by the launcher): create, update in place, find by prefix, delete.
    logs = boto3.client("logs", **base)
    qid = logs.put_query_definition(name="selftest/sar/one-ip", queryString="fields @timestamp", logGroupNames=["/selftest"])["queryDefinitionId"]
    assert logs.put_query_definition(queryDefinitionId=qid, name="selftest/sar/one-ip", queryString="fields eventName")["queryDefinitionId"] == qid
    found = logs.describe_query_definitions(queryDefinitionNamePrefix="selftest/sar")["queryDefinitions"]
    assert [(d["queryDefinitionId"], d["queryString"]) for d in found] == [(qid, "fields eventName")], found
    try:
        logs.put_query_definition(queryDefinitionId="no-such-id", name="x", queryString="fields @timestamp")
        raise AssertionError("updating an unknown query definition succeeded")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ResourceNotFoundException", e
    assert logs.delete_query_definition(queryDefinitionId=qid)["success"] is True
    assert logs.describe_query_definitions(queryDefinitionNamePrefix="selftest/sar")["queryDefinitions"] == []


def check_public_keys(endpoint: str, keys_file: str) -> None:
    """ListPublicKeys (added by the launcher) answers from the keys file, per region and validity."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    ct = boto3.client("cloudtrail", endpoint_url=endpoint, region_name="eu-west-2",
                      aws_access_key_id="selftest", aws_secret_access_key="selftest")
    assert ct.list_public_keys()["PublicKeyList"] == [], "no keys file: no keys"
    der = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    fingerprint = hashlib.md5(der).hexdigest()
    with open(keys_file, "w", encoding="utf-8") as f:
        json.dump({"eu-west-2": [{"Value": base64.b64encode(der).decode(), "Fingerprint": fingerprint,
                                  "ValidityStartTime": 1_700_000_000, "ValidityEndTime": 1_700_086_400}]}, f)
    got = ct.list_public_keys(StartTime=1_700_003_600, EndTime=1_700_007_200)["PublicKeyList"]
    assert [(k["Value"], k["Fingerprint"], int(k["ValidityStartTime"].timestamp())) for k in got] == [(der, fingerprint, 1_700_000_000)], got
    assert ct.list_public_keys(StartTime=1_800_000_000, EndTime=1_800_003_600)["PublicKeyList"] == [], "outside validity"
    other = boto3.client("cloudtrail", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="selftest", aws_secret_access_key="selftest")
    assert other.list_public_keys(StartTime=1_700_003_600, EndTime=1_700_007_200)["PublicKeyList"] == [], "keys are per region"
    try:
        ct.list_public_keys(StartTime=1_700_007_200, EndTime=1_700_003_600)
        raise AssertionError("ListPublicKeys accepted StartTime after EndTime")
    except ClientError as e:
        assert e.response["Error"]["Code"] == "InvalidTimeRangeException", e


if __name__ == "__main__":
    sys.exit(main())

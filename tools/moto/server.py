#!/usr/bin/env python3
"""Launch moto's server on a loopback address for trailgate's end-to-end tests.

Why a launcher instead of `moto_server`:

* moto (up to and including 5.2.5, pinned in requirements.txt) deletes a
  CloudTrail trail only when DeleteTrail names it by its *name*. The AWS provider
  names it by its ARN, which AWS accepts; moto then answers 200 and silently keeps
  the trail, so `terraform destroy` leaves it behind. `patch_cloudtrail()` resolves
  the name-or-ARN the way moto's own `get_trail` already does for StartLogging,
  StopLogging, GetTrailStatus, PutEventSelectors, ... (those were fixed upstream,
  getmoto/moto#10107, in 5.2.2+; DeleteTrail was not), and answers
  TrailNotFoundException for a trail that does not exist, as AWS does.
* moto's PutBucketLogging check of the target bucket's policy (5.2.5) calls
  `stmt["Principal"].get(...)` on every statement, so a policy with any statement whose
  Principal is the string "*" (such as the usual Deny of aws:SecureTransport false,
  which trailgate's gate requires on every bucket) crashes it with a 500, and the
  provider retries until it times out. It also only accepts a single-string Resource.
  `patch_s3_logging()` evaluates the statement the way S3 does: an Allow to the
  logging.s3.amazonaws.com service principal of s3:PutObject (or s3:*) on a Resource
  (string or list, wildcards allowed) covering the target prefix.
* moto (5.2.5) has no CloudTrail Lake: CreateEventDataStore and friends are not
  implemented, so the example app's `aws_cloudtrail_event_data_store` cannot be
  applied. `patch_event_data_stores()` adds a minimal in-memory implementation of
  Create/Get/Update/List/DeleteEventDataStore with AWS's semantics where the provider
  and the tests look: name-or-ARN lookup, echoing of every setting, tags through the
  existing ListTags, EventDataStoreTerminationProtectedException on deleting a
  protected store, and PENDING_DELETION after a delete.
* moto (5.2.5) has no CloudTrail ListPublicKeys, which `trailgate validate-logs` calls
  for the keys that verify digest signatures. AWS's keys cannot be put anywhere through
  the API, so `patch_public_keys()` answers from a file the test writes
  (`--cloudtrail-public-keys FILE`: {"REGION": [{"Value": base64 DER, "Fingerprint",
  "ValidityStartTime", "ValidityEndTime"}]}, times in epoch seconds), with AWS's
  semantics: the keys of the caller's region whose validity overlaps StartTime..EndTime
  (either defaulting to now), InvalidTimeRangeException when StartTime is after EndTime.
* moto's GetTrailStatus (5.2.5) reports LatestDeliveryTime only, computed with the
  machine's local time zone, and none of the CloudWatch Logs and digest fields that
  `trailgate verify` reads. `patch_trail_status()` answers with AWS's fields as AWS
  computes them for a trail that delivers normally: StartLoggingTime/StopLoggingTime,
  LatestDeliveryTime and (when the trail has a log group) LatestCloudWatchLogsDeliveryTime
  at the time of the request while logging and frozen at StopLoggingTime once stopped,
  and (with log file validation) LatestDigestDeliveryTime on the hourly digest cadence
  from StartLoggingTime; no delivery errors. moto writes no log files, so these are the
  times a healthy trail would report, not a record of real deliveries.
* moto's S3 Control (5.2.5) builds every access point ARN with region us-east-1;
  `patch_access_point_arn()` uses the region of the request, as AWS does
  (arn:aws:s3:<region>:<account>:accesspoint/<name>).
* moto (5.2.5) has no CloudWatch Logs query definitions (PutQueryDefinition,
  DescribeQueryDefinitions, DeleteQueryDefinition answer with an HTML 500), so the
  subject-access queries (`aws_cloudwatch_query_definition`) cannot be applied.
  `patch_query_definitions()` keeps them in memory per account and region with AWS's
  semantics where the provider looks: a new id on create, update in place when the
  request names an existing id (ResourceNotFoundException for an unknown one), lookup
  by name prefix, and delete answering success false for an unknown id.
* It binds port 0 when asked, so the port is chosen by the kernel (no race between
  "find a free port" and "bind it"), and prints one machine-readable line
  `MOTO_READY <host> <port> <pid>` once the socket listens.
* It exits by itself when its parent process goes away (`--parent-pid`), so a
  killed test runner cannot leave a server behind, and on SIGTERM/SIGINT.

It only ever listens on a loopback address.
"""
from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
import threading


def patch_cloudtrail() -> None:
    from moto.cloudtrail.models import CloudTrailBackend

    original = CloudTrailBackend.delete_trail
    if getattr(original, "_trailgate_patched", False):
        return

    def delete_trail(self, name: str) -> None:  # type: ignore[no-untyped-def]
        # get_trail accepts a name or an ARN and raises TrailNotFoundException.
        trail = self.get_trail(name)
        del self.trails[trail.trail_name]

    delete_trail._trailgate_patched = True  # type: ignore[attr-defined]
    CloudTrailBackend.delete_trail = delete_trail  # type: ignore[method-assign]


def patch_s3_logging() -> None:
    import fnmatch
    import json

    from moto.s3.models import LOGGING_SERVICE_PRINCIPAL, FakeBucket

    original = FakeBucket.__dict__["_log_permissions_enabled_policy"]
    if getattr(original, "_trailgate_patched", False):
        return

    def as_list(value):  # type: ignore[no-untyped-def]
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def log_permissions_enabled_policy(target_bucket, target_prefix):  # type: ignore[no-untyped-def]
        raw = target_bucket.policy
        if not raw:
            return False
        doc = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        key_arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}"
        for stmt in as_list(doc.get("Statement")):
            if not isinstance(stmt, dict) or stmt.get("Effect") != "Allow":
                continue
            principal = stmt.get("Principal")
            services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
            if LOGGING_SERVICE_PRINCIPAL not in services:
                continue
            actions = [a.lower() for a in as_list(stmt.get("Action"))]
            if not any(fnmatch.fnmatchcase("s3:putobject", a) for a in actions):
                continue
            if any(fnmatch.fnmatchcase(key_arn + "log-object", r) for r in as_list(stmt.get("Resource"))):
                return True
        return False

    log_permissions_enabled_policy._trailgate_patched = True  # type: ignore[attr-defined]
    FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions_enabled_policy)  # type: ignore[method-assign]


def patch_event_data_stores() -> None:
    import json
    import time
    import uuid

    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError

    if getattr(CloudTrailResponse, "_trailgate_eds", False):
        return

    def stores(resp):  # type: ignore[no-untyped-def]
        # One dict per (account, region) backend instance.
        backend = resp.cloudtrail_backend
        if not hasattr(backend, "_trailgate_event_data_stores"):
            backend._trailgate_event_data_stores = {}
        return backend._trailgate_event_data_stores

    def find(resp, name_or_arn):  # type: ignore[no-untyped-def]
        for eds in stores(resp).values():
            if name_or_arn in (eds["EventDataStoreArn"], eds["EventDataStoreArn"].rsplit("/", 1)[-1], eds["Name"]):
                return eds
        raise JsonRESTError("EventDataStoreNotFoundException", f"The specified event data store {name_or_arn} was not found.")

    def params(resp):  # type: ignore[no-untyped-def]
        return json.loads(resp.body or "{}")

    def create_event_data_store(self):  # type: ignore[no-untyped-def]
        p = params(self)
        name = p["Name"]
        if any(e["Name"] == name and e["Status"] != "PENDING_DELETION" for e in stores(self).values()):
            raise JsonRESTError("EventDataStoreAlreadyExistsException", f"An event data store named {name} already exists.")
        arn = f"arn:aws:cloudtrail:{self.region}:{self.current_account}:eventdatastore/{uuid.uuid4()}"
        now = time.time()
        eds = {
            "EventDataStoreArn": arn,
            "Name": name,
            "Status": "ENABLED" if p.get("StartIngestion", True) else "STOPPED_INGESTION",
            "AdvancedEventSelectors": p.get("AdvancedEventSelectors", [
                {"Name": "Default management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]),
            "MultiRegionEnabled": p.get("MultiRegionEnabled", True),
            "OrganizationEnabled": p.get("OrganizationEnabled", False),
            "RetentionPeriod": p.get("RetentionPeriod", 2557),
            "TerminationProtectionEnabled": p.get("TerminationProtectionEnabled", True),
            "BillingMode": p.get("BillingMode") or "EXTENDABLE_RETENTION_PRICING",
            "CreatedTimestamp": now,
            "UpdatedTimestamp": now,
        }
        if p.get("KmsKeyId"):
            eds["KmsKeyId"] = p["KmsKeyId"]
        stores(self)[arn] = eds
        if p.get("TagsList"):
            self.cloudtrail_backend.add_tags(arn, p["TagsList"])
        return json.dumps(dict(eds, TagsList=p.get("TagsList", [])))

    def get_event_data_store(self):  # type: ignore[no-untyped-def]
        return json.dumps(find(self, params(self)["EventDataStore"]))

    def update_event_data_store(self):  # type: ignore[no-untyped-def]
        p = params(self)
        eds = find(self, p["EventDataStore"])
        if eds["Status"] == "PENDING_DELETION":
            raise JsonRESTError("InactiveEventDataStoreException", f"Event data store {eds['EventDataStoreArn']} is pending deletion.")
        for key in ("Name", "AdvancedEventSelectors", "MultiRegionEnabled", "OrganizationEnabled", "RetentionPeriod",
                    "TerminationProtectionEnabled", "KmsKeyId", "BillingMode"):
            if key in p:
                eds[key] = p[key]
        eds["UpdatedTimestamp"] = time.time()
        return json.dumps(eds)

    def delete_event_data_store(self):  # type: ignore[no-untyped-def]
        eds = find(self, params(self)["EventDataStore"])
        if eds["Status"] == "PENDING_DELETION":
            raise JsonRESTError("InactiveEventDataStoreException", f"Event data store {eds['EventDataStoreArn']} is pending deletion.")
        if eds["TerminationProtectionEnabled"]:
            raise JsonRESTError("EventDataStoreTerminationProtectedException",
                                "Event data store cannot be deleted because termination protection is enabled.")
        eds["Status"] = "PENDING_DELETION"
        eds["UpdatedTimestamp"] = time.time()
        return "{}"

    def list_event_data_stores(self):  # type: ignore[no-untyped-def]
        keys = ("EventDataStoreArn", "Name", "Status", "AdvancedEventSelectors", "MultiRegionEnabled", "OrganizationEnabled",
                "RetentionPeriod", "TerminationProtectionEnabled", "CreatedTimestamp", "UpdatedTimestamp")
        return json.dumps({"EventDataStores": [{k: e[k] for k in keys} for e in stores(self).values()]})

    for fn in (create_event_data_store, get_event_data_store, update_event_data_store, delete_event_data_store, list_event_data_stores):
        setattr(CloudTrailResponse, fn.__name__, fn)
    CloudTrailResponse._trailgate_eds = True  # type: ignore[attr-defined]


def patch_query_definitions() -> None:
    import json
    import time
    import uuid

    from moto.core.exceptions import JsonRESTError
    from moto.logs.responses import LogsResponse

    if getattr(LogsResponse, "_trailgate_query_definitions", False):
        return

    def definitions(resp):  # type: ignore[no-untyped-def]
        backend = resp.logs_backend
        if not hasattr(backend, "_trailgate_query_definitions"):
            backend._trailgate_query_definitions = {}
        return backend._trailgate_query_definitions

    def put_query_definition(self):  # type: ignore[no-untyped-def]
        p = json.loads(self.body or "{}")
        defs = definitions(self)
        query_id = p.get("queryDefinitionId")
        if query_id and query_id not in defs:
            raise JsonRESTError("ResourceNotFoundException", f"Query definition {query_id} does not exist.")
        query_id = query_id or str(uuid.uuid4())
        defs[query_id] = {
            "queryDefinitionId": query_id,
            "name": p["name"],
            "queryString": p["queryString"],
            "logGroupNames": p.get("logGroupNames", []),
            "lastModified": int(time.time() * 1000),
        }
        return json.dumps({"queryDefinitionId": query_id})

    def describe_query_definitions(self):  # type: ignore[no-untyped-def]
        prefix = json.loads(self.body or "{}").get("queryDefinitionNamePrefix", "")
        found = [d for d in definitions(self).values() if d["name"].startswith(prefix)]
        return json.dumps({"queryDefinitions": sorted(found, key=lambda d: d["name"])})

    def delete_query_definition(self):  # type: ignore[no-untyped-def]
        query_id = json.loads(self.body or "{}").get("queryDefinitionId", "")
        return json.dumps({"success": definitions(self).pop(query_id, None) is not None})

    for fn in (put_query_definition, describe_query_definitions, delete_query_definition):
        setattr(LogsResponse, fn.__name__, fn)
    LogsResponse._trailgate_query_definitions = True  # type: ignore[attr-defined]


def patch_public_keys(keys_file: str) -> None:
    import json
    import time

    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.core.exceptions import JsonRESTError

    def list_public_keys(self):  # type: ignore[no-untyped-def]
        p = json.loads(self.body or "{}")
        now = time.time()
        start = float(p.get("StartTime", now))
        end = float(p.get("EndTime", now))
        if start > end:
            raise JsonRESTError("InvalidTimeRangeException", "Occurs if the timestamp values are not valid.")
        try:
            with open(keys_file, encoding="utf-8") as f:
                by_region = json.load(f)
        except FileNotFoundError:
            by_region = {}
        keys = [k for k in by_region.get(self.region, []) if k["ValidityStartTime"] <= end and k["ValidityEndTime"] >= start]
        return json.dumps({"PublicKeyList": keys})

    CloudTrailResponse.list_public_keys = list_public_keys  # type: ignore[attr-defined]


def patch_trail_status() -> None:
    import calendar
    import json
    import time

    from moto.cloudtrail.responses import CloudTrailResponse

    original = CloudTrailResponse.get_trail_status
    if getattr(original, "_trailgate_patched", False):
        return

    def epoch(moment):  # type: ignore[no-untyped-def]
        return calendar.timegm(moment.utctimetuple())

    def get_trail_status(self):  # type: ignore[no-untyped-def]
        status = self.cloudtrail_backend.get_trail_status(self._get_param("Name"))  # raises TrailNotFound
        trail = next(t for t in self.cloudtrail_backend.describe_trails(include_shadow_trails=True) if t.status is status)
        desc = status.description()
        desc.pop("LatestDeliveryTime", None)
        if status.started is None:
            return json.dumps(desc)
        started = epoch(status.started)
        desc["StartLoggingTime"] = started
        stopped = epoch(status.stopped) if status.stopped is not None else None
        if stopped is not None:
            desc["StopLoggingTime"] = stopped
        # Deliveries run while the trail logs and end when it stops (a restart after a stop
        # resumes them; moto keeps one StopLoggingTime per trail, like AWS).
        delivered_until = int(time.time()) if status.is_logging else (stopped if stopped is not None else started)
        desc["LatestDeliveryTime"] = delivered_until
        if trail.cw_log_group_arn:
            desc["LatestCloudWatchLogsDeliveryTime"] = delivered_until
        if trail.log_validation and delivered_until - started >= 3600:
            desc["LatestDigestDeliveryTime"] = started + (delivered_until - started) // 3600 * 3600
        return json.dumps(desc)

    get_trail_status._trailgate_patched = True  # type: ignore[attr-defined]
    CloudTrailResponse.get_trail_status = get_trail_status  # type: ignore[method-assign]


def patch_access_point_arn() -> None:
    from moto.core.responses import ActionResult
    from moto.s3control.responses import S3ControlResponse

    original = S3ControlResponse.create_access_point
    if getattr(original, "_trailgate_patched", False):
        return

    def create_access_point(self):  # type: ignore[no-untyped-def]
        original(self)
        point = self.backend.access_points[self._get_param("AccountId")][self._get_param("Name")]
        regional = point.arn.replace(":s3:us-east-1:", f":s3:{self.region}:", 1)
        if regional != point.arn:
            point.arn = regional
            if self._get_param("Tags"):
                self.backend.tag_resource(regional, self._get_param("Tags"))
        return ActionResult({"AccessPointArn": point.arn, "Alias": point.alias})

    create_access_point._trailgate_patched = True  # type: ignore[attr-defined]
    S3ControlResponse.create_access_point = create_access_point  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = let the kernel choose")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process is gone (0 = do not watch)")
    parser.add_argument("--pidfile", default="", help="write this process's pid here")
    parser.add_argument("--cloudtrail-public-keys", default="",
                        help="ListPublicKeys answers from this JSON file (absent file: no keys)")
    args = parser.parse_args(argv)

    if not ipaddress.ip_address(args.host).is_loopback:
        print(f"refusing to listen on non-loopback address {args.host}", file=sys.stderr)
        return 2
    if "MOTO_ACCOUNT_ID" in os.environ:
        # It overrides every request's account, including assumed-role credentials,
        # which would fold the log-archive account into the management account.
        print("MOTO_ACCOUNT_ID must not be set: it disables multi-account", file=sys.stderr)
        return 2

    import moto
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    patch_cloudtrail()
    patch_s3_logging()
    patch_event_data_stores()
    patch_trail_status()
    patch_access_point_arn()
    patch_query_definitions()
    if args.cloudtrail_public_keys:
        patch_public_keys(os.path.abspath(args.cloudtrail_public_keys))

    if args.pidfile:
        with open(args.pidfile, "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()

    stop = threading.Event()

    def on_signal(signum, _frame):  # type: ignore[no-untyped-def]
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    print(f"MOTO_READY {host} {port} {os.getpid()} moto={moto.__version__}", flush=True)

    while not stop.wait(1.0):
        if args.parent_pid and not _alive(args.parent_pid):
            print("parent process gone, stopping moto", file=sys.stderr, flush=True)
            break

    server.stop()
    if args.pidfile:
        try:
            os.unlink(args.pidfile)
        except FileNotFoundError:
            pass
    return 0


def _alive(pid: int) -> bool:
    if os.getppid() != pid:
        return False  # re-parented: the parent died
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    sys.exit(main())

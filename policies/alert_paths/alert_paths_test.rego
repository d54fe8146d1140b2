package trailgate.alert_paths_test

import data.trailgate.alert_paths
import data.trailgate.test_helpers as h

trail := h.res("aws_cloudtrail", "org", {"cloud_watch_logs_group_arn": "arn:aws:logs:eu-west-2:111122223333:log-group:/org/cloudtrail:*"}, {})

# A proof as gate/alerts/model.ts writes it.
proof(patch) := object.union(
	{
		"monitor": "cis-4.3-root-account-use",
		"title": "Root account use",
		"tier": "critical",
		"deadline_seconds": 360,
		"event": "sample",
		"outcome": "pages",
		"link": null,
		"resource": "aws_cloudwatch_metric_alarm.root",
		"detail": "",
		"latency_seconds": 360,
		"pages": [],
	},
	patch,
)

judged(proofs) := vs if {
	vs := alert_paths.violations with input as object.union(h.doc([trail]), {"alert_paths": proofs})
}

ids(vs) := {v.id | some v in vs}

test_a_monitor_that_pages_in_time_is_no_finding if {
	count(judged([proof({})])) == 0
}

# Each broken link is its own rule, on the resource where the path stops.
test_each_broken_link_names_its_rule if {
	links := {
		"recorded": "TG-ALR-001", "delivered": "TG-ALR-002", "log_class": "TG-ALR-003", "filter": "TG-ALR-004",
		"metric": "TG-ALR-005", "alarm": "TG-ALR-006", "actions": "TG-ALR-007", "subscribed": "TG-ALR-008",
	}
	every link, id in links {
		vs := judged([proof({"outcome": "broken", "link": link, "resource": "aws_x.y", "detail": "why"})])
		ids(vs) == {id}
		some v in vs
		v.resource == "aws_x.y"
		v.message == "monitor cis-4.3-root-account-use (Root account use, critical tier) pages nobody: why"
	}
}

test_a_late_page_is_tg_alr_009 if {
	vs := judged([proof({"outcome": "late", "link": "deadline", "detail": "takes up to 10 minutes"})])
	ids(vs) == {"TG-ALR-009"}
	some v in vs
	contains(v.message, "pages late: takes up to 10 minutes")
}

test_a_path_that_cannot_be_judged_is_tg_alr_010 if {
	ids(judged([proof({"outcome": "unknown", "link": "alarm", "detail": "threshold unknown"})])) == {"TG-ALR-010"}
}

# Without a trail TG-LOG-008 reports the configuration; the paths add nothing.
test_no_trail_no_alert_path_findings if {
	vs := alert_paths.violations with input as object.union(h.doc([]), {"alert_paths": [proof({"outcome": "broken", "link": "recorded"})]})
	count(vs) == 0
}

# An input the gate did not prepare fails closed.
test_an_input_without_alert_paths_cannot_be_judged if {
	vs := alert_paths.violations with input as object.remove(h.doc([trail]), ["alert_paths"])
	ids(vs) == {"TG-ALR-010"}
}

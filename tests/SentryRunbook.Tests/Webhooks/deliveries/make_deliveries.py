"""Writes the webhook deliveries the xunit tests verify: bodies as Sentry's Python writes them
(json.dumps defaults: ", " and ": " separators, insertion key order, non-ASCII as \\uXXXX), signed with
hmac/hashlib as sentry.sentry_apps signs them. The outputs are checked in; rerun only to add a case:
    python3 make_deliveries.py
"""
import hashlib
import hmac
import json
import os

SECRET = "9f1c6b2e4d8a0b7c5e3f1a2d4c6b8e0f9a7c5e3d1b2f4a6c8e0d2b4f6a8c0e1d"
TIMESTAMP = "1764757200"  # 2025-12-03T10:20:00Z
HERE = os.path.dirname(os.path.abspath(__file__))

HOSTILE = "<script>alert('x')</script> *bold* [click](https://evil.example) @here <!channel> \u00e9\u00e8 \u2603 \U0001F525 \"quoted\" back\\slash\ttab"

raw_event = {
    "event_id": "8f0e5bd1d5a34a4f93c0e8a8d2f0a1b2",
    "project": 4505,
    "release": "web@2.4.1",
    "dist": None,
    "platform": "python",
    "message": "",
    "datetime": "2025-12-03T10:19:58.123456+00:00",
    "tags": [["environment", "production"], ["level", "fatal"], ["release", "web@2.4.1"], ["server_name", "web-3"]],
    "_metrics": {"bytes.stored.event": 4021},
    "contexts": {"runtime": {"name": "CPython", "version": "3.12.1", "type": "runtime"}},
    "culprit": "payments.charge in capture",
    "environment": "production",
    "exception": {"values": [{"type": "PaymentGatewayError", "value": HOSTILE, "module": "payments.errors",
        "stacktrace": {"frames": [{"function": "capture", "module": "payments.charge", "filename": "payments/charge.py",
            "abs_path": "/srv/app/payments/charge.py", "lineno": 88, "colno": None, "in_app": True,
            "context_line": "    raise PaymentGatewayError(resp.text)", "pre_context": ["    resp = gateway.post(payload)"], "post_context": []}]}}]},
    "fingerprint": ["{{ default }}"],
    "grouping_config": {"enhancements": "eJybzDRxY3J", "id": "newstyle:2023-01-11"},
    "hashes": ["a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"],
    "level": "fatal",
    "location": "payments/charge.py",
    "logger": "",
    "metadata": {"filename": "payments/charge.py", "function": "capture", "type": "PaymentGatewayError", "value": HOSTILE},
    "received": 1764757198.9876,
    "sdk": {"name": "sentry.python", "version": "2.19.0"},
    "timestamp": 1764757198.123456,
    "title": "PaymentGatewayError: " + HOSTILE,
    "type": "error",
    "user": {"id": "u-42", "email": "customer@example.com", "ip_address": "203.0.113.7"},
    "version": "7",
    "url": "https://acme.sentry.io/api/0/projects/acme/web/events/8f0e5bd1d5a34a4f93c0e8a8d2f0a1b2/",
    "web_url": "https://acme.sentry.io/issues/1170820242/events/8f0e5bd1d5a34a4f93c0e8a8d2f0a1b2/",
    "issue_url": "https://acme.sentry.io/api/0/issues/1170820242/",
    "issue_id": "1170820242",
}


def issue(status, substatus, assigned=None):
    return {
        "id": "1170820242",
        "shareId": None,
        "shortId": "WEB-1A",
        "title": "PaymentGatewayError: " + HOSTILE,
        "culprit": "payments.charge in capture",
        "permalink": None,
        "logger": None,
        "level": "fatal",
        "status": status,
        "statusDetails": {},
        "substatus": substatus,
        "isPublic": False,
        "platform": "python",
        "project": {"id": "4505", "name": "web", "slug": "web", "platform": "python"},
        "type": "error",
        "metadata": {"type": "PaymentGatewayError", "value": HOSTILE, "filename": "payments/charge.py", "function": "capture"},
        "numComments": 0,
        "assignedTo": assigned,
        "isBookmarked": False,
        "isSubscribed": False,
        "subscriptionDetails": None,
        "hasSeen": False,
        "annotations": [],
        "issueType": "error",
        "issueCategory": "error",
        "priority": "high",
        "priorityLockedAt": None,
        "isUnhandled": True,
        "count": "312",
        "userCount": 87,
        "firstSeen": "2025-12-03T10:02:11.000000Z",
        "lastSeen": "2025-12-03T10:19:58.123456Z",
        "url": "https://acme.sentry.io/api/0/organizations/acme/issues/1170820242/",
        "web_url": "https://acme.sentry.io/organizations/acme/issues/1170820242/",
        "project_url": "https://acme.sentry.io/organizations/acme/issues/?project=4505",
    }


INSTALL = {"uuid": "7a485448-a9e2-4c85-8a3c-4f44175783c9"}
SENTRY = {"type": "application", "id": "sentry", "name": "Sentry"}
USER = {"type": "user", "id": 1, "name": "Ana Ops"}

incident = {
    "id": "73", "identifier": "12", "title": "Too many payment errors", "status": 2, "status_method": 3, "type": 2,
    "date_started": "2025-12-03T10:10:00Z", "date_detected": "2025-12-03T10:10:00Z", "date_created": "2025-12-03T10:10:31Z",
    "date_closed": None, "organization_id": "1", "projects": ["web"],
    "alert_rule": {"id": "18", "name": "Too many payment errors", "organization_id": "1", "status": 0, "query_type": 0,
        "query": "transaction:/api/pay", "aggregate": "count()", "time_window": 5, "resolution": 1, "threshold_period": 1,
        "threshold_type": 0, "resolve_threshold": None, "dataset": "events", "environment": "production", "projects": ["web"],
        "triggers": [{"id": "23", "alert_rule_id": "18", "label": "critical", "threshold_type": 0, "alert_threshold": 100.0,
            "resolve_threshold": None, "actions": [{"id": "31", "type": "sentry_app", "settings": None}]}],
        "date_modified": "2025-11-20T09:00:00Z", "date_created": "2025-11-20T09:00:00Z"},
}


def metric(action, prefix):
    i = dict(incident)
    i["status"] = {"critical": 20, "warning": 10, "resolved": 2}[action]
    return {"description_text": "1024 events in the last 5 minutes", "description_title": prefix + "Too many payment errors",
            "metric_alert": i, "web_url": "https://acme.sentry.io/organizations/acme/alerts/rules/details/18/?alert=73"}


deliveries = {
    "event_alert.triggered": ("event_alert", {"action": "triggered", "installation": INSTALL,
        "data": {"event": raw_event, "triggered_rule": "Page on new fatal payment error",
                 "issue_alert": {"title": "Page on new fatal payment error", "settings": [{"name": "channel", "value": "#ops"}]}},
        "actor": SENTRY}),
    "issue.created": ("issue", {"action": "created", "installation": INSTALL, "data": {"issue": issue("unresolved", "new")}, "actor": SENTRY}),
    "issue.resolved": ("issue", {"action": "resolved", "installation": INSTALL, "data": {"issue": issue("resolved", None)}, "actor": USER}),
    "issue.ignored": ("issue", {"action": "ignored", "installation": INSTALL, "data": {"issue": issue("ignored", "archived_until_escalating")}, "actor": USER}),
    "issue.archived": ("issue", {"action": "archived", "installation": INSTALL, "data": {"issue": issue("ignored", "archived_forever")}, "actor": USER}),
    "issue.assigned": ("issue", {"action": "assigned", "installation": INSTALL,
        "data": {"issue": issue("unresolved", "ongoing", {"type": "user", "id": "1", "name": "Ana Ops", "email": "ana@example.com"})}, "actor": USER}),
    "issue.unresolved": ("issue", {"action": "unresolved", "installation": INSTALL, "data": {"issue": issue("unresolved", "regressed")}, "actor": SENTRY}),
    "metric_alert.critical": ("metric_alert", {"action": "critical", "installation": INSTALL, "data": metric("critical", "Critical: "), "actor": SENTRY}),
    "metric_alert.warning": ("metric_alert", {"action": "warning", "installation": INSTALL, "data": metric("warning", "Warning: "), "actor": SENTRY}),
    "metric_alert.resolved": ("metric_alert", {"action": "resolved", "installation": INSTALL, "data": metric("resolved", "Resolved: "), "actor": SENTRY}),
    "error.created": ("error", {"action": "created", "installation": INSTALL, "data": {"error": raw_event}, "actor": SENTRY}),
    "comment.created": ("comment", {"action": "created", "installation": INSTALL,
        "data": {"comment_id": 1234, "issue_id": 1170820242, "project_slug": "web", "timestamp": "2025-12-03T10:19:00.000000Z",
                 "comment": "Rolled back \u2014 see <b>INC-42</b> & @team"}, "actor": USER}),
    "comment.updated": ("comment", {"action": "updated", "installation": INSTALL,
        "data": {"comment_id": 1234, "issue_id": 1170820242, "project_slug": "web", "timestamp": "2025-12-03T10:19:30.000000Z",
                 "comment": "Rolled back to web@2.4.0"}, "actor": USER}),
    "comment.deleted": ("comment", {"action": "deleted", "installation": INSTALL,
        "data": {"comment_id": 1234, "issue_id": 1170820242, "project_slug": "web", "timestamp": "2025-12-03T10:19:45.000000Z",
                 "comment": "Rolled back to web@2.4.0"}, "actor": USER}),
    "installation.created": ("installation", {"action": "created", "installation": INSTALL,
        "data": {"installation": {"app": {"uuid": "64bf2cf4-37ca-4365-8dd3-6b6e56d741b8", "slug": "runbook"},
                 "organization": {"slug": "acme"}, "uuid": INSTALL["uuid"], "status": "installed", "code": "f00b4r"}}, "actor": USER}),
    "installation.deleted": ("installation", {"action": "deleted", "installation": INSTALL,
        "data": {"installation": {"app": {"uuid": "64bf2cf4-37ca-4365-8dd3-6b6e56d741b8", "slug": "runbook"},
                 "organization": {"slug": "acme"}, "uuid": INSTALL["uuid"], "status": "installed", "code": "f00b4r"}}, "actor": USER}),
}

manifest = []
for name, (resource, payload) in deliveries.items():
    body = json.dumps(payload).encode("utf-8")
    with open(os.path.join(HERE, name + ".json"), "wb") as f:
        f.write(body)
    signature = hmac.new(SECRET.encode("utf-8"), body, hashlib.sha256).hexdigest()
    manifest.append({"file": name + ".json", "headers": {
        "Content-Type": "application/json",
        "Request-ID": hashlib.md5(name.encode()).hexdigest(),
        "Sentry-Hook-Resource": resource,
        "Sentry-Hook-Timestamp": TIMESTAMP,
        "Sentry-Hook-Signature": signature,
    }})

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump({"secret": SECRET, "timestamp": TIMESTAMP, "deliveries": manifest}, f, indent=1)

using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>
/// Cron monitors and check-ins (listOrganizationMonitors, getOrganizationMonitor, listOrganizationMonitorCheckins).
/// `environments` is a list, as Sentry's MonitorSerializer returns it (the published schema types it as one
/// object, a typing slip in Sentry's TypedDict). Call inside EventStore.Read.
/// </summary>
public sealed class MonitorWriter(OrganizationWriter organizations)
{
    public JsonObject Monitor(Model.Monitor m, DateTimeOffset now, ISet<string>? environments = null) => new()
    {
        ["id"] = m.Id,
        ["name"] = m.Name,
        ["slug"] = m.Slug,
        ["status"] = "active",
        ["isMuted"] = m.IsMuted,
        ["isUpserting"] = false,
        ["config"] = Config(m),
        ["dateCreated"] = Dates.Iso(m.DateCreated),
        ["project"] = organizations.Project(m.Project),
        ["environments"] = JsonOut.Array(m.CheckIns.Select(c => c.Environment).Distinct(StringComparer.Ordinal)
            .Where(e => environments is null || environments.Count == 0 || environments.Contains(e))
            .Order(StringComparer.Ordinal).Select(e => (JsonNode?)Environment(m, e, now))),
        ["owner"] = new JsonObject { ["type"] = "team", ["id"] = m.Project.Team.Id, ["name"] = m.Project.Team.Slug },
    };

    public static JsonObject CheckIn(Model.Monitor m, CheckIn c) => new()
    {
        ["id"] = c.Id,
        ["environment"] = c.Environment,
        ["status"] = c.Status,
        ["duration"] = c.DurationMs,
        ["dateCreated"] = Dates.Iso(c.DateCreated),
        ["dateAdded"] = Dates.Iso(c.DateCreated),
        ["dateUpdated"] = Dates.Iso(c.DateUpdated),
        ["dateInProgress"] = c.DateInProgress is { } p ? Dates.Iso(p) : null,
        ["dateClock"] = Dates.Iso(c.DateCreated),
        ["expectedTime"] = Dates.Iso(c.ExpectedTime),
        ["monitorConfig"] = Config(m),
        ["groups"] = new JsonArray(),
    };

    /// <summary>ok after a good run, error after a failed/missed/timed-out one, active before the first finished run.</summary>
    private static JsonObject Environment(Model.Monitor m, string environment, DateTimeOffset now)
    {
        var checkIns = m.CheckIns.Where(c => c.Environment == environment).ToList();
        var last = checkIns[^1];
        var finished = checkIns.LastOrDefault(c => c.Status != "in_progress");
        var status = finished?.Status switch { null => "active", "ok" => "ok", _ => "error" };
        var next = m.Schedule.Next(last.DateCreated);
        return new JsonObject
        {
            ["name"] = environment,
            ["status"] = status,
            ["isMuted"] = m.IsMuted,
            ["dateCreated"] = Dates.Iso(checkIns[0].DateCreated),
            ["lastCheckIn"] = Dates.Iso(last.DateCreated),
            ["nextCheckIn"] = Dates.Iso(next),
            ["nextCheckInLatest"] = Dates.Iso(next.AddMinutes(m.CheckinMargin ?? 1)),
            ["activeIncident"] = null,
        };
    }

    private static JsonObject Config(Model.Monitor m) => new()
    {
        ["schedule_type"] = m.Schedule.Type,
        ["schedule"] = m.Schedule.Type == "crontab" ? m.Schedule.Expression : new JsonArray(m.Schedule.Interval, m.Schedule.Unit),
        ["checkin_margin"] = m.CheckinMargin,
        ["max_runtime"] = m.MaxRuntime,
        ["timezone"] = m.Timezone,
        ["failure_issue_threshold"] = 1,
        ["recovery_threshold"] = 1,
        ["alert_rule_id"] = null,
    };
}

/// <summary>
/// Uptime monitors (ProjectUptimeSubscriptionSerializer) and their checks (EapCheckEntrySerializer): a failed
/// check inside an incident is `failure_incident`, as Sentry translates it. Call inside EventStore.Read.
/// </summary>
public static class UptimeWriter
{
    public static JsonObject Monitor(UptimeMonitor m) => new()
    {
        ["id"] = m.Id,
        ["projectSlug"] = m.Project.Slug,
        ["environment"] = m.Environment,
        ["name"] = m.Name,
        ["status"] = "active",
        ["uptimeStatus"] = m.UptimeStatus,
        ["mode"] = 1,
        ["url"] = m.Url,
        ["method"] = m.Method,
        ["body"] = null,
        ["headers"] = new JsonArray(),
        ["intervalSeconds"] = m.IntervalSeconds,
        ["timeoutMs"] = m.TimeoutMs,
        ["owner"] = new JsonObject { ["type"] = "team", ["id"] = m.Project.Team.Id, ["name"] = m.Project.Team.Slug },
        ["traceSampling"] = false,
    };

    public static JsonObject Check(UptimeMonitor m, UptimeCheck c) => new()
    {
        ["uptimeCheckId"] = c.Id,
        ["uptimeSubscriptionId"] = int.Parse(m.Id, System.Globalization.CultureInfo.InvariantCulture),
        ["projectUptimeSubscriptionId"] = int.Parse(m.Id, System.Globalization.CultureInfo.InvariantCulture),
        ["timestamp"] = c.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["scheduledCheckTime"] = c.ScheduledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        ["checkStatus"] = c.Status == "failure" && c.InIncident ? "failure_incident" : c.Status,
        ["checkStatusReason"] = c.Reason,
        ["httpStatusCode"] = c.HttpStatusCode,
        ["durationMs"] = c.DurationMs,
        ["traceId"] = c.Id.Replace("-", "", StringComparison.Ordinal),
        ["traceSpansCount"] = 0,
        ["incidentStatus"] = c.InIncident ? 1 : 0,
        ["environment"] = m.Environment,
        ["region"] = c.Region,
        ["regionName"] = c.Region == "us-east-1" ? "US East" : c.Region,
    };
}

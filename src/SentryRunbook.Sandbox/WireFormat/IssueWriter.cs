using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>How rows should carry their sparkline: key + buckets, or no `stats` key at all.</summary>
public sealed record RowStats(string Key, Func<Issue, JsonArray> Buckets);

/// <summary>
/// Serialises issues in the three shapes Sentry uses: list rows (listOrganizationIssues), detail
/// (getOrganizationIssue) and the short-id lookup's `group` (a row). Every field the OpenAPI schema
/// marks required is written, with the schema's JSON type.
/// </summary>
public sealed class IssueWriter(string baseUri, string organizationSlug)
{
    public string Permalink(Issue issue) => $"{baseUri}/organizations/{organizationSlug}/issues/{issue.Id}/";

    /// <summary>Fields shared by rows and detail.</summary>
    private JsonObject Base(Issue issue)
    {
        var m = issue.Metadata;
        var metadata = new JsonObject { ["type"] = m.Type, ["value"] = m.Value, ["title"] = issue.Title };
        if (m.Filename is not null) metadata["filename"] = m.Filename;
        if (m.Function is not null) metadata["function"] = m.Function;
        metadata["in_app_frame_mix"] = "in-app-only";

        return new JsonObject
        {
            ["id"] = issue.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["shareId"] = null,
            ["shortId"] = issue.ShortId,
            ["title"] = issue.Title,
            ["culprit"] = issue.Culprit,
            ["permalink"] = Permalink(issue),
            ["logger"] = null,
            ["level"] = issue.Level,
            ["status"] = issue.Status,
            ["statusDetails"] = new JsonObject(),
            ["substatus"] = issue.Substatus,
            ["isPublic"] = false,
            ["platform"] = issue.Project.Platform,
            ["priority"] = issue.Priority,
            ["priorityLockedAt"] = null,
            ["seerFixabilityScore"] = null,
            ["seerAutofixLastTriggered"] = null,
            ["seerExplorerAutofixLastTriggered"] = null,
            ["project"] = ProjectRef(issue.Project),
            ["type"] = "error",
            ["issueType"] = "error",
            ["issueCategory"] = "error",
            ["metadata"] = metadata,
            ["numComments"] = 0,
            ["assignedTo"] = Assignee(issue.AssignedTo),
            ["isBookmarked"] = false,
            ["isSubscribed"] = issue.AssignedTo is { Type: "user" },
            ["subscriptionDetails"] = issue.AssignedTo is { Type: "user" } ? new JsonObject { ["reason"] = "assigned" } : null,
            ["hasSeen"] = false,
            ["annotations"] = new JsonArray(),
            ["isUnhandled"] = issue.IsUnhandled,
            // Sentry sends counts as strings (they can exceed 2^31); userCount stays a number.
            ["count"] = Count(issue.Count),
            ["userCount"] = issue.UserCount,
            ["firstSeen"] = Dates.Iso(issue.FirstSeen),
            ["lastSeen"] = Dates.Iso(issue.LastSeen),
            ["derivedData"] = new JsonObject
            {
                ["blocker"] = "none",
                ["progress"] = "not_started",
                ["status"] = issue.Status == "unresolved" ? "open" : "closed",
                ["viewCount"] = 0,
                ["hasOpenFixPr"] = false,
                ["isAssigned"] = issue.AssignedTo is not null,
                ["hasRootCause"] = false,
                ["lastCompletedAutofixStep"] = "none",
                ["lastProgressedAt"] = null,
            },
        };
    }

    /// <summary>A list row. `filtered` is null unless the search narrowed beyond status.</summary>
    public JsonObject Row(Issue issue, RowStats? stats, bool filtered)
    {
        var row = Base(issue);
        if (stats is not null) row["stats"] = new JsonObject { [stats.Key] = stats.Buckets(issue) };
        row["lifetime"] = new JsonObject
        {
            ["count"] = Count(issue.Count),
            ["userCount"] = issue.UserCount,
            ["firstSeen"] = Dates.Iso(issue.FirstSeen),
            ["lastSeen"] = Dates.Iso(issue.LastSeen),
        };
        row["filtered"] = filtered
            ? new JsonObject
            {
                ["count"] = Count(issue.Count),
                ["userCount"] = issue.UserCount,
                ["firstSeen"] = Dates.Iso(issue.FirstSeen),
                ["lastSeen"] = Dates.Iso(issue.LastSeen),
                ["stats"] = stats is null ? new JsonObject() : new JsonObject { [stats.Key] = stats.Buckets(issue) },
            }
            : null;
        row["sessionCount"] = 0;
        row["inbox"] = Inbox(issue);
        row["owners"] = new JsonObject { ["type"] = "ownershipRule", ["owner"] = "team:1", ["date_added"] = Dates.Iso(issue.FirstSeen) };
        row["integrationIssues"] = new JsonArray();
        row["sentryAppIssues"] = new JsonArray();
        row["latestEventHasAttachments"] = false;
        row["matchingEventId"] = null;
        row["matchingEventEnvironment"] = null;
        return row;
    }

    /// <summary>The full issue, with detail-only fields (activity, tags, releases, 24h+30d stats…).</summary>
    public JsonObject Detail(Issue issue, DateTimeOffset now, DateTimeOffset organizationCreated)
    {
        var detail = Base(issue);
        detail["stats"] = new JsonObject
        {
            ["24h"] = Stats.Hourly(issue, now, 24),
            ["30d"] = Stats.Daily(issue, now, 30),
        };
        detail["firstRelease"] = Release(issue.FirstRelease, issue.FirstSeen, organizationCreated);
        detail["lastRelease"] = Release(issue.LastRelease, issue.FirstSeen, organizationCreated);
        detail["tags"] = Tags(issue);
        detail["activity"] = Activity(issue);
        detail["seenBy"] = new JsonArray();
        detail["participants"] = issue.AssignedTo is { Type: "user" } a
            ? new JsonArray(new JsonObject { ["type"] = "user", ["id"] = a.Id, ["name"] = a.Name, ["username"] = "sandbox", ["email"] = a.Email })
            : new JsonArray();
        detail["userReportCount"] = 0;
        detail["pluginActions"] = new JsonArray();
        detail["pluginIssues"] = new JsonArray();
        detail["pluginContexts"] = new JsonArray();
        return detail;
    }

    public static JsonObject ProjectRef(Project p) => new()
    {
        ["id"] = p.Id,
        ["name"] = p.Name,
        ["slug"] = p.Slug,
        ["platform"] = p.Platform,
    };

    private static string Count(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject? Assignee(Assignee? a)
    {
        if (a is null) return null;
        var o = new JsonObject { ["type"] = a.Type, ["id"] = a.Id, ["name"] = a.Name };
        if (a.Email is not null) o["email"] = a.Email;
        return o;
    }

    /// <summary>Inbox reasons per Sentry's GroupInboxReason: 0 new, 2 regression, 3 manual, 5 escalating, 6 ongoing.</summary>
    private static JsonObject Inbox(Issue issue)
    {
        var reason = issue.Substatus switch { "new" => 0, "regressed" => 2, "escalating" => 5, "ongoing" => 6, _ => 3 };
        return new JsonObject { ["reason"] = reason, ["reason_details"] = null, ["date_added"] = Dates.Iso(issue.FirstSeen) };
    }

    /// <summary>Full release object; the short version drops the `package@` prefix like Sentry does.</summary>
    private static JsonObject? Release(string? version, DateTimeOffset firstSeen, DateTimeOffset organizationCreated)
    {
        if (version is null) return null;
        var at = version.IndexOf('@', StringComparison.Ordinal);
        var created = Scenarios.Precision.Trim(firstSeen.AddMinutes(-30) < organizationCreated ? organizationCreated : firstSeen.AddMinutes(-30), 6);
        return new JsonObject
        {
            ["version"] = version,
            ["shortVersion"] = at >= 0 ? version[(at + 1)..] : version,
            ["dateCreated"] = Dates.Iso(created),
            ["dateReleased"] = null,
            ["ref"] = null,
            ["url"] = null,
        };
    }

    private static JsonArray Tags(Issue issue)
    {
        var tags = new List<(string Key, string Name)> { ("level", "Level") };
        if (issue.Environment is not null) tags.Add(("environment", "Environment"));
        if (issue.LastRelease is not null) tags.Add(("release", "Release"));
        tags.AddRange(issue.Project.Platform switch
        {
            "javascript" => [("browser", "Browser"), ("os", "OS"), ("url", "URL")],
            "csharp" => [("runtime", "Runtime"), ("server_name", "Server"), ("transaction", "Transaction")],
            "python" => [("runtime", "Runtime"), ("server_name", "Server")],
            _ => Array.Empty<(string, string)>(),
        });
        if (issue.UserCount > 0) tags.Add(("user", "User"));
        return JsonOut.Array(tags.OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (JsonNode?)new JsonObject { ["key"] = t.Key, ["name"] = t.Name, ["totalValues"] = issue.Count }));
    }

    /// <summary>Most recent first, like Sentry; first_seen is always the oldest entry.</summary>
    private static JsonArray Activity(Issue issue)
    {
        var items = new List<JsonObject>();
        if (issue.StatusChangedAt is { } changed)
        {
            items.Add(new JsonObject
            {
                ["id"] = $"{issue.Id}2",
                ["type"] = issue.Status == "resolved" ? "set_resolved" : "set_ignored",
                ["user"] = null,
                ["data"] = new JsonObject(),
                ["dateCreated"] = Dates.Iso(changed),
            });
        }
        items.Add(new JsonObject
        {
            ["id"] = "0",
            ["type"] = "first_seen",
            ["user"] = null,
            ["data"] = new JsonObject(),
            ["dateCreated"] = Dates.Iso(issue.FirstSeen),
        });
        return JsonOut.Array(items);
    }
}

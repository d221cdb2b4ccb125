using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>How rows should carry their sparkline: key + buckets, or no `stats` key at all.</summary>
public sealed record RowStats(string Key, Func<Issue, JsonArray> Buckets);

/// <summary>
/// Serialises issues in the three shapes Sentry uses: list rows (listOrganizationIssues), detail
/// (getOrganizationIssue) and the short-id lookup's `group` (a row). Every field the OpenAPI schema
/// marks required is written, with the schema's JSON type.
/// </summary>
public sealed class IssueWriter(string baseUri, EventStore store)
{
    private readonly EventWriter _events = new(store);

    public string Permalink(Issue issue) => $"{baseUri}/organizations/{store.Organization.Slug}/issues/{issue.Id}/";

    /// <summary>Fields shared by rows and detail.</summary>
    private JsonObject Base(Issue issue)
    {
        var metadata = EventWriter.Metadata(issue.Metadata);
        if (issue.Metadata.Type is not null) metadata["in_app_frame_mix"] = InAppFrameMix(issue);

        return new JsonObject
        {
            ["id"] = issue.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["shareId"] = issue.ShareId,
            ["shortId"] = issue.ShortId,
            ["title"] = issue.Title,
            ["culprit"] = issue.Culprit,
            ["permalink"] = Permalink(issue),
            ["logger"] = issue.Logger,
            ["level"] = issue.Level,
            ["status"] = issue.Status,
            ["statusDetails"] = StatusDetails(issue, store.Organization.DateCreated),
            ["substatus"] = issue.Substatus,
            ["isPublic"] = issue.ShareId is not null,
            ["platform"] = issue.Platform,
            ["priority"] = issue.Priority,
            ["priorityLockedAt"] = issue.PriorityLockedAt is { } locked ? Dates.Iso(locked) : null,
            ["seerFixabilityScore"] = issue.SeerSummary?.FixabilityScore,
            ["seerAutofixLastTriggered"] = null,
            ["seerExplorerAutofixLastTriggered"] = null,
            ["project"] = ProjectRef(issue.Project),
            ["type"] = issue.Type,
            ["issueType"] = issue.IssueType,
            ["issueCategory"] = issue.IssueCategory,
            ["metadata"] = metadata,
            ["numComments"] = issue.NumComments,
            ["assignedTo"] = Assignee(issue.AssignedTo),
            ["isBookmarked"] = issue.IsBookmarked,
            ["isSubscribed"] = issue.IsSubscribed ?? issue.AssignedTo is { Type: "user" },
            ["subscriptionDetails"] = issue.IsSubscribed is { } explicitly
                ? (explicitly ? new JsonObject { ["reason"] = "unknown" } : new JsonObject { ["disabled"] = true })
                : issue.AssignedTo is { Type: "user" } ? new JsonObject { ["reason"] = "assigned" } : null,
            ["hasSeen"] = issue.HasSeen,
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

    /// <summary>The base issue object (GroupSerializer): what a single-issue PUT returns.</summary>
    public JsonObject Issue(Issue issue) => Base(issue);

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
    public JsonObject Detail(Issue issue, DateTimeOffset now)
    {
        var detail = Base(issue);
        detail["stats"] = new JsonObject
        {
            ["24h"] = Stats.Hourly(issue, now, 24),
            ["30d"] = Stats.Daily(issue, now, 30),
        };
        detail["firstRelease"] = issue.FirstRelease is null ? null : _events.Release(issue.FirstRelease);
        detail["lastRelease"] = issue.LastRelease is null ? null : _events.Release(issue.LastRelease);
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

    /// <summary>
    /// `statusDetails`: how a resolved issue was resolved (inRelease / inNextRelease / inCommit), or the
    /// archive conditions of an ignored one, plus the acting user; `{}` for a plain change without actor.
    /// </summary>
    public static JsonObject StatusDetails(Issue issue, DateTimeOffset joined)
    {
        var o = new JsonObject();
        if (issue.Status == "resolved")
        {
            if (issue.Resolution is { InRelease: { } version }) o["inRelease"] = version;
            else if (issue.Resolution is { InNextRelease: true }) o["inNextRelease"] = true;
            else if (issue.ResolvedInCommit is { } commit) o["inCommit"] = CommitWriter.Commit(commit);
        }
        else if (issue.Status == "ignored" && issue.Snooze is { } s)
        {
            // Sentry sends the unused ones as null; the schema types them as non-null integers, so they are left out.
            if (s.Count is { } count) o["ignoreCount"] = count;
            if (s.Until is { } until) o["ignoreUntil"] = Dates.Iso(until);
            if (s.UserCount is { } users) o["ignoreUserCount"] = users;
            if (s.UserWindow is { } userWindow) o["ignoreUserWindow"] = userWindow;
            if (s.Window is { } window) o["ignoreWindow"] = window;
        }
        if (o.Count > 0 && issue.StatusActor is not null) o["actor"] = UserWriter.Full(issue.StatusActor, joined);
        return o;
    }

    /// <summary>Whether the issue's latest stack mixes in-app and system frames (Sentry's `in_app_frame_mix`).</summary>
    private static string InAppFrameMix(Issue issue)
    {
        var frames = issue.Events.Count == 0 ? [] : issue.Events[^1].MainException?.Frames ?? [];
        var inApp = frames.Count(f => f.InApp == true);
        return inApp == frames.Count ? "in-app-only" : inApp == 0 ? "system-only" : "mixed";
    }

    private static readonly Dictionary<string, string> TagNames = new(StringComparer.Ordinal)
    {
        ["browser"] = "Browser", ["browser.name"] = "Browser.Name", ["device"] = "Device", ["device.family"] = "Device.Family",
        ["environment"] = "Environment", ["handled"] = "Handled", ["level"] = "Level", ["logger"] = "Logger",
        ["mechanism"] = "Mechanism", ["os"] = "OS", ["os.name"] = "OS.Name", ["release"] = "Release", ["runtime"] = "Runtime",
        ["runtime.name"] = "Runtime.Name", ["server_name"] = "Server", ["transaction"] = "Transaction", ["url"] = "URL", ["user"] = "User",
        ["dist"] = "Dist",
    };

    /// <summary>Tag keys seen on the issue's events with their event totals, sorted by display name.</summary>
    private static JsonArray Tags(Issue issue) =>
        JsonOut.Array(issue.TagValues
            .Select(t => (Key: t.Key, Name: TagNames.GetValueOrDefault(t.Key, t.Key), Total: t.Value.Values.Sum(v => v.Count)))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Take(100)
            .Select(t => (JsonNode?)new JsonObject { ["key"] = t.Key, ["name"] = t.Name, ["totalValues"] = t.Total }));

    /// <summary>Most recent first (up to 100), like Sentry; first_seen is the oldest entry.</summary>
    private JsonArray Activity(Issue issue) =>
        JsonOut.Array(issue.Activities.Reverse().Take(100).Select(a => (JsonNode?)ActivityWriter.Item(a, store.Organization.DateCreated)));
}

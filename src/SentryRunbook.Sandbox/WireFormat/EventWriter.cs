using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>
/// Events in the REST API's shape (REFERENCE.md §3): summary rows (listOrganizationIssueEvents) and the
/// full event (§3.4) with `entries`, tags as a sorted `{key, value}` array, camelCase frames oldest
/// first, ISO breadcrumb timestamps, request headers as pairs, and environment only in the tags.
/// Call under the store lock (it reads releases).
/// </summary>
public sealed class EventWriter(EventStore store)
{
    private const string GroupingConfig = "newstyle:2023-01-11";

    public static JsonObject Summary(ErrorEvent e) => new()
    {
        ["id"] = e.EventId,
        ["eventID"] = e.EventId,
        ["event.type"] = e.Type,
        ["groupID"] = IssueId(e),
        ["projectID"] = e.Project.Id,
        ["message"] = e.Message ?? "",
        ["title"] = e.Title,
        ["location"] = Location(e),
        ["culprit"] = e.Culprit,
        ["user"] = User(e.User),
        ["tags"] = Tags(e),
        ["platform"] = e.Platform,
        ["dateCreated"] = Dates.Iso(e.Timestamp),
        ["crashFile"] = null,
        ["metadata"] = Metadata(e.Metadata),
    };

    /// <summary>The full event; `detail` adds the detail-only keys (release, next/previous ids, userReport, …).</summary>
    public JsonObject Full(ErrorEvent e, bool detail, string? nextEventId = null, string? previousEventId = null)
    {
        var o = new JsonObject
        {
            ["id"] = e.EventId,
            ["groupID"] = IssueId(e),
            ["eventID"] = e.EventId,
            ["projectID"] = e.Project.Id,
            ["size"] = e.Size,
            ["entries"] = Entries(e),
            ["dist"] = e.Dist,
            ["message"] = e.Message ?? "",
            ["title"] = e.Title,
            ["location"] = Location(e),
            ["user"] = User(e.User),
            ["contexts"] = Contexts(e.ContextsJson),
            ["sdk"] = Sdk(e.Sdk),
            ["context"] = ParseObject(e.ExtraJson),
            ["packages"] = ParseObject(e.ModulesJson),
            ["type"] = e.Type,
            ["metadata"] = Metadata(e.Metadata),
            ["tags"] = Tags(e),
            ["platform"] = e.Platform,
            ["dateReceived"] = Dates.Iso(e.Received),
            ["errors"] = new JsonArray(),
            ["occurrence"] = Occurrence(e),
            ["_meta"] = new JsonObject(),
            ["crashFile"] = null,
            ["culprit"] = e.Culprit,
            ["dateCreated"] = Dates.Iso(e.Timestamp),
            ["fingerprints"] = new JsonArray(e.Hash),
            ["groupingConfig"] = new JsonObject { ["id"] = GroupingConfig, ["enhancements"] = "" },
        };
        if (!detail) return o;
        o["release"] = e.Release is null ? null : Release(e.Release);
        o["userReport"] = null;
        o["sdkUpdates"] = new JsonArray();
        o["resolvedWith"] = new JsonArray();
        o["nextEventID"] = nextEventId;
        o["previousEventID"] = previousEventId;
        return o;
    }

    /// <summary>A release object as events and issues embed it (integer id; `{"version"}` only when unknown).</summary>
    public JsonObject Release(string version)
    {
        var r = store.Releases.Find(version);
        if (r is null) return new JsonObject { ["version"] = version };
        var at = version.IndexOf('@', StringComparison.Ordinal);
        return new JsonObject
        {
            ["id"] = r.Id,
            ["version"] = r.Version,
            ["shortVersion"] = r.ShortVersion,
            ["status"] = "open",
            ["dateCreated"] = Dates.Iso(r.DateCreated),
            ["dateReleased"] = null,
            ["ref"] = null,
            ["url"] = null,
            ["data"] = new JsonObject(),
            ["commitCount"] = 0,
            ["deployCount"] = 0,
            ["lastCommit"] = null,
            ["lastDeploy"] = null,
            ["userAgent"] = null,
            ["versionInfo"] = new JsonObject
            {
                ["package"] = at > 0 ? version[..at] : null,
                ["version"] = new JsonObject { ["raw"] = r.ShortVersion },
                ["description"] = r.ShortVersion,
                ["buildHash"] = null,
            },
            ["newGroups"] = r.NewGroups,
            ["firstEvent"] = r.FirstEvent is { } first ? Dates.Iso(first) : null,
            ["lastEvent"] = r.LastEvent is { } last ? Dates.Iso(last) : null,
        };
    }

    private static string? IssueId(ErrorEvent e) => e.Issue?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Location(ErrorEvent e) => e.MainException?.InnermostInApp?.Filename;

    public static JsonObject Metadata(IssueMetadata m)
    {
        var o = new JsonObject();
        if (m.Type is not null)
        {
            o["type"] = m.Type;
            o["value"] = m.Value;
            if (m.Filename is not null) o["filename"] = m.Filename;
            if (m.Function is not null) o["function"] = m.Function;
        }
        else if (m.Value is not null)
        {
            // An occurrence's metadata: its subtitle as the value (Sentry's generic issues).
            o["value"] = m.Value;
        }
        o["title"] = m.Title;
        return o;
    }

    /// <summary>The issue-platform occurrence of a cron or uptime event (IssueOccurrence.to_dict, camelCased), else null.</summary>
    private static JsonObject? Occurrence(ErrorEvent e) => e.Occurrence is not { } o ? null : new JsonObject
    {
        ["id"] = e.EventId,
        ["projectId"] = int.Parse(e.Project.Id, System.Globalization.CultureInfo.InvariantCulture),
        ["eventId"] = e.EventId,
        ["fingerprint"] = new JsonArray(e.Hash),
        ["issueTitle"] = o.Title,
        ["subtitle"] = o.Subtitle,
        ["resourceId"] = null,
        ["evidenceData"] = new JsonObject(),
        ["evidenceDisplay"] = new JsonArray(o.Evidence.Select((x, i) => (JsonNode?)new JsonObject { ["name"] = x.Key, ["value"] = x.Value, ["important"] = i == 0 }).ToArray()),
        ["type"] = o.IssueType == "monitor_check_in_failure" ? 4001 : 7001,
        // IssueOccurrence.to_dict writes the detection time as Unix seconds.
        ["detectionTime"] = e.Timestamp.ToUnixTimeMilliseconds() / 1000.0,
        ["level"] = e.Level,
        ["culprit"] = "",
        ["priority"] = 75,
        ["assignee"] = null,
    };

    public static JsonObject? User(EventUser? u) => u is null ? null : new JsonObject
    {
        ["id"] = u.Id,
        ["email"] = u.Email,
        ["username"] = u.Username,
        ["ip_address"] = u.IpAddress,
        ["name"] = u.Name,
        ["data"] = ParseObjectOrNull(u.DataJson),
    };

    public static JsonArray Tags(ErrorEvent e) =>
        JsonOut.Array(e.Tags.Select(t => (JsonNode?)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }));

    private static JsonObject? Sdk(SdkInfo? sdk) => sdk is null ? null : new JsonObject
    {
        ["name"] = sdk.Name,
        ["version"] = sdk.Version,
        ["packages"] = JsonOut.Array(sdk.Packages.Select(p => (JsonNode?)new JsonObject { ["name"] = p.Name, ["version"] = p.Version })),
    };

    /// <summary>Relay gives every known context a `type` equal to its key when the SDK left it out.</summary>
    private static JsonObject Contexts(string? json)
    {
        var contexts = ParseObject(json);
        foreach (var (key, value) in contexts)
            if (value is JsonObject ctx && !ctx.ContainsKey("type")) ctx["type"] = key;
        return contexts;
    }

    private static JsonArray Entries(ErrorEvent e)
    {
        var entries = new JsonArray();
        if (e.Exceptions.Count > 0) entries.Add(Entry("exception", ExceptionData(e.Exceptions)));
        if (e.Message is not null)
            entries.Add(Entry("message", new JsonObject
            {
                ["formatted"] = e.Message,
                ["message"] = e.MessageTemplate,
                ["params"] = JsonOut.Strings(e.MessageParams),
            }));
        if (e.Breadcrumbs.Count > 0)
            entries.Add(Entry("breadcrumbs", new JsonObject { ["values"] = JsonOut.Array(e.Breadcrumbs.Select(Breadcrumb)) }));
        if (e.Request is { } r) entries.Add(Entry("request", Request(r)));
        return entries;
    }

    private static JsonObject Entry(string type, JsonObject data) => new() { ["type"] = type, ["data"] = data };

    private static JsonObject ExceptionData(IReadOnlyList<ExceptionValue> values) => new()
    {
        ["values"] = JsonOut.Array(values.Select(v => (JsonNode?)new JsonObject
        {
            ["type"] = v.Type,
            ["value"] = v.Value,
            ["module"] = v.Module,
            ["threadId"] = null,
            ["mechanism"] = v.Mechanism is { } m ? new JsonObject { ["type"] = m.Type, ["handled"] = m.Handled } : null,
            ["stacktrace"] = v.Frames.Count == 0 ? null : new JsonObject
            {
                ["frames"] = JsonOut.Array(v.Frames.Select(Frame)),
                ["framesOmitted"] = null,
                ["registers"] = null,
                ["hasSystemFrames"] = v.Frames.Any(f => f.InApp != true),
            },
            ["rawStacktrace"] = null,
        })),
        ["excOmitted"] = null,
        ["hasSystemFrames"] = values.Any(v => v.Frames.Any(f => f.InApp != true)),
    };

    private static JsonNode Frame(Frame f)
    {
        var context = new JsonArray();
        if (f.LineNo is { } line)
        {
            var pre = f.PreContext ?? [];
            for (var i = 0; i < pre.Count; i++) context.Add(new JsonArray(line - pre.Count + i, pre[i]));
            if (f.ContextLine is not null) context.Add(new JsonArray(line, f.ContextLine));
            var post = f.PostContext ?? [];
            for (var i = 0; i < post.Count; i++) context.Add(new JsonArray(line + 1 + i, post[i]));
        }
        return new JsonObject
        {
            ["filename"] = f.Filename,
            ["absPath"] = f.AbsPath,
            ["module"] = f.Module,
            ["package"] = f.Package,
            ["platform"] = null,
            ["instructionAddr"] = null,
            ["symbolAddr"] = null,
            ["function"] = f.Function,
            ["rawFunction"] = null,
            ["symbol"] = null,
            ["context"] = context,
            ["lineNo"] = f.LineNo,
            ["colNo"] = f.ColNo,
            ["inApp"] = f.InApp ?? false,
            ["trust"] = null,
            ["errors"] = null,
            ["lock"] = null,
            ["sourceLink"] = null,
            ["vars"] = null,
        };
    }

    private static JsonNode Breadcrumb(Breadcrumb b) => new JsonObject
    {
        ["timestamp"] = Dates.Iso(b.Timestamp),
        ["type"] = b.Type ?? "default",
        ["category"] = b.Category,
        ["level"] = b.Level ?? "info",
        ["message"] = b.Message,
        ["data"] = ParseObjectOrNull(b.DataJson),
        ["event_id"] = null,
    };

    private static JsonObject Request(EventRequest r) => new()
    {
        ["url"] = r.Url,
        ["method"] = r.Method,
        ["query"] = Pairs(r.Query),
        ["fragment"] = null,
        ["data"] = r.DataJson is null ? null : JsonNode.Parse(r.DataJson),
        ["headers"] = Pairs(r.Headers),
        ["cookies"] = Pairs(r.Cookies),
        ["env"] = null,
        ["inferredContentType"] = r.Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value,
        ["apiTarget"] = null,
    };

    private static JsonArray Pairs(IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        JsonOut.Array(pairs.Select(p => (JsonNode?)new JsonArray(p.Key, p.Value)));

    private static JsonObject ParseObject(string? json) => ParseObjectOrNull(json) ?? new JsonObject();

    private static JsonObject? ParseObjectOrNull(string? json) => json is null ? null : JsonNode.Parse(json) as JsonObject;
}

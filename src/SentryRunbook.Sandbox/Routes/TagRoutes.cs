using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Issue tags (REFERENCE.md §4): all keys with top values (not paginated), one key (top 9,
/// getOrganizationIssueTag), and a key's values (paginated, listOrganizationIssueTagValues). Counts
/// come from the issue's per-tag aggregates; an `environment` filter recounts from its events.
/// Value objects carry the tag KEY in `key` (the source serializer), the raw value in `value`.
/// </summary>
public static class TagRoutes
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["browser"] = "Browser", ["browser.name"] = "Browser.Name", ["device"] = "Device", ["device.family"] = "Device.Family",
        ["environment"] = "Environment", ["handled"] = "Handled", ["level"] = "Level", ["logger"] = "Logger",
        ["mechanism"] = "Mechanism", ["os"] = "OS", ["os.name"] = "OS.Name", ["release"] = "Release", ["runtime"] = "Runtime",
        ["runtime.name"] = "Runtime.Name", ["server_name"] = "Server", ["transaction"] = "Transaction", ["url"] = "URL", ["user"] = "User",
        ["dist"] = "Dist",
    };

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/issues/{id}/tags/", context => All(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/issues/{id}/tags/{key}/", context => One(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/issues/{id}/tags/{key}/values/", context => Values(context, state)).WithMetadata(RequiredScope.EventRead);
    }

    public static string DisplayName(string key) => Names.GetValueOrDefault(key, key);

    private sealed record Value(string Raw, string Name, long Count, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Order);

    private static Issue? Find(HttpContext context, SandboxState state) =>
        state.Store.IsOrganization(OrganizationRoutes.Route(context, "org")) ? state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id")) : null;

    private static Task All(HttpContext context, SandboxState state)
    {
        var issue = Find(context, state);
        if (issue is null) return JsonOut.NotFound(context);
        var request = context.Request;
        var keys = request.Query["key"].OfType<string>().Where(k => k.Length > 0).ToHashSet(StringComparer.Ordinal);
        var limit = keys.Count > 0 ? 9 : 10;
        if (request.Query.ContainsKey("limit") && (!int.TryParse(request.Query["limit"], out limit) || limit < 0))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, "Invalid limit parameter.");
        var environments = Environments(request);
        var body = state.Store.Read(_ =>
        {
            var tags = Collect(issue, environments);
            return JsonOut.Array(tags
                .Where(t => keys.Count == 0 || keys.Contains(t.Key))
                .OrderBy(t => DisplayName(t.Key), StringComparer.Ordinal)
                .Select(t => (JsonNode?)Key(t.Key, t.Value, limit)));
        });
        return JsonOut.Write(context, body);
    }

    private static Task One(HttpContext context, SandboxState state)
    {
        var issue = Find(context, state);
        if (issue is null) return JsonOut.NotFound(context);
        var key = OrganizationRoutes.Route(context, "key");
        var environments = Environments(context.Request);
        var body = state.Store.Read(_ => Collect(issue, environments).TryGetValue(key, out var values) ? Key(key, values, 9) : null);
        return body is null ? JsonOut.NotFound(context) : JsonOut.Write(context, body);
    }

    private static Task Values(HttpContext context, SandboxState state)
    {
        var issue = Find(context, state);
        if (issue is null) return JsonOut.NotFound(context);
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var key = OrganizationRoutes.Route(context, "key");
        var sort = context.Request.Query["sort"].ToString();
        if (sort.Length == 0) sort = "-id";
        var descending = sort.StartsWith('-');
        var field = sort.TrimStart('-');
        if (field is not ("age" or "count" or "date" or "id"))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, "Invalid sort parameter. Use one of: age, count, date, id (optionally prefixed with -).");
        var environments = Environments(context.Request);
        var result = state.Store.Read(_ =>
        {
            if (!Collect(issue, environments).TryGetValue(key, out var values)) return ((int, JsonArray)?)null;
            Func<Value, object> by = field switch
            {
                "age" => v => v.FirstSeen,
                "count" => v => v.Count,
                "date" => v => v.LastSeen,
                _ => v => v.Order,
            };
            var sorted = (descending ? values.OrderByDescending(by) : values.OrderBy(by)).ThenBy(v => v.Raw, StringComparer.Ordinal).Take(1000).ToList();
            return (sorted.Count, JsonOut.Array(sorted.Skip(page.Offset).Take(page.Size).Select(v => (JsonNode?)ValueJson(key, v))));
        });
        if (result is not { } found) return JsonOut.NotFound(context);
        LinkHeader.Apply(context, state.BaseUri, page, found.Item1);
        return JsonOut.Write(context, found.Item2);
    }

    private static JsonObject Key(string key, List<Value> values, int limit) => new()
    {
        ["key"] = key,
        ["name"] = DisplayName(key),
        ["totalValues"] = values.Sum(v => v.Count),
        ["uniqueValues"] = values.Count,
        ["topValues"] = JsonOut.Array(values.OrderByDescending(v => v.Count).ThenByDescending(v => v.LastSeen).ThenBy(v => v.Raw, StringComparer.Ordinal)
            .Take(limit).Select(v => (JsonNode?)ValueJson(key, v))),
    };

    private static JsonObject ValueJson(string key, Value v)
    {
        var o = new JsonObject
        {
            ["key"] = key,
            ["value"] = v.Raw,
            ["name"] = v.Name,
            ["count"] = v.Count,
            ["firstSeen"] = Dates.Iso(v.FirstSeen),
            ["lastSeen"] = Dates.Iso(v.LastSeen),
        };
        if (key == "user") o["query"] = $"user.{UserField(v.Raw)}:\"{v.Raw[(v.Raw.IndexOf(':', StringComparison.Ordinal) + 1)..]}\"";
        return o;
    }

    private static string UserField(string raw) => raw.StartsWith("ip:", StringComparison.Ordinal) ? "ip" : raw[..Math.Max(0, raw.IndexOf(':', StringComparison.Ordinal))];

    /// <summary>Key → values: from the aggregates, or recounted from the events of the given environments.</summary>
    private static Dictionary<string, List<Value>> Collect(Issue issue, HashSet<string> environments)
    {
        var users = new Dictionary<string, EventUser>(StringComparer.Ordinal);
        foreach (var e in issue.Events)
            if (e.User?.Tag is { } tag) users.TryAdd(tag, e.User);
        string Name(string key, string raw) =>
            key == "user" && users.TryGetValue(raw, out var u) ? u.Name ?? u.Email ?? u.Username ?? u.Id ?? u.IpAddress ?? raw : raw;

        var result = new Dictionary<string, List<Value>>(StringComparer.Ordinal);
        if (environments.Count == 0)
        {
            foreach (var (key, values) in issue.TagValues)
                result[key] = values.Select((kv, i) => new Value(kv.Key, Name(key, kv.Key), kv.Value.Count, kv.Value.FirstSeen, kv.Value.LastSeen, i)).ToList();
            return result;
        }

        var stats = new Dictionary<string, Dictionary<string, (long Count, DateTimeOffset First, DateTimeOffset Last, int Order)>>(StringComparer.Ordinal);
        foreach (var e in issue.Events)
        {
            if (e.Environment is null || !environments.Contains(e.Environment)) continue;
            foreach (var (key, value) in e.Tags)
            {
                if (!stats.TryGetValue(key, out var values)) stats[key] = values = new(StringComparer.Ordinal);
                values[value] = values.TryGetValue(value, out var s)
                    ? (s.Count + 1, e.Timestamp < s.First ? e.Timestamp : s.First, e.Timestamp > s.Last ? e.Timestamp : s.Last, s.Order)
                    : (1, e.Timestamp, e.Timestamp, values.Count);
            }
        }
        foreach (var (key, values) in stats)
            result[key] = values.Select(kv => new Value(kv.Key, Name(key, kv.Key), kv.Value.Count, kv.Value.First, kv.Value.Last, kv.Value.Order)).ToList();
        return result;
    }

    private static HashSet<string> Environments(HttpRequest request) =>
        request.Query["environment"].OfType<string>().Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);
}

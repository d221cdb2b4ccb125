using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// A trace by id (getOrganizationTraceMeta, getOrganizationTrace), as the MCP server's trace view reads it:
/// the spans the SDKs sent arranged by parent, each with the error events raised inside it. The sandbox
/// has no logs, metrics, uptime checks or performance issues, so those counts are zero.
/// </summary>
public static class TraceRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/trace-meta/{traceId}/", context => Meta(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/organizations/{org}/trace/{traceId}/", context => Trace(context, state)).WithMetadata(RequiredScope.OrgRead);
    }

    /// <summary>Null when the answer is already written (unknown organization, malformed id); an unknown trace is empty.</summary>
    private static (List<SpanRecord> Spans, List<ErrorEvent> Errors)? Read(HttpContext context, SandboxState state, out Task? refused)
    {
        var id = OrganizationRoutes.Route(context, "traceId").Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        refused = !state.Store.IsOrganization(OrganizationRoutes.Route(context, "org")) ? JsonOut.NotFound(context)
            : id.Length != 32 || !id.All(char.IsAsciiHexDigit) ? JsonOut.Detail(context, StatusCodes.Status400BadRequest, "Invalid trace id: a trace id is 32 hexadecimal characters")
            : null;
        if (refused is not null) return null;
        return state.Store.Read(s => (
            s.Spans.Where(x => string.Equals(x.TraceId, id, StringComparison.OrdinalIgnoreCase)).OrderBy(x => x.Start).ToList(),
            s.AllEvents.Where(e => string.Equals(e.TraceId, id, StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.Timestamp).ToList()));
    }

    private static Task Meta(HttpContext context, SandboxState state)
    {
        if (Read(context, state, out var refused) is not var (spans, errors)) return refused!;
        var byOp = new JsonObject();
        foreach (var group in spans.GroupBy(s => s.Op ?? "default").OrderBy(g => g.Key, StringComparer.Ordinal)) byOp[group.Key] = group.Count();
        return JsonOut.Write(context, new JsonObject
        {
            ["errorsCount"] = errors.Count,
            ["performanceIssuesCount"] = 0,
            ["logsCount"] = 0,
            ["metricsCount"] = 0,
            ["spansCount"] = spans.Count,
            ["uptimeCount"] = 0,
            ["transactionChildCountMap"] = JsonOut.Array(spans.Where(s => s.IsSegment).Select(s => (JsonNode?)new JsonObject
            {
                ["transaction.event_id"] = s.SpanId,
                ["count()"] = spans.Count(c => c.SegmentId == s.SpanId && !c.IsSegment),
            })),
            ["spansCountMap"] = byOp,
        });
    }

    /// <summary>Root spans (no parent in the trace) with their children nested; errors hang off the span they happened in.</summary>
    private static Task Trace(HttpContext context, SandboxState state)
    {
        if (Read(context, state, out var refused) is not var (spans, errors)) return refused!;
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId))
            .GroupBy(s => s.ParentSpanId!).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var errorsBySpan = errors.Where(e => e.SpanId is not null && ids.Contains(e.SpanId))
            .GroupBy(e => e.SpanId!).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var roots = spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).ToList();
        var body = state.Store.Read(_ =>
        {
            var nodes = roots.Select(r => (JsonNode?)Node(r, spans, children, errorsBySpan)).ToList();
            // Errors outside every known span (no span id, or a span the SDK never sent) stand at the top level.
            nodes.AddRange(errors.Where(e => e.SpanId is null || !ids.Contains(e.SpanId)).Select(e => (JsonNode?)Error(e)));
            return JsonOut.Array(nodes);
        });
        return JsonOut.Write(context, body);
    }

    private static JsonObject Node(SpanRecord s, List<SpanRecord> all, Dictionary<string, List<SpanRecord>> children, Dictionary<string, List<ErrorEvent>> errors)
    {
        var segment = s.IsSegment ? s : all.FirstOrDefault(x => x.IsSegment && x.SpanId == s.SegmentId);
        var start = s.Start.ToUnixTimeMilliseconds() / 1000.0;
        return new JsonObject
        {
            ["description"] = s.Name ?? "",
            ["event_id"] = s.SpanId,
            ["project_id"] = long.Parse(s.Project.Id, CultureInfo.InvariantCulture),
            ["project_slug"] = s.Project.Slug,
            ["transaction"] = segment?.Name ?? s.Name ?? "",
            ["event_type"] = "span",
            ["children"] = JsonOut.Array((children.GetValueOrDefault(s.SpanId) ?? []).Select(c => (JsonNode?)Node(c, all, children, errors))),
            ["errors"] = JsonOut.Array((errors.GetValueOrDefault(s.SpanId) ?? []).Select(e => (JsonNode?)Error(e))),
            ["occurrences"] = new JsonArray(),
            ["transaction_id"] = segment?.SpanId ?? s.SpanId,
            ["op"] = s.Op ?? "default",
            ["start_timestamp"] = start,
            ["end_timestamp"] = start + s.DurationMs / 1000.0,
            ["duration"] = s.DurationMs,
            ["name"] = s.Name ?? "",
            ["parent_span_id"] = s.ParentSpanId,
            ["is_transaction"] = s.IsSegment,
            ["sdk_name"] = "",
            ["profile_id"] = "",
            ["profiler_id"] = "",
            ["measurements"] = new JsonObject(),
            ["browser_web_vital"] = new JsonObject(),
            ["mobile_app_vital"] = new JsonObject(),
            ["additional_attributes"] = new JsonObject(),
        };
    }

    private static JsonObject Error(ErrorEvent e)
    {
        var at = e.Timestamp.ToUnixTimeMilliseconds() / 1000.0;
        return new JsonObject
        {
            ["description"] = e.Title,
            ["event_id"] = e.EventId,
            ["project_id"] = long.Parse(e.Project.Id, CultureInfo.InvariantCulture),
            ["project_slug"] = e.Project.Slug,
            ["transaction"] = e.Transaction ?? "",
            ["event_type"] = "error",
            ["issue_id"] = e.Issue.Id,
            ["level"] = e.Level,
            ["start_timestamp"] = at,
            ["end_timestamp"] = at,
            ["culprit"] = e.Culprit,
            ["short_id"] = e.Issue.ShortId,
            ["issue_type"] = 1,
        };
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.Search;
using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// `GET /api/0/organizations/{org}/issues/` (listOrganizationIssues) and the legacy project-scoped
/// `GET /api/0/projects/{org}/{project}/issues/` (what sentry-cli's `issues list` calls; REFERENCE.md §2.3:
/// there `statsPeriod` is the sparkline, not the search window).
/// </summary>
public static class IssueListRoute
{
    private const string DefaultQuery = "is:unresolved";
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(90);
    // Sentry's issue search reports at most this many hits.
    private const int MaxHits = 1000;

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/issues/", context => Handle(context, state, legacyProject: false)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/projects/{org}/{project}/issues/", context => Handle(context, state, legacyProject: true)).WithMetadata(RequiredScope.EventRead);
    }

    private static Task Handle(HttpContext context, SandboxState state, bool legacyProject)
    {
        var store = state.Store;
        var request = context.Request;
        var now = DateTimeOffset.UtcNow;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);

        var projectIds = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset windowStart = now - DefaultWindow, windowEnd = now;
        RowStats? rowStats;
        string? error;
        PageRequest page;
        if (legacyProject)
        {
            if (store.FindProject(OrganizationRoutes.Route(context, "project")) is not { } project) return JsonOut.NotFound(context);
            projectIds.Add(project.Id);
            if (!PageRequest.TryRead(request, "limit", out page, out error)
                || !TryLegacyRowStats(request, now, out rowStats, out error))
                return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        }
        else
        {
            if (!PageRequest.TryRead(request, "limit", out page, out error)
                || !TryWindow(request, now, out windowStart, out windowEnd, out error)
                || !TryRowStats(request, now, windowStart, out rowStats, out error))
                return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
            foreach (var p in request.Query["project"])
            {
                if (p is null or "-1") continue;
                var project = store.FindProject(p);
                if (project is null) return JsonOut.Detail(context, StatusCodes.Status403Forbidden, Messages.Forbidden);
                projectIds.Add(project.Id);
            }
        }
        var environments = request.Query["environment"].OfType<string>().ToHashSet(StringComparer.Ordinal);

        // An absent `query` means the default unresolved search; an empty one means every status.
        var query = request.Query.ContainsKey("query") ? request.Query["query"].ToString().Trim() : DefaultQuery;

        // With shortIdLookup=1 a bare short id is a direct hit: just that issue, no paging headers. Without it, free text.
        if (request.Query["shortIdLookup"].ToString() == "1"
            && !query.Contains(' ', StringComparison.Ordinal) && query.Contains('-', StringComparison.Ordinal) && store.FindByShortId(query) is { } hit)
        {
            context.Response.Headers["X-Sentry-Direct-Hit"] = "1";
            return JsonOut.Write(context, new JsonArray(store.Read(_ => state.Issues.Row(hit, rowStats, filtered: false))));
        }

        // A bare event id finds that event's issue (Sentry looks it up before searching); unknown ids fall through to search.
        if (EventStore.NormalizeEventId(query) is not null && FindEvent(store, query, projectIds) is { } matching)
        {
            context.Response.Headers["X-Sentry-Direct-Hit"] = "1";
            return JsonOut.Write(context, new JsonArray(store.Read(_ =>
            {
                var row = state.Issues.Row(matching.Issue, rowStats, filtered: false);
                row["matchingEventId"] = matching.EventId;
                row["matchingEventEnvironment"] = matching.Environment;
                return row;
            })));
        }

        // `group=` names issues exactly: the query is ignored, ids that do not exist are left out, and there is no
        // paging (organization_group_index.py; the client sends at most 100).
        var groupIds = new HashSet<long>();
        foreach (var raw in request.Query["group"])
        {
            if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var groupId))
                return JsonOut.Detail(context, StatusCodes.Status400BadRequest, "Group ids must be integers");
            groupIds.Add(groupId);
        }
        if (groupIds.Count > 0)
        {
            var named = store.Read(s => JsonOut.Array(groupIds.Select(s.FindById).OfType<Issue>()
                .Where(i => projectIds.Count == 0 || projectIds.Contains(i.Project.Id))
                .Select(i => (JsonNode?)state.Issues.Row(i, rowStats, filtered: false))));
            return JsonOut.Write(context, named);
        }

        var search = IssueSearch.Parse(query, store, now, out error);
        if (search is null) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);

        var sort = request.Query["sort"].ToString();
        var filtered = search.NarrowsBeyondStatus || environments.Count > 0;
        var (total, body) = store.Read(s =>
        {
            var matches = s.Issues
                .Where(i => projectIds.Count == 0 || projectIds.Contains(i.Project.Id))
                .Where(i => environments.Count == 0 || i.Environments.Overlaps(environments))
                .Where(i => i.LastSeen >= windowStart && i.FirstSeen <= windowEnd)
                .Where(search.Matches);
            var sorted = Sort(matches, sort).ToList();
            var rows = sorted.Skip(page.Offset).Take(page.Size).Select(i => (JsonNode?)state.Issues.Row(i, rowStats, filtered));
            return (sorted.Count, JsonOut.Array(rows));
        });

        LinkHeader.Apply(context, state.BaseUri, page, total);
        context.Response.Headers["X-Hits"] = Math.Min(total, MaxHits).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["X-Max-Hits"] = MaxHits.ToString(CultureInfo.InvariantCulture);
        return JsonOut.Write(context, body);
    }

    private static ErrorEvent? FindEvent(EventStore store, string eventId, HashSet<string> projectIds) =>
        store.Projects.Where(p => projectIds.Count == 0 || projectIds.Contains(p.Id))
            .Select(p => store.FindEvent(p, eventId)).FirstOrDefault(e => e is not null);

    /// <summary>date = last seen (default), new = first seen, freq = events, user = users; the id breaks ties stably.</summary>
    private static IEnumerable<Issue> Sort(IEnumerable<Issue> issues, string sort) => sort switch
    {
        "new" => issues.OrderByDescending(i => i.FirstSeen).ThenByDescending(i => i.Id),
        "freq" => issues.OrderByDescending(i => i.Count).ThenByDescending(i => i.Id),
        "user" => issues.OrderByDescending(i => i.UserCount).ThenByDescending(i => i.Id),
        // trends, inbox and recommended need signals the sandbox does not model; they fall back to date.
        _ => issues.OrderByDescending(i => i.LastSeen).ThenByDescending(i => i.Id),
    };

    /// <summary>The search window: `statsPeriod` wins over `start`/`end`; default 90 days.</summary>
    internal static bool TryWindow(HttpRequest request, DateTimeOffset now, out DateTimeOffset start, out DateTimeOffset end, out string? error)
    {
        error = null;
        start = now - DefaultWindow;
        end = now;
        var period = request.Query["statsPeriod"].ToString();
        if (period.Length > 0)
        {
            if (!Period.TryParse(period, out var span))
            {
                error = $"Invalid statsPeriod: '{period}'";
                return false;
            }
            start = now - span;
            return true;
        }

        var rawStart = request.Query["start"].ToString();
        var rawEnd = request.Query["end"].ToString();
        if (rawStart.Length == 0 && rawEnd.Length == 0) return true;
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (!DateTimeOffset.TryParse(rawStart, CultureInfo.InvariantCulture, styles, out start)
            || !DateTimeOffset.TryParse(rawEnd, CultureInfo.InvariantCulture, styles, out end))
        {
            error = "start and end are both required";
            return false;
        }
        if (start > end)
        {
            error = "start must be before end";
            return false;
        }
        return true;
    }

    /// <summary>The legacy project list's `statsPeriod`: 24h (default), 14d, or "" for no `stats` key.</summary>
    private static bool TryLegacyRowStats(HttpRequest request, DateTimeOffset now, out RowStats? stats, out string? error)
    {
        error = null;
        var raw = request.Query.ContainsKey("statsPeriod") ? request.Query["statsPeriod"].ToString() : "24h";
        stats = raw switch
        {
            "24h" => new RowStats("24h", i => Stats.Hourly(i, now, 24)),
            "14d" => new RowStats("14d", i => Stats.Daily(i, now, 14)),
            _ => null,
        };
        if (stats is null && raw.Length > 0)
        {
            error = "Invalid stats_period. Valid choices are '', '24h', and '14d'";
            return false;
        }
        return true;
    }

    /// <summary>`groupStatsPeriod`: 24h (default), 14d, auto, or "" for no `stats` key.</summary>
    private static bool TryRowStats(HttpRequest request, DateTimeOffset now, DateTimeOffset windowStart, out RowStats? stats, out string? error)
    {
        error = null;
        var raw = request.Query.ContainsKey("groupStatsPeriod") ? request.Query["groupStatsPeriod"].ToString() : "24h";
        stats = raw switch
        {
            "24h" => new RowStats("24h", i => Stats.Hourly(i, now, 24)),
            "14d" => new RowStats("14d", i => Stats.Daily(i, now, 14)),
            "auto" => new RowStats("auto", i => Stats.Auto(i, now, windowStart)),
            _ => null,
        };
        if (stats is null && raw.Length > 0)
        {
            error = Messages.InvalidStatsPeriod;
            return false;
        }
        return true;
    }
}

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
/// Issue events (listOrganizationIssueEvents, getOrganizationIssueEvent) and the project event by id
/// (getProjectEvent). REFERENCE.md §3.1–3.3.
/// </summary>
public static class EventRoutes
{
    public const string EventNotFound = "Event not found";

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/issues/{id}/events/", context => List(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/issues/{id}/events/{eventId}/", context => One(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/projects/{org}/{project}/events/", context => ProjectList(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/eventids/{eventId}/", context => ResolveEventId(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/projects/{org}/{project}/events/{eventId}/", context => ProjectEvent(context, state)).WithMetadata(RequiredScope.EventRead);
    }

    private static Task List(HttpContext context, SandboxState state)
    {
        if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var issue = state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id"));
        if (issue is null) return JsonOut.NotFound(context);
        // Newest first, like Sentry's default event ordering.
        return WriteEvents(context, state, (_, wanted) => issue.Events.Where(wanted).Reverse());
    }

    /// <summary>listProjectEvents: the project's error events, newest first (sentry-cli's `events list`).</summary>
    private static Task ProjectList(HttpContext context, SandboxState state)
    {
        if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        if (state.Store.FindProject(OrganizationRoutes.Route(context, "project")) is not { } project) return JsonOut.NotFound(context);
        return WriteEvents(context, state, (s, wanted) => s.AllEvents
            .Where(e => e.Project.Id == project.Id && wanted(e))
            .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.EventId, StringComparer.Ordinal));
    }

    /// <summary>
    /// What both event lists share: the page and the window, the environment and query filters (as one predicate
    /// for <paramref name="newestFirst"/>), summary or full rows, and the Link header. Reads under the store lock.
    /// </summary>
    private static Task WriteEvents(HttpContext context, SandboxState state, Func<EventStore, Func<ErrorEvent, bool>, IEnumerable<ErrorEvent>> newestFirst)
    {
        var request = context.Request;
        var now = DateTimeOffset.UtcNow;
        if (!PageRequest.TryRead(request, "per_page", out var page, out var error)
            || !IssueListRoute.TryWindow(request, now, out var start, out var end, out error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);

        var environments = Environments(request);
        var filter = EventFilter.Parse(request.Query["query"].ToString());
        var full = request.Query["full"].ToString() is "1" or "true";
        var (total, body) = state.Store.Read(s =>
        {
            var matches = newestFirst(s, e => e.Timestamp >= start && e.Timestamp <= end && InEnvironments(e, environments) && filter(e)).ToList();
            var rows = matches.Skip(page.Offset).Take(page.Size)
                .Select(e => (JsonNode?)(full ? state.Events.Full(e, detail: false) : EventWriter.Summary(e)));
            return (matches.Count, JsonOut.Array(rows));
        });
        LinkHeader.Apply(context, state.BaseUri, page, total);
        return JsonOut.Write(context, body);
    }

    /// <summary>resolveOrganizationEventId: which project and issue an event id belongs to, with the event.</summary>
    private static Task ResolveEventId(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var eventId = OrganizationRoutes.Route(context, "eventId");
        var found = store.Projects.Select(p => store.FindEvent(p, eventId)).FirstOrDefault(e => e is not null);
        if (found is null) return JsonOut.NotFound(context);
        var body = store.Read(_ => new JsonObject
        {
            ["organizationSlug"] = store.Organization.Slug,
            ["projectSlug"] = found.Project.Slug,
            ["groupId"] = found.Issue.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["eventId"] = found.EventId,
            ["event"] = state.Events.Full(found, detail: false),
        });
        return JsonOut.Write(context, body);
    }

    private static Task One(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var issue = store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id"));
        if (issue is null) return JsonOut.NotFound(context);
        var environments = Environments(context.Request);
        var which = OrganizationRoutes.Route(context, "eventId");
        var body = store.Read(_ =>
        {
            var events = issue.Events.Where(e => InEnvironments(e, environments)).ToList();
            var index = which switch
            {
                "latest" => events.Count - 1,
                "oldest" => events.Count == 0 ? -1 : 0,
                "recommended" => Recommended(events),
                _ => EventStore.NormalizeEventId(which) is { } id ? events.FindIndex(e => e.EventId == id) : -1,
            };
            return index < 0 ? null : Detail(state, events, index);
        });
        return body is null ? JsonOut.Detail(context, StatusCodes.Status404NotFound, EventNotFound) : JsonOut.Write(context, body);
    }

    private static Task ProjectEvent(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var project = store.FindProject(OrganizationRoutes.Route(context, "project"));
        if (project is null) return JsonOut.NotFound(context);
        var found = store.FindEvent(project, OrganizationRoutes.Route(context, "eventId"));
        var environments = Environments(context.Request);
        if (found is null || !InEnvironments(found, environments)) return JsonOut.Detail(context, StatusCodes.Status404NotFound, EventNotFound);
        var body = store.Read(_ =>
        {
            var events = found.Issue.Events.Where(e => InEnvironments(e, environments)).ToList();
            return Detail(state, events, events.IndexOf(found));
        });
        return JsonOut.Write(context, body);
    }

    /// <summary>The full event with its neighbours in the issue: next = the newer one, previous = the older one.</summary>
    private static JsonObject Detail(SandboxState state, List<ErrorEvent> events, int index) =>
        state.Events.Full(events[index], detail: true,
            nextEventId: index + 1 < events.Count ? events[index + 1].EventId : null,
            previousEventId: index > 0 ? events[index - 1].EventId : null);

    /// <summary>The most helpful recent event: one with in-app frames, breadcrumbs, a user and a request, newest on ties.</summary>
    private static int Recommended(List<ErrorEvent> events)
    {
        var best = -1;
        var bestScore = -1;
        for (var i = events.Count - 1; i >= 0; i--)
        {
            var e = events[i];
            var score = (e.MainException?.InnermostInApp is not null ? 8 : 0) + (e.Breadcrumbs.Count > 0 ? 4 : 0)
                        + (e.User is not null ? 2 : 0) + (e.Request is not null ? 1 : 0);
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
            }
            if (bestScore == 15) break;
        }
        return best;
    }

    private static HashSet<string> Environments(HttpRequest request) =>
        request.Query["environment"].OfType<string>().Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);

    private static bool InEnvironments(ErrorEvent e, HashSet<string> environments) =>
        environments.Count == 0 || (e.Environment is not null && environments.Contains(e.Environment));
}

/// <summary>
/// The event search the issue-events list accepts, reduced to what runbooks send: an event id,
/// `key:value` tag matches (with `!` negation and quotes) and free text over title and message.
/// </summary>
public static class EventFilter
{
    public static Func<ErrorEvent, bool> Parse(string query)
    {
        var predicates = new List<Func<ErrorEvent, bool>>();
        foreach (var token in SearchTerms.Tokenize(query.Trim()))
        {
            if (EventStore.NormalizeEventId(token) is { } id)
            {
                predicates.Add(e => e.EventId == id);
                continue;
            }
            var negated = token.StartsWith('!');
            var term = negated ? token[1..] : token;
            var colon = term.IndexOf(':', StringComparison.Ordinal);
            Func<ErrorEvent, bool> p;
            if (colon > 0)
            {
                var key = term[..colon];
                var value = Unquote(term[(colon + 1)..]);
                p = key switch
                {
                    "user.id" => e => e.User?.Id == value,
                    "user.email" => e => e.User?.Email == value,
                    "user.username" => e => e.User?.Username == value,
                    "event.type" => e => e.Type == value,
                    "message" => e => (e.Message ?? e.Title).Contains(value, StringComparison.OrdinalIgnoreCase),
                    _ => e => e.Tags.Any(t => t.Key == key && t.Value == value),
                };
            }
            else
            {
                var text = Unquote(term);
                p = e => e.Title.Contains(text, StringComparison.OrdinalIgnoreCase) || (e.Message?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);
            }
            predicates.Add(negated ? e => !p(e) : p);
        }
        return e => predicates.All(p => p(e));
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
}

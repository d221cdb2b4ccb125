using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>Cron monitors: list (sentry-cli's `monitors list`), detail and check-ins, org- and project-scoped; uptime monitors and their checks (project-scoped, as in Sentry).</summary>
public static class MonitorRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/monitors/", context => List(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/organizations/{org}/monitors/{monitor}/", context => Detail(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/organizations/{org}/monitors/{monitor}/checkins/", context => CheckIns(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/projects/{org}/{project}/monitors/{monitor}/", context => Detail(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/projects/{org}/{project}/monitors/{monitor}/checkins/", context => CheckIns(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/projects/{org}/{project}/uptime/{monitor}/", context => Uptime(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/projects/{org}/{project}/uptime/{monitor}/checks/", context => UptimeChecks(context, state)).WithMetadata(RequiredScope.OrgRead);
    }

    private static Task Uptime(HttpContext context, SandboxState state)
    {
        if (FindUptime(context, state) is not { } monitor) return JsonOut.NotFound(context);
        return JsonOut.Write(context, state.Store.Read(_ => UptimeWriter.Monitor(monitor)));
    }

    /// <summary>Newest first, at most 100 a page.</summary>
    private static Task UptimeChecks(HttpContext context, SandboxState state)
    {
        if (FindUptime(context, state) is not { } monitor) return JsonOut.NotFound(context);
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var (total, body) = state.Store.Read(_ =>
        {
            var checks = monitor.Checks.OrderByDescending(c => c.At).ToList();
            return (checks.Count, JsonOut.Array(checks.Skip(page.Offset).Take(page.Size).Select(c => (JsonNode?)UptimeWriter.Check(monitor, c))));
        });
        LinkHeader.Apply(context, state.BaseUri, page, total);
        return JsonOut.Write(context, body);
    }

    private static UptimeMonitor? FindUptime(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return null;
        if (store.FindProject(OrganizationRoutes.Route(context, "project")) is not { } project) return null;
        return store.FindUptimeMonitor(project, OrganizationRoutes.Route(context, "monitor"));
    }

    private static Task List(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var request = context.Request;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        if (!PageRequest.TryRead(request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var projectIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in request.Query["project"])
        {
            if (p is null or "" or "-1") continue;
            if (store.FindProject(p) is not { } project) return JsonOut.Detail(context, StatusCodes.Status403Forbidden, Messages.Forbidden);
            projectIds.Add(project.Id);
        }
        var environments = Environments(request);
        var text = request.Query["query"].ToString();
        var writer = new MonitorWriter(state.Organizations);
        var now = DateTimeOffset.UtcNow;
        var (total, body) = store.Read(s =>
        {
            var matches = s.Monitors
                .Where(m => projectIds.Count == 0 || projectIds.Contains(m.Project.Id))
                .Where(m => environments.Count == 0 || m.CheckIns.Any(c => environments.Contains(c.Environment)))
                .Where(m => text.Length == 0 || m.Name.Contains(text, StringComparison.OrdinalIgnoreCase) || m.Slug.Contains(text, StringComparison.OrdinalIgnoreCase))
                .OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
            return (matches.Count, JsonOut.Array(matches.Skip(page.Offset).Take(page.Size).Select(m => (JsonNode?)writer.Monitor(m, now, environments))));
        });
        LinkHeader.Apply(context, state.BaseUri, page, total);
        return JsonOut.Write(context, body);
    }

    private static Task Detail(HttpContext context, SandboxState state)
    {
        if (Find(context, state) is not { } monitor) return JsonOut.NotFound(context);
        var writer = new MonitorWriter(state.Organizations);
        return JsonOut.Write(context, state.Store.Read(_ => writer.Monitor(monitor, DateTimeOffset.UtcNow, Environments(context.Request))));
    }

    /// <summary>Newest first, like Sentry.</summary>
    private static Task CheckIns(HttpContext context, SandboxState state)
    {
        if (Find(context, state) is not { } monitor) return JsonOut.NotFound(context);
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var environments = Environments(context.Request);
        var (total, body) = state.Store.Read(_ =>
        {
            var matches = monitor.CheckIns.Where(c => environments.Count == 0 || environments.Contains(c.Environment))
                .OrderByDescending(c => c.DateCreated).ToList();
            return (matches.Count, JsonOut.Array(matches.Skip(page.Offset).Take(page.Size).Select(c => (JsonNode?)MonitorWriter.CheckIn(monitor, c))));
        });
        LinkHeader.Apply(context, state.BaseUri, page, total);
        return JsonOut.Write(context, body);
    }

    private static Model.Monitor? Find(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return null;
        Project? project = null;
        if (context.Request.RouteValues.ContainsKey("project") && (project = store.FindProject(OrganizationRoutes.Route(context, "project"))) is null) return null;
        return store.FindMonitor(OrganizationRoutes.Route(context, "monitor"), project);
    }

    private static HashSet<string> Environments(HttpRequest request) =>
        request.Query["environment"].OfType<string>().Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);
}

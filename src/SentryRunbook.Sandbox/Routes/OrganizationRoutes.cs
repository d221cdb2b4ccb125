using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>listOrganizations, getOrganization, listOrganizationProjects.</summary>
public static class OrganizationRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/", context =>
            WritePage(context, state, [state.Organizations.Summary()])).WithMetadata(RequiredScope.OrgRead);

        app.MapGet("/api/0/organizations/{org}/", context =>
        {
            if (!state.Store.IsOrganization(Route(context, "org"))) return JsonOut.NotFound(context);
            var detailed = context.Request.Query["detailed"].ToString() != "0";
            return JsonOut.Write(context, state.Organizations.Detail(detailed));
        }).WithMetadata(RequiredScope.OrgRead);

        app.MapGet("/api/0/organizations/{org}/projects/", context =>
        {
            if (!state.Store.IsOrganization(Route(context, "org"))) return JsonOut.NotFound(context);
            var text = context.Request.Query["query"].ToString();
            var projects = state.Store.Projects
                .Where(p => text.Length == 0 || p.Slug.Contains(text, StringComparison.OrdinalIgnoreCase) || p.Name.Contains(text, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p.Slug, StringComparer.Ordinal)
                .Select(state.Organizations.Project)
                .ToList();
            return WritePage(context, state, projects);
        }).WithMetadata(RequiredScope.OrgRead);
    }

    internal static string Route(HttpContext context, string name) => context.Request.RouteValues[name]?.ToString() ?? "";

    /// <summary>Offset-paginated list with `per_page` and Sentry's Link header.</summary>
    private static Task WritePage(HttpContext context, SandboxState state, IReadOnlyList<JsonObject> items)
    {
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        LinkHeader.Apply(context, state.BaseUri, page, items.Count);
        return JsonOut.Write(context, JsonOut.Array(items.Skip(page.Offset).Take(page.Size)));
    }
}

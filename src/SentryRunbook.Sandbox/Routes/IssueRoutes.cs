using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>Issue detail (org-scoped and legacy) and the short-id lookup.</summary>
public static class IssueRoutes
{
    private const string DeprecationDate = "2026-05-15";
    private const string Replacement = "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/";

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/issues/{id}/", context =>
        {
            if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
            var issue = state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id"));
            return issue is null
                ? JsonOut.NotFound(context)
                : JsonOut.Write(context, state.Store.Read(_ => state.Issues.Detail(issue, DateTimeOffset.UtcNow)));
        }).WithMetadata(RequiredScope.EventRead);

        app.MapGet("/api/0/organizations/{org}/shortids/{shortId}/", context =>
        {
            if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
            var issue = state.Store.FindByShortId(OrganizationRoutes.Route(context, "shortId"));
            if (issue is null) return JsonOut.NotFound(context);
            var now = DateTimeOffset.UtcNow;
            return JsonOut.Write(context, new JsonObject
            {
                ["organizationSlug"] = state.Store.Organization.Slug,
                ["projectSlug"] = issue.Project.Slug,
                ["groupId"] = issue.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["shortId"] = issue.ShortId,
                ["group"] = state.Store.Read(_ => state.Issues.Row(issue, new RowStats("24h", i => Stats.Hourly(i, now, 24)), filtered: false)),
            });
        }).WithMetadata(RequiredScope.EventRead);

        // Legacy org-less route: numeric ids only, deprecation headers, and a switchable brownout.
        app.MapGet("/api/0/issues/{id}/", context =>
        {
            if (state.Options.LegacyBrownout)
                return JsonOut.Write(context, new JsonObject { ["message"] = Messages.Gone }, StatusCodes.Status410Gone);
            context.Response.Headers["X-Sentry-Deprecation-Date"] = DeprecationDate;
            context.Response.Headers["X-Sentry-Replacement-Endpoint"] = Replacement;
            var raw = OrganizationRoutes.Route(context, "id");
            var issue = raw.All(char.IsAsciiDigit) && long.TryParse(raw, out var id) ? state.Store.FindById(id) : null;
            return issue is null
                ? JsonOut.NotFound(context)
                : JsonOut.Write(context, state.Store.Read(_ => state.Issues.Detail(issue, DateTimeOffset.UtcNow)));
        }).WithMetadata(RequiredScope.EventRead);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.Scenarios;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Who am I and what is there: `GET /api/0/auth/` (the MCP server's whoami), teams, project keys (the DSN),
/// environments and repositories (sentry-cli's `repos list` and `releases set-commits` look repositories up here).
/// </summary>
public static class AccountRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/auth/", context => WhoAmI(context, state));
        app.MapGet("/api/0/organizations/{org}/teams/", context => Teams(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/projects/{org}/{project}/keys/", context => Keys(context, state)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/organizations/{org}/environments/", context => Environments(context, state, projectRoute: false)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/projects/{org}/{project}/environments/", context => Environments(context, state, projectRoute: true)).WithMetadata(RequiredScope.OrgRead);
        app.MapGet("/api/0/organizations/{org}/repos/", context => Repositories(context, state)).WithMetadata(RequiredScope.OrgRead);
    }

    /// <summary>The token's user (Sentry's UserSerializer); an org token has no user, so Sentry answers 400 there.</summary>
    private static Task WhoAmI(HttpContext context, SandboxState state)
    {
        var caller = context.Items[Caller.ItemKey] as Caller ?? Caller.Anonymous;
        return caller.Kind switch
        {
            TokenKind.None => JsonOut.Detail(context, StatusCodes.Status401Unauthorized, Messages.NoCredentials),
            TokenKind.Organization => JsonOut.Detail(context, StatusCodes.Status400BadRequest, "This endpoint requires user info"),
            _ => JsonOut.Write(context, UserWriter.Full(SeedExamples.SandboxUser, state.Store.Organization.DateCreated)),
        };
    }

    private static Task Teams(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var teams = store.Projects.Select(p => p.Team).Append(SeedExamples.MobileTeam).DistinctBy(t => t.Id).OrderBy(t => t.Slug, StringComparer.Ordinal)
            .Select(t => Team(t, store.Projects.Where(p => p.Team.Id == t.Id).ToList(), state)).ToList();
        return WritePage(context, state, teams);
    }

    private static JsonObject Team(Team t, IReadOnlyList<Project> projects, SandboxState state)
    {
        var o = new JsonObject
        {
            ["id"] = t.Id,
            ["slug"] = t.Slug,
            ["name"] = t.Name,
            ["dateCreated"] = Dates.Iso(state.Store.Organization.DateCreated),
            ["isMember"] = true,
            ["teamRole"] = "admin",
            ["flags"] = new JsonObject { ["idp:provisioned"] = false },
            ["access"] = JsonOut.Strings(["event:read", "event:write", "project:read", "project:releases", "team:read"]),
            ["hasAccess"] = true,
            ["isPending"] = false,
            ["memberCount"] = 1,
            ["avatar"] = new JsonObject { ["avatarType"] = "letter_avatar", ["avatarUuid"] = null },
        };
        o["externalTeams"] = new JsonArray();
        o["projects"] = JsonOut.Array(projects.OrderBy(p => p.Slug, StringComparer.Ordinal).Select(p => (JsonNode?)state.Organizations.Project(p)));
        return o;
    }

    /// <summary>The project's one client key: its DSN is what SDKs (and `find_dsns`) need.</summary>
    private static Task Keys(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        if (store.FindProject(OrganizationRoutes.Route(context, "project")) is not { } project) return JsonOut.NotFound(context);
        var uri = new Uri(state.BaseUri);
        var host = uri.Authority;
        // The sandbox keeps no secret keys (ingest checks only the public key); any stable value fills the field.
        var secret = new string(project.PublicKey.Reverse().ToArray());
        var dsn = $"{uri.Scheme}://{project.PublicKey}@{host}/{project.Id}";
        var api = $"{uri.Scheme}://{host}/api/{project.Id}";
        var key = new JsonObject
        {
            ["id"] = project.PublicKey,
            ["name"] = "Default",
            ["label"] = "Default",
            ["public"] = project.PublicKey,
            ["secret"] = secret,
            ["projectId"] = long.Parse(project.Id, CultureInfo.InvariantCulture),
            ["isActive"] = true,
            ["rateLimit"] = null, // no per-key rate limit set
            ["dsn"] = new JsonObject
            {
                ["secret"] = $"{uri.Scheme}://{project.PublicKey}:{secret}@{host}/{project.Id}",
                ["public"] = dsn,
                ["csp"] = $"{api}/csp-report/?sentry_key={project.PublicKey}",
                ["security"] = $"{api}/security/?sentry_key={project.PublicKey}",
                ["minidump"] = $"{api}/minidump/?sentry_key={project.PublicKey}",
                ["nel"] = $"{api}/nel/?sentry_key={project.PublicKey}",
                ["unreal"] = $"{api}/unreal/{project.PublicKey}/",
                ["crons"] = $"{api}/cron/___MONITOR_SLUG___/{project.PublicKey}/",
                ["cdn"] = $"{uri.Scheme}://{host}/js-sdk-loader/{project.PublicKey}.min.js",
                ["playstation"] = $"{api}/playstation/?sentry_key={project.PublicKey}",
                ["integration"] = $"{uri.Scheme}://{host}/api/{project.Id}/integration/",
                ["otlp_traces"] = $"{api}/integration/otlp/v1/traces",
                ["otlp_logs"] = $"{api}/integration/otlp/v1/logs",
            },
            ["browserSdkVersion"] = "latest",
            ["browserSdk"] = new JsonObject { ["choices"] = new JsonArray(new JsonArray("latest", "latest")) },
            ["dateCreated"] = Dates.Iso(project.DateCreated),
            ["dynamicSdkLoaderOptions"] = new JsonObject
            {
                ["hasReplay"] = true, ["hasPerformance"] = true, ["hasDebug"] = false, ["hasFeedback"] = false, ["hasLogsAndMetrics"] = false,
            },
            ["useCase"] = "user",
        };
        return WritePage(context, state, [key]);
    }

    private static Task Environments(HttpContext context, SandboxState state, bool projectRoute)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        IEnumerable<Project> projects = store.Projects;
        if (projectRoute)
        {
            if (store.FindProject(OrganizationRoutes.Route(context, "project")) is not { } project) return JsonOut.NotFound(context);
            projects = [project];
        }
        // Sentry numbers environments org-wide; the sandbox numbers them in name order.
        var all = store.Projects.SelectMany(store.EnvironmentsOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var names = projects.SelectMany(store.EnvironmentsOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var rows = names.Select(name =>
        {
            var o = new JsonObject { ["id"] = (all.IndexOf(name) + 1).ToString(CultureInfo.InvariantCulture), ["name"] = name };
            if (projectRoute) o["isHidden"] = false;
            return (JsonNode?)o;
        });
        return JsonOut.Write(context, JsonOut.Array(rows));
    }

    private static Task Repositories(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var repos = store.AllRepositories().Select(r =>
        {
            var o = CommitWriter.Repository(r);
            o["settings"] = new JsonObject { ["enabledCodeReview"] = false, ["codeReviewTriggers"] = new JsonArray() };
            return o;
        }).ToList();
        return WritePage(context, state, repos);
    }

    private static Task WritePage(HttpContext context, SandboxState state, IReadOnlyList<JsonObject> items)
    {
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        LinkHeader.Apply(context, state.BaseUri, page, items.Count);
        return JsonOut.Write(context, JsonOut.Array(items.Skip(page.Offset).Take(page.Size)));
    }
}

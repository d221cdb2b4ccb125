using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Seer (Sentry's AI) on an issue, answered as for an organization without Seer, and the issue's linked
/// external issues (none: the sandbox has no issue-tracker integrations).
/// Known: the autofix GET answers 200 `{"autofix": null}` when no run exists (Sentry's endpoint tests), and
/// starting autofix or a summary needs the organization's gen-ai feature and Seer consent. Unknown: the
/// exact status and wording Sentry sends when they are missing; the sandbox answers 403 with Sentry's error
/// shape and a detail that says what is missing, so clients take the documented "not available" path.
/// </summary>
public static class SeerRoutes
{
    public const string NotEnabled = "Seer is not enabled for this organization. Enable Generative AI features and Seer in the organization's settings.";

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/issues/{id}/autofix/", context =>
            WithIssue(context, state, () => JsonOut.Write(context, new JsonObject { ["autofix"] = null }))).WithMetadata(RequiredScope.EventRead);
        app.MapPost("/api/0/organizations/{org}/issues/{id}/autofix/", context =>
            WithIssue(context, state, () => JsonOut.Detail(context, StatusCodes.Status403Forbidden, NotEnabled))).WithMetadata(RequiredScope.EventWrite);
        app.MapPost("/api/0/organizations/{org}/issues/{id}/summarize/", context =>
            WithIssue(context, state, () => JsonOut.Detail(context, StatusCodes.Status403Forbidden, NotEnabled))).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/issues/{id}/external-issues/", context =>
            WithIssue(context, state, () => JsonOut.Write(context, new JsonArray()))).WithMetadata(RequiredScope.EventRead);
    }

    private static Task WithIssue(HttpContext context, SandboxState state, Func<Task> answer)
    {
        if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        return state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id")) is null ? JsonOut.NotFound(context) : answer();
    }
}

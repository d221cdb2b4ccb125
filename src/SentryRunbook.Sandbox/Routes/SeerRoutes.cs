using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Seer (Sentry's AI) on an issue: the summary as for an organization with Seer for issues the scenario gives
/// one to, as without Seer otherwise (and for autofix); and the issue's linked external issues (none: the
/// sandbox has no issue-tracker integrations).
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
        app.MapPost("/api/0/organizations/{org}/issues/{id}/summarize/", context => Summarize(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/issues/{id}/external-issues/", context =>
            WithIssue(context, state, () => JsonOut.Write(context, new JsonArray()))).WithMetadata(RequiredScope.EventRead);
    }

    /// <summary>
    /// Seer's summary (src `group_ai_summary.py`: SummarizeIssueResponse through snake_to_camel_case) for an issue the
    /// scenario gives one to; any other issue is answered as for an organization without Seer.
    /// </summary>
    private static Task Summarize(HttpContext context, SandboxState state)
    {
        if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var issue = state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id"));
        if (issue is null) return JsonOut.NotFound(context);
        if (issue.SeerSummary is not { } summary) return JsonOut.Detail(context, StatusCodes.Status403Forbidden, NotEnabled);
        return JsonOut.Write(context, new JsonObject
        {
            ["groupId"] = issue.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["headline"] = summary.Headline,
            ["whatsWrong"] = summary.WhatsWrong,
            ["trace"] = summary.Trace,
            ["possibleCause"] = summary.PossibleCause,
            ["scores"] = new JsonObject
            {
                ["possibleCauseConfidence"] = summary.PossibleCauseConfidence,
                ["possibleCauseNovelty"] = null,
                ["isFixable"] = summary.FixabilityScore is { } f ? f >= 0.5 : null,
                ["fixabilityScore"] = summary.FixabilityScore,
                ["fixabilityScoreVersion"] = summary.FixabilityScore is null ? null : 1,
            },
        });
    }

    private static Task WithIssue(HttpContext context, SandboxState state, Func<Task> answer)
    {
        if (!state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        return state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id")) is null ? JsonOut.NotFound(context) : answer();
    }
}

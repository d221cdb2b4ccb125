using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>Suspect commits of an event (REFERENCE.md §6): committers grouped by author, 404 "No committers found" when none.</summary>
public static class CommitterRoutes
{
    public const string NoCommitters = "No committers found";

    public static void Map(WebApplication app, SandboxState state) =>
        app.MapGet("/api/0/projects/{org}/{project}/events/{eventId}/committers/", context => Handle(context, state)).WithMetadata(RequiredScope.EventRead);

    private static Task Handle(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var project = store.FindProject(OrganizationRoutes.Route(context, "project"));
        if (project is null) return JsonOut.NotFound(context);
        var e = store.FindEvent(project, OrganizationRoutes.Route(context, "eventId"));
        if (e is null) return JsonOut.Detail(context, StatusCodes.Status404NotFound, EventRoutes.EventNotFound);
        var suspects = store.SuspectsFor(e);
        if (suspects.Count == 0) return JsonOut.Detail(context, StatusCodes.Status404NotFound, NoCommitters);

        var joined = store.Organization.DateCreated;
        var committers = suspects.GroupBy(s => s.Commit.Author.Email, StringComparer.OrdinalIgnoreCase).Select(g => (JsonNode?)new JsonObject
        {
            ["author"] = CommitWriter.Author(g.First().Commit.Author, joined),
            ["commits"] = JsonOut.Array(g.Select(s =>
            {
                var c = CommitWriter.Commit(s.Commit);
                c["suspectCommitType"] = s.Type;
                if (s.Score is { } score) c["score"] = score;
                return (JsonNode?)c;
            })),
        });
        return JsonOut.Write(context, new JsonObject { ["committers"] = JsonOut.Array(committers) });
    }
}

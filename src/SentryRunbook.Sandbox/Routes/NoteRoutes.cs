using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.Scenarios;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>Issue notes (`/comments/`, alias `/notes/`) and the activity log (`/activities/`), REFERENCE.md §5.</summary>
public static class NoteRoutes
{
    public const string NoOrgTokenNotes = "Key doesn't have permission to create Note";
    public const string DuplicateNote = "You have already posted that comment.";

    public static void Map(WebApplication app, SandboxState state)
    {
        foreach (var name in new[] { "comments", "notes" })
        {
            app.MapGet($"/api/0/organizations/{{org}}/issues/{{id}}/{name}/", context => List(context, state)).WithMetadata(RequiredScope.EventRead);
            app.MapPost($"/api/0/organizations/{{org}}/issues/{{id}}/{name}/", context => Create(context, state))
                .WithMetadata(RequiredScope.EventWrite, new UserOnly(NoOrgTokenNotes));
        }
        app.MapGet("/api/0/organizations/{org}/issues/{id}/activities/", context => Activities(context, state)).WithMetadata(RequiredScope.EventRead);
    }

    private static Issue? Find(HttpContext context, SandboxState state) =>
        state.Store.IsOrganization(OrganizationRoutes.Route(context, "org")) ? state.Store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id")) : null;

    private static Task List(HttpContext context, SandboxState state)
    {
        var issue = Find(context, state);
        if (issue is null) return JsonOut.NotFound(context);
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var joined = state.Store.Organization.DateCreated;
        var (total, body) = state.Store.Read(_ =>
        {
            var notes = issue.Activities.Where(a => a.Type == "note").OrderByDescending(a => a.DateCreated).ThenByDescending(a => a.Id).ToList();
            return (notes.Count, JsonOut.Array(notes.Skip(page.Offset).Take(page.Size).Select(a => (JsonNode?)ActivityWriter.Item(a, joined))));
        });
        LinkHeader.Apply(context, state.BaseUri, page, total);
        return JsonOut.Write(context, body);
    }

    private static async Task Create(HttpContext context, SandboxState state)
    {
        var issue = Find(context, state);
        if (issue is null)
        {
            await JsonOut.NotFound(context);
            return;
        }
        var text = await IssueMutationRoutes.ReadBody(context);
        string? note = null;
        var errors = new JsonObject();
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out var t) || t.ValueKind == JsonValueKind.Null)
                IssueUpdate.Add(errors, "text", "This field is required.");
            else if (t.ValueKind != JsonValueKind.String || t.GetString()!.Trim().Length == 0)
                IssueUpdate.Add(errors, "text", "This field may not be blank.");
            else note = t.GetString();

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("mentions", out var mentions) && mentions.ValueKind == JsonValueKind.Array)
            {
                foreach (var m in mentions.EnumerateArray())
                {
                    var mention = m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText();
                    if (mention.StartsWith("team:", StringComparison.Ordinal) && mention != "team:" + SeedExamples.BackendTeam.Id)
                        IssueUpdate.Add(errors, "mentions", "Mentioned team not found or not associated with project");
                    else if (!mention.StartsWith("team:", StringComparison.Ordinal) && IssueMutationRoutes.ResolveActor(mention, out _) is not { Type: "user" })
                        IssueUpdate.Add(errors, "mentions", "Cannot mention a non team member");
                }
            }
        }
        catch (JsonException ex)
        {
            await JsonOut.Detail(context, StatusCodes.Status400BadRequest, "JSON parse error - " + ex.Message);
            return;
        }
        if (errors.Count > 0)
        {
            await JsonOut.Write(context, errors, StatusCodes.Status400BadRequest);
            return;
        }

        var created = state.Store.AddNote(issue, note!, SeedExamples.SandboxUser, DateTimeOffset.UtcNow);
        if (created is null)
        {
            await JsonOut.Detail(context, StatusCodes.Status400BadRequest, DuplicateNote);
            return;
        }
        await JsonOut.Write(context, ActivityWriter.Item(created, state.Store.Organization.DateCreated), StatusCodes.Status201Created);
    }

    /// <summary>`{"activity": [...]}`, newest first, every type (first_seen, notes, status changes, regressions…).</summary>
    private static Task Activities(HttpContext context, SandboxState state)
    {
        var issue = Find(context, state);
        if (issue is null) return JsonOut.NotFound(context);
        var joined = state.Store.Organization.DateCreated;
        var items = state.Store.Read(_ => JsonOut.Array(issue.Activities.OrderByDescending(a => a.DateCreated).ThenByDescending(a => a.Id).Select(a => (JsonNode?)ActivityWriter.Item(a, joined))));
        return JsonOut.Write(context, new JsonObject { ["activity"] = items });
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Webhooks;

/// <summary>
/// The integration-platform bodies of REFERENCE.md §12: `{action, installation {uuid}, data, actor}`. Issue
/// deliveries carry the REST issue (camelCase) plus url/web_url/project_url; issue alerts and errors the raw
/// event (snake_case, tags as [key, value] pairs); notes a flat object with integer ids.
/// </summary>
public sealed class WebhookPayloads(SandboxState state, WebhookSettings settings)
{
    private string Organization => state.Store.Organization.Slug;

    public JsonObject Envelope(string action, JsonObject data, Assignee? actor) => new()
    {
        ["action"] = action,
        ["installation"] = new JsonObject { ["uuid"] = settings.InstallationUuid },
        ["data"] = data,
        ["actor"] = Actor(actor),
    };

    /// <summary>Automatic actions are Sentry's own; a person's are `{"type": "user", "id": int, "name"}`.</summary>
    private static JsonObject Actor(Assignee? actor) => actor is null
        ? new JsonObject { ["type"] = "application", ["id"] = "sentry", ["name"] = "Sentry" }
        : new JsonObject { ["type"] = "user", ["id"] = long.TryParse(actor.Id, out var id) ? JsonValue.Create(id) : JsonValue.Create(actor.Id), ["name"] = actor.Name };

    public JsonObject Issue(Issue issue)
    {
        var o = state.Issues.Issue(issue);
        o["url"] = $"{state.BaseUri}/api/0/organizations/{Organization}/issues/{issue.Id}/";
        o["web_url"] = state.Issues.Permalink(issue);
        o["project_url"] = $"{state.BaseUri}/organizations/{Organization}/issues/?project={issue.Project.Id}";
        return new JsonObject { ["issue"] = o };
    }

    public JsonObject EventAlert(ErrorEvent e, string rule) => new()
    {
        ["event"] = RawEvent(e),
        ["triggered_rule"] = rule,
        ["issue_alert"] = new JsonObject { ["title"] = rule, ["settings"] = new JsonArray() },
    };

    public JsonObject Error(ErrorEvent e) => new() { ["error"] = RawEvent(e) };

    public JsonObject Comment(Issue issue, Activity note) => new()
    {
        ["comment_id"] = note.Id,
        ["issue_id"] = issue.Id,
        ["project_slug"] = issue.Project.Slug,
        ["timestamp"] = Dates.Iso(note.DateCreated),
        ["comment"] = note.Data.GetValueOrDefault("text"),
    };

    /// <summary>The event as Sentry stores it (the SDK protocol, snake_case), with the URLs Sentry adds.</summary>
    public JsonObject RawEvent(ErrorEvent e)
    {
        var issueId = e.Issue.Id.ToString(CultureInfo.InvariantCulture);
        var o = new JsonObject
        {
            ["event_id"] = e.EventId,
            ["project"] = long.TryParse(e.Project.Id, out var projectId) ? JsonValue.Create(projectId) : JsonValue.Create(e.Project.Id),
            ["release"] = e.Release,
            ["dist"] = e.Dist,
            ["platform"] = e.Platform,
            ["message"] = e.Message ?? "",
            ["datetime"] = e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture),
            ["tags"] = new JsonArray(e.Tags.Select(t => (JsonNode?)new JsonArray(t.Key, t.Value)).ToArray()),
            ["contexts"] = ParseObject(e.ContextsJson),
            ["culprit"] = e.Culprit,
            ["environment"] = e.Environment,
            ["exception"] = e.Exceptions.Count == 0 ? null : new JsonObject { ["values"] = new JsonArray(e.Exceptions.Select(x => (JsonNode?)Exception(x)).ToArray()) },
            ["fingerprint"] = new JsonArray((e.Fingerprint ?? ["{{ default }}"]).Select(f => (JsonNode?)f).ToArray()),
            ["hashes"] = new JsonArray(e.Hash),
            ["level"] = e.Level,
            ["location"] = e.MainException?.InnermostInApp?.Filename,
            ["logger"] = e.Logger ?? "",
            ["metadata"] = EventWriter.Metadata(e.Metadata),
            ["received"] = e.Received.ToUnixTimeMilliseconds() / 1000.0,
            ["sdk"] = e.Sdk is null ? null : new JsonObject { ["name"] = e.Sdk.Name, ["version"] = e.Sdk.Version },
            ["timestamp"] = e.Timestamp.ToUnixTimeMilliseconds() / 1000.0,
            ["title"] = e.Title,
            ["type"] = e.Type,
            ["user"] = e.User is null ? null : new JsonObject { ["id"] = e.User.Id, ["email"] = e.User.Email, ["username"] = e.User.Username, ["ip_address"] = e.User.IpAddress },
            ["version"] = "7",
            ["url"] = $"{state.BaseUri}/api/0/projects/{Organization}/{e.Project.Slug}/events/{e.EventId}/",
            ["web_url"] = $"{state.BaseUri}/organizations/{Organization}/issues/{issueId}/events/{e.EventId}/",
            ["issue_url"] = $"{state.BaseUri}/api/0/issues/{issueId}/",
            ["issue_id"] = issueId,
        };
        return o;
    }

    private static JsonObject Exception(ExceptionValue x) => new()
    {
        ["type"] = x.Type,
        ["value"] = x.Value,
        ["module"] = x.Module,
        ["mechanism"] = x.Mechanism is null ? null : new JsonObject { ["type"] = x.Mechanism.Type, ["handled"] = x.Mechanism.Handled },
        ["stacktrace"] = new JsonObject
        {
            ["frames"] = new JsonArray(x.Frames.Select(f => (JsonNode?)new JsonObject
            {
                ["function"] = f.Function,
                ["module"] = f.Module,
                ["filename"] = f.Filename,
                ["abs_path"] = f.AbsPath,
                ["lineno"] = f.LineNo,
                ["colno"] = f.ColNo,
                ["in_app"] = f.InApp,
                ["context_line"] = f.ContextLine,
                ["pre_context"] = f.PreContext is null ? null : new JsonArray(f.PreContext.Select(l => (JsonNode?)l).ToArray()),
                ["post_context"] = f.PostContext is null ? null : new JsonArray(f.PostContext.Select(l => (JsonNode?)l).ToArray()),
            }).ToArray()),
        },
    };

    private static JsonObject ParseObject(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new JsonObject();
        try { return JsonNode.Parse(json) as JsonObject ?? new JsonObject(); }
        catch (System.Text.Json.JsonException) { return new JsonObject(); }
    }
}

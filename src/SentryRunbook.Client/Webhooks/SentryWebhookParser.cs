using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SentryRunbook.Client.Json;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Webhooks
{
    /// <summary>
    /// Turns an integration-platform delivery (REFERENCE.md §12) into a <see cref="SentryAlert"/>. Issue alerts
    /// and errors carry the raw event (snake_case, tags as pairs), issue deliveries the REST issue (camelCase),
    /// metric alerts the incident, notes a flat object. Text is kept exactly as sent: it is data, never markup.
    /// </summary>
    public static class SentryWebhookParser
    {
        // The event's API URL: /api/0/projects/{org}/{project}/events/{id}/ names the project slug the raw event lacks.
        private static readonly Regex ProjectEventUrl = new Regex(@"/api/0/projects/[^/]+/(?<project>[^/]+)/events/", RegexOptions.CultureInvariant);

        /// <param name="body">The body as received.</param>
        /// <param name="resource">The Sentry-Hook-Resource header.</param>
        public static SentryAlert Parse(string body, string? resource, string? requestId, DateTimeOffset? sentAt, bool verified)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw Malformed($"The body is not JSON ({ex.Message}).", ex);
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw Malformed("The body is not a JSON object.");
                string? action = root.String("action");
                if (string.IsNullOrEmpty(action)) throw Malformed("The body has no 'action'.");
                if (!(root.Property("data") is JsonElement data) || data.ValueKind != JsonValueKind.Object) throw Malformed("The body has no 'data' object.");
                if (string.IsNullOrWhiteSpace(resource)) throw Malformed("The Sentry-Hook-Resource header is missing.");

                string kind = resource!.Trim().ToLowerInvariant();
                string? actor = root.Property("actor")?.String("name");
                string? installation = root.Property("installation")?.String("uuid");
                IReadOnlyDictionary<string, object?> dataValue = (IReadOnlyDictionary<string, object?>)ToValue(data)!;

                var fields = kind switch
                {
                    "event_alert" => FromEvent(Required(data, "event", kind), data.String("triggered_rule")),
                    "error" => FromEvent(Required(data, "error", kind), null),
                    "issue" => FromIssue(Required(data, "issue", kind)),
                    "metric_alert" => FromMetricAlert(data),
                    "comment" => FromComment(data),
                    _ => new Fields(), // installation, seer, preprod_artifact and whatever comes next: Resource, Action and Data still hold.
                };

                return new SentryAlert(
                    kind, action!, fields.IssueId, fields.ShortId, fields.Project, fields.Environment, fields.Level, fields.Title,
                    fields.Culprit, fields.WebUrl, fields.RuleName, requestId, sentAt, verified, dataValue,
                    fields.EventId, actor, installation);
            }
        }

        /// <summary>
        /// The identity of the alert, as opposed to the HTTP request: Sentry gives a retry a new Request-ID,
        /// so a re-delivery is recognised by what it is about. Null when no field identifies it alone; the
        /// caller then uses the signed bytes.
        /// </summary>
        public static string? AlertKey(SentryAlert alert)
        {
            switch (alert.Resource)
            {
                case "event_alert" when alert.EventId != null:
                    // One event can trip two rules; each rule's alert is its own page.
                    return "event_alert/" + alert.EventId + "/" + (alert.RuleName ?? string.Empty);
                case "error" when alert.EventId != null:
                    return "error/" + alert.EventId;
                case "issue" when alert.IssueId != null && alert.Action == "created":
                    return "issue/" + alert.IssueId + "/created"; // an issue is created once
                case "comment" when alert.Action != "updated" && alert.Data.TryGetValue("comment_id", out object? commentId) && commentId != null:
                    return "comment/" + Convert.ToString(commentId, CultureInfo.InvariantCulture) + "/" + alert.Action;
                case "installation" when alert.InstallationId != null:
                    return "installation/" + alert.InstallationId + "/" + alert.Action;
                default:
                    return null; // status changes and metric alerts may legitimately repeat: their signed bytes tell them apart
            }
        }

        private sealed class Fields
        {
            public string? IssueId;
            public string? ShortId;
            public string? Project;
            public string? Environment;
            public string? Level;
            public string? Title;
            public string? Culprit;
            public string? WebUrl;
            public string? RuleName;
            public string? EventId;
        }

        private static JsonElement Required(JsonElement data, string name, string resource) =>
            data.Property(name) is JsonElement value && value.ValueKind == JsonValueKind.Object
                ? value
                : throw Malformed($"A '{resource}' delivery has no 'data.{name}' object.");

        private static Fields FromEvent(JsonElement e, string? rule)
        {
            string? project = null;
            string? apiUrl = e.String("url");
            if (apiUrl != null && ProjectEventUrl.Match(apiUrl) is Match m && m.Success) project = Uri.UnescapeDataString(m.Groups["project"].Value);
            return new Fields
            {
                IssueId = e.String("issue_id") ?? e.String("group_id"),
                EventId = e.String("event_id") ?? e.String("id"),
                Project = project ?? e.String("project"),
                Environment = e.String("environment") ?? Tag(e, "environment"),
                Level = e.String("level") ?? Tag(e, "level"),
                Title = e.String("title") ?? e.String("message"),
                Culprit = e.String("culprit"),
                WebUrl = e.String("web_url"),
                RuleName = rule,
            };
        }

        /// <summary>Raw events carry tags as [key, value] pairs (older payloads: {key, value} objects).</summary>
        private static string? Tag(JsonElement e, string key)
        {
            if (!(e.Property("tags") is JsonElement tags) || tags.ValueKind != JsonValueKind.Array) return null;
            foreach (JsonElement tag in tags.EnumerateArray())
            {
                if (tag.ValueKind == JsonValueKind.Array && tag.GetArrayLength() >= 2 && tag[0].ValueKind == JsonValueKind.String && tag[0].GetString() == key)
                    return tag[1].ValueKind == JsonValueKind.String ? tag[1].GetString() : null;
                if (tag.ValueKind == JsonValueKind.Object && tag.String("key") == key) return tag.String("value");
            }

            return null;
        }

        private static Fields FromIssue(JsonElement issue) => new Fields
        {
            IssueId = issue.String("id"),
            ShortId = issue.String("shortId"),
            Project = issue.Property("project")?.String("slug"),
            Level = issue.String("level"),
            Title = issue.String("title"),
            Culprit = issue.String("culprit"),
            WebUrl = issue.String("web_url") ?? issue.String("permalink"),
        };

        private static Fields FromMetricAlert(JsonElement data)
        {
            JsonElement? incident = data.Property("metric_alert");
            JsonElement? rule = incident?.Property("alert_rule");
            string? project = null;
            if (incident?.Property("projects") is JsonElement projects && projects.ValueKind == JsonValueKind.Array && projects.GetArrayLength() > 0 && projects[0].ValueKind == JsonValueKind.String)
                project = projects[0].GetString();
            return new Fields
            {
                Project = project,
                Environment = rule?.String("environment"),
                Title = data.String("description_title") ?? incident?.String("title"),
                WebUrl = data.String("web_url"),
                RuleName = rule?.String("name"),
            };
        }

        private static Fields FromComment(JsonElement data) => new Fields
        {
            IssueId = data.String("issue_id"),
            Project = data.String("project_slug"),
        };

        /// <summary>JSON as plain .NET values PowerShell reads naturally: dictionaries (insertion order), lists, strings, numbers, booleans.</summary>
        internal static object? ToValue(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new SentryDataMap();
                    foreach (JsonProperty property in element.EnumerateObject()) map.Set(property.Name, ToValue(property.Value));
                    return map;
                case JsonValueKind.Array:
                    var list = new List<object?>();
                    foreach (JsonElement item in element.EnumerateArray()) list.Add(ToValue(item));
                    return list.ToArray();
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.Number:
                    if (element.TryGetInt64(out long integer)) return integer;
                    return element.GetDouble();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                default:
                    return null;
            }
        }

        internal static SentryWebhookException Malformed(string problem, Exception? inner = null) =>
            new SentryWebhookException(
                SentryWebhookException.Malformed,
                "The webhook delivery is not a Sentry integration-platform payload: " + problem,
                "Pass the request body exactly as received (-Body, or -WebhookData as Azure Automation hands it) with its headers, including Sentry-Hook-Resource.",
                inner);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Json
{
    /// <summary>
    /// Reads the event object of the issue-event and project-event endpoints (REFERENCE.md §3.4): the
    /// REST shape with <c>entries</c>, and tolerates the raw SDK shape (snake_case frames, tags as pairs).
    /// </summary>
    internal static class EventReader
    {
        public static SentryEvent Read(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Object) throw new JsonException("an event is not a JSON object");
            string eventId = e.String("eventID") ?? e.String("id") ?? e.String("event_id") ?? throw new JsonException("an event has no id");

            IReadOnlyDictionary<string, string> tags = Tags(e.Property("tags"));
            var exceptions = new List<SentryExceptionInfo>();
            var breadcrumbs = new List<SentryBreadcrumb>();
            SentryRequestInfo? request = null;
            string? message = NonEmpty(e.String("message"));

            if (e.Property("entries") is JsonElement entries && entries.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement entry in entries.EnumerateArray())
                {
                    JsonElement? data = entry.Property("data");
                    switch (entry.String("type"))
                    {
                        case "exception":
                            exceptions.AddRange(Exceptions(data?.Property("values")));
                            break;
                        case "stacktrace":
                            exceptions.Add(new SentryExceptionInfo(null, null, null, null, null, Frames(data)));
                            break;
                        case "breadcrumbs":
                            breadcrumbs.AddRange(Breadcrumbs(data?.Property("values")));
                            break;
                        case "request":
                            request = Request(data);
                            break;
                        case "message":
                            message ??= NonEmpty(data?.String("formatted")) ?? NonEmpty(data?.String("message"));
                            break;
                    }
                }
            }
            else
            {
                // Raw protocol: exception/breadcrumbs/request at the top level.
                exceptions.AddRange(Exceptions(e.Property("exception")?.Property("values")));
                JsonElement? crumbs = e.Property("breadcrumbs");
                breadcrumbs.AddRange(Breadcrumbs(crumbs?.ValueKind == JsonValueKind.Object ? crumbs?.Property("values") : crumbs));
                if (e.Property("request") is JsonElement raw) request = Request(raw);
            }

            string? release = e.Property("release") is JsonElement r
                ? (r.ValueKind == JsonValueKind.String ? r.GetString() : r.String("version"))
                : null;

            return new SentryEvent(
                eventId,
                e.String("groupID") ?? e.String("issue_id"),
                e.String("projectID") ?? e.String("project"),
                e.Date("dateCreated") ?? JsonFlatten.Timestamp(e.Property("timestamp")),
                e.String("title"),
                message,
                e.String("platform"),
                release ?? Tag(tags, "release"),
                e.String("environment") ?? Tag(tags, "environment"),
                Tag(tags, "transaction") ?? e.String("transaction"),
                exceptions,
                breadcrumbs,
                tags,
                User(e.Property("user")),
                Contexts(e.Property("contexts")),
                JsonFlatten.Map(e.Property("context") ?? e.Property("extra")),
                request,
                e.Property("sdk") is JsonElement sdk ? new SentrySdkInfo(sdk.String("name"), sdk.String("version")) : null);
        }

        private static string? NonEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

        private static string? Tag(IReadOnlyDictionary<string, string> tags, string key) => tags.TryGetValue(key, out string? value) ? value : null;

        /// <summary>REST: <c>[{key, value}]</c>; raw and webhooks: <c>[[key, value]]</c>; some SDK payloads: an object.</summary>
        internal static IReadOnlyDictionary<string, string> Tags(JsonElement? tags)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (tags is not JsonElement t) return map;
            if (t.ValueKind == JsonValueKind.Object) return JsonFlatten.Map(t);
            if (t.ValueKind != JsonValueKind.Array) return map;
            foreach (JsonElement tag in t.EnumerateArray())
            {
                if (tag.ValueKind == JsonValueKind.Object && tag.String("key") is string key)
                {
                    map[key] = tag.String("value") ?? string.Empty;
                }
                else if (tag.ValueKind == JsonValueKind.Array && tag.GetArrayLength() >= 2)
                {
                    map[JsonFlatten.Text(tag[0])] = JsonFlatten.Text(tag[1]);
                }
            }

            return map;
        }

        private static IEnumerable<SentryExceptionInfo> Exceptions(JsonElement? values)
        {
            if (values is not JsonElement list || list.ValueKind != JsonValueKind.Array) yield break;
            foreach (JsonElement x in list.EnumerateArray())
            {
                JsonElement? mechanism = x.Property("mechanism");
                bool? handled = mechanism?.Property("handled") is JsonElement h && (h.ValueKind == JsonValueKind.True || h.ValueKind == JsonValueKind.False)
                    ? h.GetBoolean()
                    : (bool?)null;
                yield return new SentryExceptionInfo(x.String("type"), x.String("value"), x.String("module"), handled, mechanism?.String("type"), Frames(x.Property("stacktrace")));
            }
        }

        private static IReadOnlyList<SentryFrame> Frames(JsonElement? stacktrace)
        {
            if (stacktrace?.Property("frames") is not JsonElement frames || frames.ValueKind != JsonValueKind.Array) return Array.Empty<SentryFrame>();
            return frames.EnumerateArray().Select(f =>
            {
                int? line = Int(f.Property("lineNo") ?? f.Property("lineno"));
                return new SentryFrame(
                    f.String("function"),
                    f.String("module"),
                    f.String("filename"),
                    f.String("absPath") ?? f.String("abs_path"),
                    line,
                    Int(f.Property("colNo") ?? f.Property("colno")),
                    (f.Property("inApp") ?? f.Property("in_app"))?.ValueKind == JsonValueKind.True,
                    f.String("context_line") ?? ContextLine(f.Property("context"), line));
            }).ToList();
        }

        /// <summary>REST frames carry <c>context</c> as <c>[[lineNo, text], ...]</c>; the frame's own line is the one wanted.</summary>
        private static string? ContextLine(JsonElement? context, int? line)
        {
            if (line is null || context is not JsonElement c || c.ValueKind != JsonValueKind.Array) return null;
            foreach (JsonElement pair in c.EnumerateArray())
            {
                if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() >= 2 && Int(pair[0]) == line) return JsonFlatten.Text(pair[1]);
            }

            return null;
        }

        private static int? Int(JsonElement? value) => JsonRead.AsInt64(value) is long l && l >= int.MinValue && l <= int.MaxValue ? (int)l : (int?)null;

        private static IEnumerable<SentryBreadcrumb> Breadcrumbs(JsonElement? values)
        {
            if (values is not JsonElement list || list.ValueKind != JsonValueKind.Array) yield break;
            foreach (JsonElement b in list.EnumerateArray())
            {
                yield return new SentryBreadcrumb(
                    JsonFlatten.Timestamp(b.Property("timestamp")),
                    b.String("type"),
                    b.String("category"),
                    b.String("level"),
                    b.String("message"),
                    JsonFlatten.Map(b.Property("data")));
            }
        }

        private static SentryRequestInfo? Request(JsonElement? data)
        {
            if (data is not JsonElement d || d.ValueKind != JsonValueKind.Object) return null;
            return new SentryRequestInfo(d.String("url"), d.String("method"), d.Property("data") is JsonElement body ? JsonFlatten.Text(body) : null);
        }

        private static SentryUser? User(JsonElement? user)
        {
            if (user is not JsonElement u || u.ValueKind != JsonValueKind.Object) return null;
            return new SentryUser(u.String("id"), u.String("email"), u.String("username"), u.String("ip_address"), u.String("name"));
        }

        private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Contexts(JsonElement? contexts)
        {
            var map = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            if (contexts is JsonElement c && c.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty context in c.EnumerateObject())
                {
                    map[context.Name] = JsonFlatten.Map(context.Value);
                }
            }

            return map;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Xml;
using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Rendering
{
    /// <summary>
    /// Lays a message out once as a heading and labelled fields made of segments (our own words, untrusted
    /// text, links), then writes that layout for each target with the target's escaping (see <see cref="MessageEscaping"/>).
    /// </summary>
    internal sealed class MessageRenderer
    {
        /// <summary>Slack: a section's text holds at most 3,000 characters; values are cut well below.</summary>
        private const int SlackSectionLimit = 3000;
        private const int SlackValueLimit = 1000;
        private const int TeamsValueLimit = 2000;
        private const int PagerDutySummaryLimit = 1024;

        private readonly IncidentMessage _m;
        private readonly string? _issueLink;
        private readonly string? _postmortemLink;

        public MessageRenderer(IncidentMessage message)
        {
            _m = message;
            _issueLink = MessageEscaping.SafeUrl(message.IssueUrl);
            _postmortemLink = MessageEscaping.SafeUrl(message.PostmortemUrl);
        }

        private enum Part
        {
            Ours,
            Untrusted,
            Link,
        }

        /// <summary>A piece of a field's value. For a link, <see cref="Text"/> is the link text (untrusted) and <see cref="Url"/> a checked http(s) URL.</summary>
        private readonly struct Segment
        {
            public Segment(Part part, string text, string? url = null)
            {
                Kind = part;
                Text = text;
                Url = url;
            }

            public Part Kind { get; }
            public string Text { get; }
            public string? Url { get; }
        }

        private sealed class Field
        {
            public Field(string label, params Segment[] value)
            {
                Label = label;
                Value = value;
            }

            public string Label { get; }
            public IReadOnlyList<Segment> Value { get; }
        }

        private static Segment Ours(string text) => new Segment(Part.Ours, text);

        private static Segment Untrusted(string text) => new Segment(Part.Untrusted, text);

        private string KindWord => _m.Kind == "Initial" ? "INCIDENT" : _m.Kind == "Update" ? "UPDATE" : "RESOLVED";

        private string HeadingText => KindWord + " \u2014 " + _m.Service;

        // ---- layout -------------------------------------------------------------------------------

        private IReadOnlyList<Field> Fields()
        {
            var fields = new List<Field>();
            if (_m.Kind == "Resolution")
            {
                fields.Add(new Field("Duration", Ours(_m.Duration is TimeSpan d ? FormatDuration(d) : "unknown")));
                fields.Add(new Field("Root Cause", _m.RootCause is string cause ? Untrusted(cause) : Ours("Under investigation")));
                fields.Add(new Field("Fix Applied", _m.FixApplied is string fix ? Untrusted(fix) : Ours("not given")));
                Segment postmortem = _postmortemLink is string pm ? new Segment(Part.Link, pm, pm)
                    : _m.PostmortemUrl is string raw ? Untrusted(raw)
                    : Ours("to be written");
                fields.Add(new Field("Postmortem", postmortem, Ours(" \u2014 due within 48 hours" + (_m.PostmortemDue is DateTimeOffset due ? " (" + FormatTime(due) + ")" : string.Empty))));
                AddIssue(fields);
                AddMembers(fields);
                return fields;
            }

            fields.Add(new Field("Status", Untrusted(_m.Status)));
            if (_m.Severity is string severity)
            {
                fields.Add(_m.Response is string response
                    ? new Field("Severity", Ours(severity + " (respond within "), Untrusted(response.ToLowerInvariant()), Ours(")"))
                    : new Field("Severity", Ours(severity)));
            }

            fields.Add(new Field("Impact", _m.Impact is string impact ? Untrusted(impact) : Ours("Under investigation")));
            if (_m.Kind == "Initial")
            {
                fields.Add(new Field("Started", Ours(_m.Started is DateTimeOffset started ? FormatTime(started) : "unknown")));
            }
            else if (_m.Progress is string progress)
            {
                fields.Add(new Field("Progress", Untrusted(progress)));
            }

            AddIssue(fields);
            AddMembers(fields);
            fields.Add(new Field("Incident Lead", Lead()));
            if (_m.UpdateEvery is TimeSpan every && _m.NextUpdate is DateTimeOffset next)
            {
                fields.Add(new Field("Next update", Ours(DescribeCadence(every) + " (" + FormatClock(next, _m.CreatedAt) + ")")));
            }

            return fields;
        }

        private Segment Lead()
        {
            if (_m.IncidentLead is string lead) return Untrusted(lead.StartsWith("@", StringComparison.Ordinal) ? lead : "@" + lead);
            return Ours("@on-call engineer");
        }

        /// <summary>The first members of an incident of many issues, and how many more.</summary>
        private void AddMembers(List<Field> fields)
        {
            if (_m.Members.Count == 0) return;
            const int Shown = 10;
            string listed = string.Join("; ", _m.Members.Take(Shown));
            fields.Add(new Field($"Issues ({_m.Members.Count})", Untrusted(listed), Ours(_m.Members.Count > Shown ? $"; and {_m.Members.Count - Shown} more" : string.Empty)));
        }

        private void AddIssue(List<Field> fields)
        {
            string? label = IssueLabel();
            if (label is null && _m.IssueUrl is null) return;
            if (_issueLink is string url)
            {
                fields.Add(new Field("Sentry Issue", new Segment(Part.Link, label ?? url, url)));
            }
            else
            {
                string text = label is null ? _m.IssueUrl! : _m.IssueUrl is null ? label : label + " \u2014 " + _m.IssueUrl;
                fields.Add(new Field("Sentry Issue", Untrusted(text)));
            }
        }

        /// <summary>"WEB-1: Title", "WEB-1", "Title" or null.</summary>
        private string? IssueLabel()
        {
            string? id = _m.ShortId ?? _m.IssueId;
            if (id is null) return _m.Title;
            return _m.Title is null ? id : id + ": " + _m.Title;
        }

        // ---- plain text and Markdown --------------------------------------------------------------

        public string Text()
        {
            var sb = new StringBuilder();
            sb.Append(HeadingText);
            foreach (Field field in Fields())
            {
                sb.Append('\n').Append(field.Label).Append(": ");
                foreach (Segment s in field.Value)
                {
                    // A link keeps its text and shows the address after it, unless the text is the address.
                    sb.Append(s.Text);
                    if (s.Kind == Part.Link && s.Text != s.Url) sb.Append(" \u2014 ").Append(s.Url);
                }
            }

            return sb.ToString();
        }

        public string Markdown()
        {
            var sb = new StringBuilder();
            sb.Append("## ").Append(KindWord).Append(" \u2014 ").Append(MessageEscaping.Markdown(_m.Service)).Append("\n");
            foreach (Field field in Fields())
            {
                sb.Append("\n- **").Append(field.Label).Append(":** ");
                foreach (Segment s in field.Value)
                {
                    if (s.Kind == Part.Ours) sb.Append(s.Text);
                    else if (s.Kind == Part.Untrusted) sb.Append(MessageEscaping.Markdown(s.Text));
                    else sb.Append('[').Append(MessageEscaping.Markdown(s.Text)).Append("](").Append(MessageEscaping.MarkdownUrl(s.Url!)).Append(')');
                }
            }

            return sb.Append('\n').ToString();
        }

        // ---- Slack --------------------------------------------------------------------------------

        /// <summary>Slack Block Kit: a bold heading section, the fields as <c>*Label:* value</c> lines, the environment as context and link buttons.</summary>
        public string Slack()
        {
            var lines = new List<string>();
            foreach (Field field in Fields())
            {
                var line = new StringBuilder("*").Append(field.Label).Append(":* ");
                foreach (Segment s in field.Value)
                {
                    if (s.Kind == Part.Ours) line.Append(MessageEscaping.Slack(s.Text));
                    else if (s.Kind == Part.Untrusted) line.Append(MessageEscaping.Slack(s.Text, SlackValueLimit));
                    else line.Append('<').Append(MessageEscaping.SlackUrl(s.Url!)).Append('|').Append(MessageEscaping.Slack(s.Text, SlackValueLimit)).Append('>');
                }

                lines.Add(line.ToString());
            }

            var json = new JsonWriter().BeginObject();
            json.Property("text", MessageEscaping.Slack(Fallback(), SlackValueLimit));
            json.Name("blocks").BeginArray();
            SlackSection(json, "*" + KindWord + " \u2014 " + MessageEscaping.Slack(_m.Service, 200) + "*");

            // Lines go into as few sections as fit Slack's limit; each line is well below it.
            var section = new StringBuilder();
            foreach (string line in lines)
            {
                if (section.Length > 0 && section.Length + 1 + line.Length > SlackSectionLimit)
                {
                    SlackSection(json, section.ToString());
                    section.Clear();
                }

                if (section.Length > 0) section.Append('\n');
                section.Append(line);
            }

            if (section.Length > 0) SlackSection(json, section.ToString());

            if (_m.Environment is string environment)
            {
                json.BeginObject().Property("type", "context").Name("elements").BeginArray();
                SlackText(json, "Environment: " + MessageEscaping.Slack(environment, 200));
                json.EndArray().EndObject();
            }

            var buttons = Buttons();
            if (buttons.Count > 0)
            {
                json.BeginObject().Property("type", "actions").Name("elements").BeginArray();
                foreach (KeyValuePair<string, string> button in buttons)
                {
                    json.BeginObject().Property("type", "button")
                        .Name("text").BeginObject().Property("type", "plain_text").Property("text", button.Key).EndObject()
                        .Property("url", button.Value).EndObject();
                }

                json.EndArray().EndObject();
            }

            return json.EndArray().EndObject().ToString();
        }

        private static void SlackSection(JsonWriter json, string mrkdwn)
        {
            json.BeginObject().Property("type", "section").Name("text");
            SlackText(json, mrkdwn);
            json.EndObject();
        }

        private static void SlackText(JsonWriter json, string mrkdwn) =>
            json.BeginObject().Property("type", "mrkdwn").Property("text", mrkdwn).Name("verbatim").Bool(true).EndObject();

        /// <summary>The one-line notification text: "INCIDENT — checkout: WEB-1: Title (P0)".</summary>
        private string Fallback()
        {
            string text = HeadingText;
            string? label = IssueLabel();
            if (label != null) text += ": " + label;
            if (_m.Severity != null && _m.Kind != "Resolution") text += " (" + _m.Severity + ")";
            return text;
        }

        private List<KeyValuePair<string, string>> Buttons()
        {
            var buttons = new List<KeyValuePair<string, string>>();
            if (_issueLink != null) buttons.Add(new KeyValuePair<string, string>("Open in Sentry", _issueLink));
            if (_postmortemLink != null && _m.Kind == "Resolution") buttons.Add(new KeyValuePair<string, string>("Open postmortem", _postmortemLink));
            return buttons;
        }

        // ---- Teams --------------------------------------------------------------------------------

        /// <summary>A Workflows webhook body: one Adaptive Card 1.4 with a heading, the fields as a FactSet, and link actions.</summary>
        public string Teams()
        {
            var json = new JsonWriter().BeginObject();
            json.Property("type", "message");
            json.Name("attachments").BeginArray().BeginObject();
            json.Property("contentType", "application/vnd.microsoft.card.adaptive");
            json.Property("contentUrl", null);
            json.Name("content").BeginObject();
            json.Property("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
            json.Property("type", "AdaptiveCard");
            json.Property("version", "1.4");
            json.Name("body").BeginArray();

            json.BeginObject().Property("type", "TextBlock")
                .Property("text", KindWord + " \u2014 " + MessageEscaping.Teams(_m.Service, 200))
                .Property("size", "Large").Property("weight", "Bolder")
                .Property("color", _m.Kind == "Initial" ? "Attention" : _m.Kind == "Update" ? "Warning" : "Good")
                .Name("wrap").Bool(true).EndObject();

            json.BeginObject().Property("type", "FactSet").Name("facts").BeginArray();
            foreach (Field field in Fields())
            {
                var value = new StringBuilder();
                foreach (Segment s in field.Value)
                {
                    // Links are the card's actions; a fact shows the link text only.
                    value.Append(s.Kind == Part.Ours ? s.Text : MessageEscaping.Teams(s.Text, TeamsValueLimit, lineStart: value.Length == 0));
                }

                json.BeginObject().Property("title", field.Label).Property("value", value.ToString()).EndObject();
            }

            json.EndArray().EndObject();

            if (_m.Environment is string environment)
            {
                json.BeginObject().Property("type", "TextBlock")
                    .Property("text", "Environment: " + MessageEscaping.Teams(environment, 200))
                    .Property("size", "Small").Name("isSubtle").Bool(true).Name("wrap").Bool(true).EndObject();
            }

            json.EndArray();

            var buttons = Buttons();
            if (buttons.Count > 0)
            {
                json.Name("actions").BeginArray();
                foreach (KeyValuePair<string, string> button in buttons)
                {
                    json.BeginObject().Property("type", "Action.OpenUrl").Property("title", button.Key).Property("url", button.Value).EndObject();
                }

                json.EndArray();
            }

            return json.EndObject().EndObject().EndArray().EndObject().ToString();
        }

        // ---- PagerDuty ----------------------------------------------------------------------------

        /// <summary>
        /// Events API v2. Initial → trigger with the payload and links; Update → acknowledge and
        /// Resolution → resolve, which need only the action and the dedup key. A watch's update triggers (with the payload).
        /// </summary>
        public string PagerDuty(string? routingKey)
        {
            string action = _m.PagerDutyAction;
            var json = new JsonWriter().BeginObject();
            if (routingKey != null) json.Property("routing_key", routingKey);
            json.Property("event_action", action);
            json.Property("dedup_key", _m.DedupKey);
            if (action != "trigger") return json.EndObject().ToString();

            json.Name("payload").BeginObject();
            json.Property("summary", MessageEscaping.Clip(Fallback(), PagerDutySummaryLimit));
            json.Property("source", _m.Service);
            json.Property("severity", PagerDutySeverity(_m.Severity));
            json.Property("timestamp", Iso(_m.Started ?? _m.CreatedAt));
            json.Property("component", _m.ShortId ?? _m.IssueId ?? _m.Service);
            if (_m.Environment != null) json.Property("group", _m.Environment);
            json.Property("class", "sentry-issue");
            json.Name("custom_details").BeginObject();
            json.Property("status", _m.Status);
            json.Property("incident_severity", _m.Severity);
            json.Property("title", _m.Title);
            json.Property("impact", _m.Impact);
            json.Property("started", Iso(_m.Started));
            json.Property("incident_lead", _m.IncidentLead);
            json.Property("next_update", Iso(_m.NextUpdate));
            json.Property("issue_id", _m.IssueId);
            json.Property("short_id", _m.ShortId);
            json.Property("issue_url", _m.IssueUrl);
            json.Property("environment", _m.Environment);
            json.EndObject();
            json.EndObject();

            if (_issueLink != null)
            {
                json.Name("links").BeginArray().BeginObject()
                    .Property("href", _issueLink)
                    .Property("text", "Sentry issue " + (_m.ShortId ?? _m.IssueId ?? string.Empty).Trim())
                    .EndObject().EndArray();
            }

            json.Property("client", "SentryRunbook");
            if (_issueLink != null) json.Property("client_url", _issueLink);
            return json.EndObject().ToString();
        }

        internal static string PagerDutySeverity(string? severity)
        {
            switch (severity?.ToUpperInvariant())
            {
                case "P0":
                    return "critical";
                case "P2":
                    return "warning";
                case "P3":
                    return "info";
                default:
                    return "error";
            }
        }

        // ---- generic webhook ----------------------------------------------------------------------

        public string Webhook()
        {
            var json = new JsonWriter().BeginObject();
            json.Name("schemaVersion").Number(1);
            json.Property("kind", _m.Kind);
            json.Property("service", _m.Service);
            json.Property("status", _m.Status);
            json.Property("severity", _m.Severity);
            json.Property("issueId", _m.IssueId);
            json.Property("shortId", _m.ShortId);
            json.Property("title", _m.Title);
            json.Property("issueUrl", _m.IssueUrl);
            json.Property("environment", _m.Environment);
            json.Property("started", Iso(_m.Started));
            json.Property("createdAt", Iso(_m.CreatedAt));
            json.Property("impact", _m.Impact);
            json.Property("incidentLead", _m.IncidentLead);
            json.Property("updateEvery", _m.UpdateEvery is TimeSpan every ? XmlConvert.ToString(every) : null);
            json.Property("nextUpdate", Iso(_m.NextUpdate));
            json.Property("duration", _m.Duration is TimeSpan d ? XmlConvert.ToString(d) : null);
            json.Name("durationSeconds");
            if (_m.Duration is TimeSpan seconds) json.Number((long)Math.Round(seconds.TotalSeconds)); else json.Null();
            json.Property("resolvedAt", Iso(_m.ResolvedAt));
            json.Property("rootCause", _m.RootCause);
            json.Property("fixApplied", _m.FixApplied);
            json.Property("progress", _m.Progress);
            json.Property("postmortemUrl", _m.PostmortemUrl);
            json.Property("postmortemDue", Iso(_m.PostmortemDue));
            json.Property("dedupKey", _m.DedupKey);
            json.Property("text", _m.Text);
            json.Property("markdown", _m.Markdown);
            return json.EndObject().ToString();
        }

        // ---- formats ------------------------------------------------------------------------------

        internal static string? Iso(DateTimeOffset? time) =>
            time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>2026-11-28 11:40 UTC.</summary>
        internal static string FormatTime(DateTimeOffset time) =>
            time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

        /// <summary>12:30 UTC, or the full date when it falls on another day than <paramref name="from"/>.</summary>
        internal static string FormatClock(DateTimeOffset time, DateTimeOffset from) =>
            time.UtcDateTime.Date == from.UtcDateTime.Date
                ? time.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC"
                : FormatTime(time);

        /// <summary>"45 min", "1 h 25 min", "2 h", "1 d 3 h 5 min", to the nearest minute.</summary>
        internal static string FormatDuration(TimeSpan duration)
        {
            long minutes = (long)Math.Round(Math.Max(0, duration.TotalMinutes), MidpointRounding.AwayFromZero);
            long days = minutes / 1440, hours = minutes % 1440 / 60, rest = minutes % 60;
            var parts = new List<string>();
            if (days > 0) parts.Add(days.ToString(CultureInfo.InvariantCulture) + " d");
            if (hours > 0) parts.Add(hours.ToString(CultureInfo.InvariantCulture) + " h");
            if (rest > 0 || parts.Count == 0) parts.Add(rest.ToString(CultureInfo.InvariantCulture) + " min");
            return string.Join(" ", parts);
        }

        /// <summary>The policy's words for a cadence ("30 minutes", "1 hour"), with "1 day" for exactly one day.</summary>
        internal static string DescribeCadence(TimeSpan every) =>
            every == TimeSpan.FromDays(1) ? "1 day" : IncidentPolicy.Describe(every);
    }
}

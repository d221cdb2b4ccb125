using System;
using System.Collections.Generic;
using System.Linq;
using SentryRunbook.Rendering;

namespace SentryRunbook.Models
{
    /// <summary>
    /// One stakeholder message of the runbook (initial alert, update or resolution notice), with every
    /// rendering ready to send: plain text, Markdown, Slack Block Kit, a Teams Adaptive Card, PagerDuty
    /// Events v2 and a generic webhook body. Build it with <see cref="IncidentMessages.Build"/>.
    /// Text fields hold the cleaned values: one line each, without control characters.
    /// </summary>
    public sealed class IncidentMessage
    {
        internal IncidentMessage(
            string kind,
            string service,
            string status,
            string? severity,
            string? issueId,
            string? shortId,
            string? title,
            string? issueUrl,
            string? environment,
            DateTimeOffset? started,
            DateTimeOffset createdAt,
            string? impact,
            string? incidentLead,
            TimeSpan? updateEvery,
            DateTimeOffset? nextUpdate,
            TimeSpan? duration,
            DateTimeOffset? resolvedAt,
            string? rootCause,
            string? fixApplied,
            string? progress,
            string? postmortemUrl,
            DateTimeOffset? postmortemDue,
            string? response,
            string dedupKey,
            IReadOnlyList<string>? members = null,
            string? pagerDutyAction = null)
        {
            Kind = kind;
            PagerDutyAction = pagerDutyAction ?? (kind == "Initial" ? "trigger" : kind == "Update" ? "acknowledge" : "resolve");
            Service = MessageEscaping.Clean(service) ?? "Service";
            Status = MessageEscaping.Clean(status) ?? string.Empty;
            Severity = severity;
            IssueId = MessageEscaping.Clean(issueId);
            ShortId = MessageEscaping.Clean(shortId);
            Title = MessageEscaping.Clean(title);
            IssueUrl = MessageEscaping.Clean(issueUrl);
            Environment = MessageEscaping.Clean(environment);
            Started = started;
            CreatedAt = createdAt;
            Impact = MessageEscaping.Clean(impact);
            IncidentLead = MessageEscaping.Clean(incidentLead);
            UpdateEvery = updateEvery;
            NextUpdate = nextUpdate;
            Duration = duration;
            ResolvedAt = resolvedAt;
            RootCause = MessageEscaping.Clean(rootCause);
            FixApplied = MessageEscaping.Clean(fixApplied);
            Progress = MessageEscaping.Clean(progress);
            PostmortemUrl = MessageEscaping.Clean(postmortemUrl);
            PostmortemDue = postmortemDue;
            Response = MessageEscaping.Clean(response);
            DedupKey = dedupKey;
            Members = (members ?? Array.Empty<string>()).Select(m => MessageEscaping.Clean(m) ?? string.Empty).Where(m => m.Length > 0).ToList();

            var renderer = new MessageRenderer(this);
            Text = renderer.Text();
            Markdown = renderer.Markdown();
            SlackPayload = renderer.Slack();
            TeamsPayload = renderer.Teams();
            PagerDutyPayload = renderer.PagerDuty(null);
            WebhookPayload = renderer.Webhook();
        }

        /// <summary>For an incident of many issues: each member as "SHORT-ID: title", listed in the message.</summary>
        public IReadOnlyList<string> Members { get; }

        /// <summary><c>Initial</c>, <c>Update</c> or <c>Resolution</c>.</summary>
        public string Kind { get; }
        public string Service { get; }
        /// <summary><c>Investigating</c> (initial), the given status (update, default <c>Identified</c>) or <c>Resolved</c>.</summary>
        public string Status { get; }
        /// <summary><c>P0</c> to <c>P3</c>; null when unknown.</summary>
        public string? Severity { get; }
        public string? IssueId { get; }
        public string? ShortId { get; }
        /// <summary>The Sentry issue's title.</summary>
        public string? Title { get; }
        public string? IssueUrl { get; }
        /// <summary>The (first production) environment the issue occurs in, when known.</summary>
        public string? Environment { get; }
        /// <summary>When the incident started: the issue's first seen.</summary>
        public DateTimeOffset? Started { get; }
        public DateTimeOffset CreatedAt { get; }
        /// <summary>The user-facing impact in words.</summary>
        public string? Impact { get; }
        public string? IncidentLead { get; }
        /// <summary>The update cadence (initial alert and updates): the severity's, from the policy, unless overridden.</summary>
        public TimeSpan? UpdateEvery { get; }
        /// <summary>Initial alert and updates: <see cref="CreatedAt"/> plus <see cref="UpdateEvery"/>.</summary>
        public DateTimeOffset? NextUpdate { get; }
        /// <summary>Resolution: from <see cref="Started"/> to <see cref="ResolvedAt"/>; null when the start is unknown.</summary>
        public TimeSpan? Duration { get; }
        /// <summary>Resolution: when the incident was resolved.</summary>
        public DateTimeOffset? ResolvedAt { get; }
        public string? RootCause { get; }
        public string? FixApplied { get; }
        /// <summary>Update: what is being done.</summary>
        public string? Progress { get; }
        public string? PostmortemUrl { get; }
        /// <summary>Resolution: 48 hours after resolution.</summary>
        public DateTimeOffset? PostmortemDue { get; }
        /// <summary>The severity's response time in the policy's words (<c>15 minutes</c>).</summary>
        internal string? Response { get; }
        /// <summary>
        /// The Events v2 action: trigger (initial), acknowledge (update) or resolve (resolution). A watch's updates
        /// trigger again with the dedup key instead, which updates the alert in place and never stops its escalation.
        /// </summary>
        public string PagerDutyAction { get; }
        /// <summary>Stable per incident (<c>sentryrunbook-{organization}-{issue id}</c>): the same for the initial alert, updates and resolution of one issue.</summary>
        public string DedupKey { get; }
        /// <summary>The runbook's plain-text layout.</summary>
        public string Text { get; }
        public string Markdown { get; }
        /// <summary>Slack Block Kit for an incoming webhook: <c>{"text": fallback, "blocks": [...]}</c>.</summary>
        public string SlackPayload { get; }
        /// <summary>A Teams Workflows webhook body carrying an Adaptive Card 1.4.</summary>
        public string TeamsPayload { get; }
        /// <summary>PagerDuty Events API v2 without the routing key, with <see cref="PagerDutyAction"/>.</summary>
        public string PagerDutyPayload { get; }
        /// <summary>
        /// A generic JSON body: <c>schemaVersion</c> (1), <c>kind</c>, <c>service</c>, <c>status</c>, <c>severity</c>,
        /// <c>issueId</c>, <c>shortId</c>, <c>title</c>, <c>issueUrl</c>, <c>environment</c>, <c>started</c>,
        /// <c>createdAt</c>, <c>impact</c>, <c>incidentLead</c>, <c>updateEvery</c> and <c>nextUpdate</c>,
        /// <c>duration</c> (ISO 8601) and <c>durationSeconds</c>, <c>resolvedAt</c>, <c>rootCause</c>,
        /// <c>fixApplied</c>, <c>progress</c>, <c>postmortemUrl</c>, <c>postmortemDue</c>, <c>dedupKey</c>,
        /// <c>text</c> and <c>markdown</c>. Times are UTC ISO 8601; unknown values are null, never left out.
        /// </summary>
        public string WebhookPayload { get; }

        /// <summary>The PagerDuty payload with <c>routing_key</c> as its first property; the key is never stored in the message.</summary>
        public string PagerDutyPayloadFor(string routingKey)
        {
            if (string.IsNullOrWhiteSpace(routingKey)) throw new ArgumentException("A PagerDuty routing key (integration key) is required.", nameof(routingKey));
            return new MessageRenderer(this).PagerDuty(routingKey.Trim());
        }

        public override string ToString() => Text;
    }
}

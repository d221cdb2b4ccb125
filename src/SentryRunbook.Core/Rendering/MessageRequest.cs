using System;
using SentryRunbook.Analysis;

namespace SentryRunbook.Rendering
{
    /// <summary>What a stakeholder message is built from. Everything but <see cref="Kind"/> is optional.</summary>
    public sealed class MessageRequest
    {
        /// <summary><c>Initial</c>, <c>Update</c> or <c>Resolution</c> (any case).</summary>
        public string Kind { get; set; } = "Initial";
        /// <summary>Defaults to <c>Service</c>.</summary>
        public string? Service { get; set; }
        /// <summary>Used by updates (default <c>Identified</c>); the initial alert is always <c>Investigating</c>, the resolution <c>Resolved</c>.</summary>
        public string? Status { get; set; }
        /// <summary><c>P0</c> to <c>P3</c>, or null when unknown.</summary>
        public string? Severity { get; set; }
        public string? IssueId { get; set; }
        public string? ShortId { get; set; }
        public string? Title { get; set; }
        public string? IssueUrl { get; set; }
        public string? Impact { get; set; }
        public string? IncidentLead { get; set; }
        public string? RootCause { get; set; }
        public string? FixApplied { get; set; }
        public string? Progress { get; set; }
        public string? PostmortemUrl { get; set; }
        /// <summary>The Sentry organization slug; part of the dedup key.</summary>
        public string? Organization { get; set; }

        /// <summary>
        /// The incident's PagerDuty dedup key, when the caller names it; otherwise it is made from the organization and
        /// the issue id, so every message of one incident (built the same way) shares it.
        /// </summary>
        public string? DedupKey { get; set; }
        public string? Environment { get; set; }
        /// <summary>When the incident started (the issue's first seen).</summary>
        public DateTimeOffset? Started { get; set; }
        /// <summary>When it was resolved; defaults to <see cref="Now"/>.</summary>
        public DateTimeOffset? ResolvedAt { get; set; }
        /// <summary>Overrides the severity's update cadence from the policy.</summary>
        public TimeSpan? UpdateEvery { get; set; }
        public IncidentPolicy Policy { get; set; } = IncidentPolicy.Default;
        /// <summary>For an incident of many issues: the members, "SHORT-ID: title", listed in the message.</summary>
        public System.Collections.Generic.IReadOnlyList<string>? Members { get; set; }
        /// <summary>
        /// The PagerDuty event action when not the kind's own (<c>trigger</c> for an update re-triggers with the dedup key,
        /// updating the alert in place without acknowledging it); null for the kind's.
        /// </summary>
        public string? PagerDutyAction { get; set; }
                /// <summary>When the message is created; the default value means the current time.</summary>
        public DateTimeOffset Now { get; set; }
    }
}

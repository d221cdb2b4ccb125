using System;
using System.Collections.Generic;
using SentryRunbook.Models;

namespace SentryRunbook.Rendering
{
    /// <summary>Everything a postmortem is written from: the triage, the timeline, the event rate and where the data came from.</summary>
    public sealed class PostmortemInput
    {
        /// <summary>Required: issue, impact (with its queries), severity, patterns, latest event, suspect commits, rollback target.</summary>
        public TriageReport Triage { get; set; } = null!;
        /// <summary>The incident (Group-SentryIssue) the postmortem covers; <see cref="Triage"/> is then its primary issue's.</summary>
        public SentryIncident? Incident { get; set; }
        /// <summary>Required.</summary>
        public IncidentTimeline Timeline { get; set; } = null!;
        /// <summary>Events per bucket over the incident, for the chart; may be empty.</summary>
        public IReadOnlyList<SentryTimePoint> EventRate { get; set; } = Array.Empty<SentryTimePoint>();
        /// <summary>Owner of the action items; <c>@owner</c> when not given.</summary>
        public string? Owner { get; set; }
        /// <summary>When the postmortem is written: action items are due a week later.</summary>
        public DateTimeOffset Now { get; set; }
        public string? Organization { get; set; }
        public string? SentryHost { get; set; }
        /// <summary>When the data was fetched from Sentry.</summary>
        public DateTimeOffset? FetchedAt { get; set; }
        /// <summary>Reads that failed while gathering (with their error ids); null: the triage's own.</summary>
        public IReadOnlyList<string>? MissingSignals { get; set; }
    }
}

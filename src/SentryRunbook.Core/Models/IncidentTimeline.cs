using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>One moment of an incident: first seen, a deploy, a note, a status change, an assignment, a regression.</summary>
    public sealed class TimelineEntry
    {
        public TimelineEntry(DateTimeOffset time, string source, string kind, string text, string? user = null)
        {
            Time = time;
            Source = source ?? throw new ArgumentNullException(nameof(source));
            Kind = kind ?? throw new ArgumentNullException(nameof(kind));
            Text = text ?? string.Empty;
            User = user;
        }

        public DateTimeOffset Time { get; }
        /// <summary><c>Sentry</c>, <c>Deploy</c>, <c>Note</c>, <c>Status</c>, <c>Assignment</c>, <c>Regression</c> or <c>Alert</c>.</summary>
        public string Source { get; }
        /// <summary><c>first_seen</c>, <c>deploy</c>, <c>note</c>, <c>set_resolved</c>, <c>set_resolved_in_release</c>, <c>set_ignored</c>, <c>set_unresolved</c>, <c>set_regression</c>, <c>assigned</c>, <c>alert</c>, <c>acknowledged</c>, <c>last_seen</c>, or another Sentry activity type.</summary>
        public string Kind { get; }
        /// <summary>What happened, as Sentry's data says it (untrusted: notes and names are user text).</summary>
        public string Text { get; }
        /// <summary>Who acted; null for Sentry itself.</summary>
        public string? User { get; }

        public override string ToString() => $"{Time:yyyy-MM-dd HH:mm} {Source} {Text}";
    }

    /// <summary>An incident's events in time order, with its milestones and the times to detect, acknowledge and resolve.</summary>
    public sealed class IncidentTimeline
    {
        public IncidentTimeline(
            string issueId,
            string? shortId,
            IReadOnlyList<TimelineEntry> entries,
            DateTimeOffset? firstSeen,
            DateTimeOffset? detectedAt,
            DateTimeOffset? acknowledgedAt,
            DateTimeOffset? resolvedAt)
        {
            IssueId = issueId ?? throw new ArgumentNullException(nameof(issueId));
            ShortId = shortId;
            Entries = entries ?? Array.Empty<TimelineEntry>();
            FirstSeen = firstSeen;
            DetectedAt = detectedAt;
            AcknowledgedAt = acknowledgedAt;
            ResolvedAt = resolvedAt;
        }

        public string IssueId { get; }
        public string? ShortId { get; }
        /// <summary>In time order; entries at the same time keep the order they were merged in.</summary>
        public IReadOnlyList<TimelineEntry> Entries { get; }
        public DateTimeOffset? FirstSeen { get; }
        /// <summary>The first alert entry, else the first note, else first seen.</summary>
        public DateTimeOffset? DetectedAt { get; }
        /// <summary>The first acknowledgement: an <c>acknowledged</c> entry or a note (a human writing on the issue), at or after detection.</summary>
        public DateTimeOffset? AcknowledgedAt { get; }
        /// <summary>The last resolution, when no unresolve or regression followed it; null while the issue is not resolved.</summary>
        public DateTimeOffset? ResolvedAt { get; }
        public TimeSpan? TimeToDetect => DetectedAt - FirstSeen;
        public TimeSpan? TimeToAcknowledge => AcknowledgedAt - DetectedAt;
        public TimeSpan? TimeToResolve => ResolvedAt - FirstSeen;

        public override string ToString() => $"{ShortId ?? IssueId}: {Entries.Count} entries";
    }
}

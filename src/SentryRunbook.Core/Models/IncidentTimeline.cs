using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>One moment of an incident: first seen, a deploy, a note, a status change, an assignment, a regression.</summary>
    public sealed class TimelineEntry
    {
        public TimelineEntry(DateTimeOffset time, string source, string kind, string text, string? user = null, string? issue = null, string? environment = null)
        {
            Time = time;
            Source = source ?? throw new ArgumentNullException(nameof(source));
            Kind = kind ?? throw new ArgumentNullException(nameof(kind));
            Text = text ?? string.Empty;
            User = user;
            Issue = issue;
            Environment = environment;
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
        /// <summary>On an incident's timeline, the member issue (short id) the entry is about; null on one issue's timeline and for what concerns them all (a deploy).</summary>
        public string? Issue { get; }
        /// <summary>The environment of a deploy; null otherwise.</summary>
        public string? Environment { get; }

        /// <summary>A person did this (a note, an acknowledgement, an assignment, a status change by a user, an action of the runbook): what acknowledgement is made of.</summary>
        public bool IsHumanAction =>
            Kind == "acknowledged" || Kind == "note" || Kind == "note_added" || Kind == "message_sent" || Kind == "deploy_recorded" || Kind == "status_changed" || Kind == "status_undone" || Kind == "issue_set"
            || (User != null && (Source == "Status" || Source == "Assignment"));

        internal TimelineEntry ForIssue(string? issue) => new TimelineEntry(Time, Source, Kind, Text, User, issue, Environment);

        public override string ToString() => $"{Time:yyyy-MM-dd HH:mm} {Source} {(Issue is null ? string.Empty : Issue + " ")}{Text}";
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
            DateTimeOffset? resolvedAt,
            string? incidentId = null,
            IReadOnlyList<string>? issueIds = null,
            IReadOnlyDictionary<string, DateTimeOffset?>? memberResolvedAt = null)
        {
            IssueId = issueId ?? throw new ArgumentNullException(nameof(issueId));
            IncidentId = incidentId;
            IssueIds = issueIds ?? new[] { issueId };
            MemberResolvedAt = memberResolvedAt ?? new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal) { [issueId] = resolvedAt };
            ShortId = shortId;
            Entries = entries ?? Array.Empty<TimelineEntry>();
            FirstSeen = firstSeen;
            DetectedAt = detectedAt;
            AcknowledgedAt = acknowledgedAt;
            ResolvedAt = resolvedAt;
        }

        /// <summary>The issue, or on an incident's timeline its primary issue.</summary>
        public string IssueId { get; }
        public string? ShortId { get; }
        /// <summary>The incident (Group-SentryIssue) whose members the timeline covers; null for one issue.</summary>
        public string? IncidentId { get; }
        /// <summary>Every issue the timeline covers: the one issue, or the incident's members.</summary>
        public IReadOnlyList<string> IssueIds { get; }
        /// <summary>Per issue id, when it was last resolved (null: not resolved); the incident is resolved when every member is.</summary>
        public IReadOnlyDictionary<string, DateTimeOffset?> MemberResolvedAt { get; }
        /// <summary>In time order; entries at the same time keep the order they were merged in.</summary>
        public IReadOnlyList<TimelineEntry> Entries { get; }
        public DateTimeOffset? FirstSeen { get; }
        /// <summary>The first alert entry, else first seen (Sentry raising the issue is the detection when no alert rule fired).</summary>
        public DateTimeOffset? DetectedAt { get; }
        /// <summary>The first action of a person at or after detection: an acknowledgement, a note, an assignment, a status change by a user, or an action of the runbook from the journal.</summary>
        public DateTimeOffset? AcknowledgedAt { get; }
        /// <summary>The last resolution, when no unresolve or regression followed it; on an incident, when its last member was resolved; null while not resolved.</summary>
        public DateTimeOffset? ResolvedAt { get; }
        public TimeSpan? TimeToDetect => DetectedAt - FirstSeen;
        public TimeSpan? TimeToAcknowledge => AcknowledgedAt - DetectedAt;
        public TimeSpan? TimeToResolve => ResolvedAt - FirstSeen;

        public override string ToString() => $"{IncidentId ?? ShortId ?? IssueId}: {Entries.Count} entries";
    }
}

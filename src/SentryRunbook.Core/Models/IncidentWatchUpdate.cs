using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>
    /// One round of Watch-SentryIncident: the incident's state, the figures it was judged by, and the message sent this
    /// round (null when none was due, or with -WhatIf).
    /// </summary>
    public sealed class IncidentWatchUpdate
    {
        public IncidentWatchUpdate(
            DateTimeOffset time,
            string issueId,
            string? shortId,
            string state,
            string? previousState,
            double? eventsPerMinute,
            double? lastFiveMinutes,
            double? lastFifteenMinutes,
            double? peakEventsPerMinute,
            double baselineEventsPerMinute,
            int minutesAtBaseline,
            long? uniqueUsers,
            double? crashFreeSessionRate,
            string reason,
            DateTimeOffset? nextUpdate,
            IncidentMessage? message,
            IReadOnlyList<IncidentDelivery> delivery,
            IncidentImpact? impact,
            bool resolvedByWatch,
            DateTimeOffset? since = null)
        {
            Since = since;
            Time = time;
            IssueId = issueId;
            ShortId = shortId;
            State = state;
            PreviousState = previousState;
            EventsPerMinute = eventsPerMinute;
            LastFiveMinutes = lastFiveMinutes;
            LastFifteenMinutes = lastFifteenMinutes;
            PeakEventsPerMinute = peakEventsPerMinute;
            BaselineEventsPerMinute = baselineEventsPerMinute;
            MinutesAtBaseline = minutesAtBaseline;
            UniqueUsers = uniqueUsers;
            CrashFreeSessionRate = crashFreeSessionRate;
            Reason = reason;
            NextUpdate = nextUpdate;
            Message = message;
            Delivery = delivery;
            Impact = impact;
            ResolvedByWatch = resolvedByWatch;
        }

        /// <summary>When the round measured (UTC).</summary>
        public DateTimeOffset Time { get; }
        /// <summary>The issue's numeric id, or the incident's id (INC-…) for an incident of many issues.</summary>
        public string IssueId { get; }
        public string? ShortId { get; }
        /// <summary><c>Ongoing</c>, <c>Mitigating</c>, <c>Recovered</c>, <c>Resolved</c> or <c>Regressed</c>.</summary>
        public string State { get; }
        /// <summary>The state of the round before; null on the first round.</summary>
        public string? PreviousState { get; }
        /// <summary>Events in the last complete minute.</summary>
        public double? EventsPerMinute { get; }
        /// <summary>Mean events per minute over the last 5 complete minutes.</summary>
        public double? LastFiveMinutes { get; }
        /// <summary>Mean events per minute over the last 15 complete minutes.</summary>
        public double? LastFifteenMinutes { get; }
        /// <summary>The most events in one minute since the incident (or its regression) began.</summary>
        public double? PeakEventsPerMinute { get; }
        /// <summary>Mean events per minute in the hour before the incident began.</summary>
        public double BaselineEventsPerMinute { get; }
        /// <summary>Complete minutes in a row, up to now, at the baseline.</summary>
        public int MinutesAtBaseline { get; }
        /// <summary>Unique users hit since the incident began.</summary>
        public long? UniqueUsers { get; }
        /// <summary>Percent 0–100; null when the project sends no sessions.</summary>
        public double? CrashFreeSessionRate { get; }
        /// <summary>Why this state, with its numbers.</summary>
        public string Reason { get; }
        /// <summary>When the next update is due.</summary>
        public DateTimeOffset? NextUpdate { get; }
        /// <summary>The message sent this round (Update or Resolution), or null.</summary>
        public IncidentMessage? Message { get; }
        /// <summary>How each target took the message; empty when none was sent.</summary>
        public IReadOnlyList<IncidentDelivery> Delivery { get; }
        /// <summary>The whole measurement of the round (queries included, for the record).</summary>
        public IncidentImpact? Impact { get; }
        /// <summary>The first minute of the incident as the watch took it (-Since, the incident's start, the regression, or the first seen); its baseline is the hour before.</summary>
        public DateTimeOffset? Since { get; }
        /// <summary>True in the round the watch resolved the issue (-ResolveOnRecovery).</summary>
        public bool ResolvedByWatch { get; }

        public override string ToString() => $"{Time.UtcDateTime:yyyy-MM-dd HH:mm} UTC {State} {EventsPerMinute?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}/min";
    }
}

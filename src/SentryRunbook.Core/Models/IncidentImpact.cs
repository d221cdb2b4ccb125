using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>How much an issue hurts, measured from Sentry for one time window. Every figure names the query behind it.</summary>
    public sealed class IncidentImpact
    {
        public IncidentImpact(
            string issueId,
            string? shortId,
            DateTimeOffset start,
            DateTimeOffset end,
            long? events,
            long? uniqueUsers,
            double? peakEventsPerMinute,
            long? peakUsersPerHour,
            double? crashFreeSessionRate,
            double? crashFreeUserRate,
            double? p95DurationMs,
            IReadOnlyList<string> environments,
            IReadOnlyList<string> releases,
            IReadOnlyList<ImpactQuery> queries,
            string? widenedFrom,
            IReadOnlyList<string> missingSignals,
            IReadOnlyList<string>? transactions = null)
        {
            IssueId = issueId;
            ShortId = shortId;
            Start = start;
            End = end;
            Events = events;
            UniqueUsers = uniqueUsers;
            PeakEventsPerMinute = peakEventsPerMinute;
            PeakUsersPerHour = peakUsersPerHour;
            CrashFreeSessionRate = crashFreeSessionRate;
            CrashFreeUserRate = crashFreeUserRate;
            P95DurationMs = p95DurationMs;
            Environments = environments;
            Releases = releases;
            Queries = queries;
            WidenedFrom = widenedFrom;
            MissingSignals = missingSignals;
            Transactions = transactions ?? Array.Empty<string>();
        }

        public string IssueId { get; }
        public string? ShortId { get; }
        public DateTimeOffset Start { get; }
        public DateTimeOffset End { get; }
        public TimeSpan Duration => End - Start;
        /// <summary>count() of the issue's events in the window (Discover, dataset errors).</summary>
        public long? Events { get; }
        /// <summary>count_unique(user) in the window.</summary>
        public long? UniqueUsers { get; }
        /// <summary>The largest count in one minute (events-stats, 1m interval).</summary>
        public double? PeakEventsPerMinute { get; }
        /// <summary>The largest count of unique users in one hour of the window.</summary>
        public long? PeakUsersPerHour { get; }
        /// <summary>Percent 0–100; null when the project sends no sessions.</summary>
        public double? CrashFreeSessionRate { get; }
        /// <summary>Percent 0–100; null when the project sends no sessions.</summary>
        public double? CrashFreeUserRate { get; }
        /// <summary>p95 duration of the affected transactions; null without performance data.</summary>
        public double? P95DurationMs { get; }
        public IReadOnlyList<string> Environments { get; }
        public IReadOnlyList<string> Releases { get; }
        /// <summary>What was asked of Sentry for each figure, for the postmortem's record.</summary>
        public IReadOnlyList<ImpactQuery> Queries { get; }
        /// <summary>The period first asked for, when it held no events and the window was widened to 7d.</summary>
        public string? WidenedFrom { get; }
        /// <summary>Signals Sentry could not give (no sessions, no performance data, ...), with the reason.</summary>
        public IReadOnlyList<string> MissingSignals { get; }
        /// <summary>The transaction the issue's events occur in (its most common), used for p95 and core-flow checks.</summary>
        public IReadOnlyList<string> Transactions { get; }
    }

    /// <summary>One query behind an impact figure: which figure, the endpoint and its parameters, and the answer.</summary>
    public sealed class ImpactQuery
    {
        public ImpactQuery(string figure, string endpoint, IReadOnlyList<KeyValuePair<string, string>> parameters, string result)
        {
            Figure = figure;
            Endpoint = endpoint;
            Parameters = parameters;
            Result = result;
        }

        public string Figure { get; }
        public string Endpoint { get; }
        public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }
        public string Result { get; }

        public override string ToString() => $"{Figure}: GET {Endpoint}?{string.Join("&", ParameterText())} -> {Result}";

        private IEnumerable<string> ParameterText()
        {
            foreach (KeyValuePair<string, string> p in Parameters) yield return p.Key + "=" + p.Value;
        }
    }
}

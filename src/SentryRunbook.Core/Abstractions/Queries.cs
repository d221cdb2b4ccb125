using System;
using System.Collections.Generic;

namespace SentryRunbook.Abstractions
{
    /// <summary>
    /// A time window in Sentry's terms: <c>statsPeriod</c> (<c>24h</c>, <c>7d</c>) or an absolute start and end.
    /// Sentry lets statsPeriod win when both are sent, so only one is ever sent.
    /// </summary>
    public sealed class TimeWindow
    {
        private TimeWindow(string? statsPeriod, DateTimeOffset? start, DateTimeOffset? end)
        {
            StatsPeriod = statsPeriod;
            Start = start;
            End = end;
        }

        public string? StatsPeriod { get; }
        public DateTimeOffset? Start { get; }
        public DateTimeOffset? End { get; }

        public static TimeWindow Period(string statsPeriod) => new TimeWindow(statsPeriod, null, null);

        public static TimeWindow Between(DateTimeOffset start, DateTimeOffset end) =>
            end <= start ? throw new ArgumentException("The window's end must be after its start.") : new TimeWindow(null, start.ToUniversalTime(), end.ToUniversalTime());

        /// <summary>The query parameters for this window.</summary>
        public IEnumerable<KeyValuePair<string, string>> Parameters()
        {
            if (StatsPeriod != null)
            {
                yield return new KeyValuePair<string, string>("statsPeriod", StatsPeriod);
                yield break;
            }

            yield return new KeyValuePair<string, string>("start", Start!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'"));
            yield return new KeyValuePair<string, string>("end", End!.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss'Z'"));
        }

        public override string ToString() => StatsPeriod ?? $"{Start:u} .. {End:u}";
    }

    /// <summary>A Discover table query (<c>/organizations/{org}/events/</c>).</summary>
    public sealed class DiscoverQuery
    {
        public string Dataset { get; set; } = "errors";
        public IReadOnlyList<string> Fields { get; set; } = Array.Empty<string>();
        public string? Query { get; set; }
        public IReadOnlyList<string> Projects { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Environments { get; set; } = Array.Empty<string>();
        public TimeWindow Window { get; set; } = TimeWindow.Period("24h");
        public string? Sort { get; set; }
        public int PerPage { get; set; } = 100;
    }

    /// <summary>A time-series query (<c>/organizations/{org}/events-stats/</c>).</summary>
    public sealed class StatsQuery
    {
        public string Dataset { get; set; } = "errors";
        public IReadOnlyList<string> YAxes { get; set; } = new[] { "count()" };
        /// <summary><c>1m</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>; Sentry may widen it when the window has too many buckets.</summary>
        public string Interval { get; set; } = "1h";
        public string? Query { get; set; }
        public IReadOnlyList<string> Projects { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Environments { get; set; } = Array.Empty<string>();
        public TimeWindow Window { get; set; } = TimeWindow.Period("24h");
        /// <summary>Keep the incomplete last bucket (<c>partial=1</c>): an incident in progress lives in it.</summary>
        public bool Partial { get; set; } = true;
    }

    /// <summary>A release-health query (<c>/organizations/{org}/sessions/</c>).</summary>
    public sealed class SessionsQuery
    {
        public IReadOnlyList<string> Fields { get; set; } = new[] { "sum(session)" };
        public IReadOnlyList<string> GroupBy { get; set; } = Array.Empty<string>();
        public string? Query { get; set; }
        public IReadOnlyList<string> Projects { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Environments { get; set; } = Array.Empty<string>();
        public TimeWindow Window { get; set; } = TimeWindow.Period("24h");
        /// <summary>At least <c>1h</c> (Sentry's minimum), at most <c>1d</c>.</summary>
        public string Interval { get; set; } = "1h";
    }
}

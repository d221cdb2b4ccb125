using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

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

        /// <summary>The query's parameters, in the order sent: built once, for the request and for the record.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> ToParameters()
        {
            var p = new List<KeyValuePair<string, string>> { Pair("dataset", Dataset) };
            p.AddRange(Fields.Select(f => Pair("field", f)));
            if (!string.IsNullOrEmpty(Query)) p.Add(Pair("query", Query!));
            p.AddRange(QueryScope.Parameters(Projects, Environments, Window));
            if (!string.IsNullOrEmpty(Sort)) p.Add(Pair("sort", Sort!));
            p.Add(Pair("per_page", Math.Max(1, Math.Min(100, PerPage)).ToString(CultureInfo.InvariantCulture)));
            return p;
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);
    }

    /// <summary>The parameters every query scopes itself with: projects, environments, the window.</summary>
    internal static class QueryScope
    {
        public static IEnumerable<KeyValuePair<string, string>> Parameters(IReadOnlyList<string> projects, IReadOnlyList<string> environments, TimeWindow window) =>
            projects.Select(p => new KeyValuePair<string, string>("project", p))
                .Concat(environments.Select(e => new KeyValuePair<string, string>("environment", e)))
                .Concat(window.Parameters());

        /// <summary>One string for a request's parameters, to recognise the same request twice.</summary>
        public static string Key(string endpoint, IEnumerable<KeyValuePair<string, string>> parameters) =>
            endpoint + "?" + string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
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

        /// <summary>
        /// An issue's (or issues') events per minute over a window: <paramref name="issueFilter"/> is <c>issue.id:N</c>,
        /// <c>issue.id:[N,M]</c> or <c>issue:WEB-1A</c> (see ImpactMeasurer.IssueFilter).
        /// </summary>
        public static StatsQuery EventsPerMinute(string issueFilter, IReadOnlyList<string> projects, IReadOnlyList<string> environments, TimeWindow window) =>
            new StatsQuery { Dataset = "errors", YAxes = new[] { "count()" }, Interval = "1m", Query = issueFilter, Projects = projects, Environments = environments, Window = window };

        /// <summary>The query's parameters, in the order sent: built once, for the request and for the record.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> ToParameters()
        {
            var p = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("dataset", Dataset) };
            p.AddRange(YAxes.Select(y => new KeyValuePair<string, string>("yAxis", y)));
            p.Add(new KeyValuePair<string, string>("interval", Interval));
            if (!string.IsNullOrEmpty(Query)) p.Add(new KeyValuePair<string, string>("query", Query!));
            p.AddRange(QueryScope.Parameters(Projects, Environments, Window));
            if (Partial) p.Add(new KeyValuePair<string, string>("partial", "1"));
            return p;
        }
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

        /// <summary>Sentry answers at most this many data points (groups × intervals) per sessions request.</summary>
        public const int MaxPoints = 10000;

        /// <summary>How many groups (releases) an interval is chosen for: a project rarely has more active in a window.</summary>
        public const int ExpectedGroups = 100;

        /// <summary>
        /// The finest interval that keeps <paramref name="groups"/> groups over <paramref name="span"/> within Sentry's
        /// 10,000 points: <c>1h</c> up to four days for 100 releases, then wider, up to <c>1d</c>. Only intervals that
        /// divide a day, as Sentry requires; the range is rounded to whole intervals, hence one more.
        /// </summary>
        public static string IntervalFor(TimeSpan span, int groups = ExpectedGroups)
        {
            foreach (int hours in new[] { 1, 2, 3, 4, 6, 8, 12 })
            {
                long intervals = (long)Math.Ceiling(span.TotalHours / hours) + 1;
                if (intervals * Math.Max(1, groups) <= MaxPoints) return hours.ToString(CultureInfo.InvariantCulture) + "h";
            }

            return "1d";
        }

        /// <summary>The query's parameters, in the order sent: built once, for the request and for the record.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> ToParameters()
        {
            var p = new List<KeyValuePair<string, string>>();
            p.AddRange(Fields.Select(f => new KeyValuePair<string, string>("field", f)));
            p.AddRange(GroupBy.Select(g => new KeyValuePair<string, string>("groupBy", g)));
            if (!string.IsNullOrEmpty(Query)) p.Add(new KeyValuePair<string, string>("query", Query!));
            p.AddRange(QueryScope.Parameters(Projects, Environments, Window));
            p.Add(new KeyValuePair<string, string>("interval", Interval));
            return p;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// The statistics of an impact measurement, free of I/O: peaks from time series, the busiest 60 minutes, and
    /// the worst crash-free interval of the issue's releases. <see cref="ImpactMeasurer"/> makes the calls.
    /// </summary>
    internal static class ImpactStatistics
    {
        /// <summary>Events in two adjacent clock hours: the busiest 60 minutes may not be a clock hour.</summary>
        internal static bool Straddles(SentryTimeSeries? hours)
        {
            IReadOnlyList<SentryTimePoint> points = hours?.Points ?? Array.Empty<SentryTimePoint>();
            for (int i = 1; i < points.Count; i++)
            {
                if ((points[i - 1].Value ?? 0) > 0 && (points[i].Value ?? 0) > 0) return true;
            }

            return false;
        }

        /// <summary>The start of the 60 minutes with the most events, from minute buckets; null without them.</summary>
        internal static DateTimeOffset? DensestHour(SentryTimeSeries? minutes)
        {
            IReadOnlyList<SentryTimePoint> points = minutes?.Points ?? Array.Empty<SentryTimePoint>();
            if (points.Count < 2 || BucketWidth(minutes) != TimeSpan.FromMinutes(1)) return null;
            double sum = 0, best = -1;
            int bestStart = 0;
            for (int i = 0; i < points.Count; i++)
            {
                sum += points[i].Value ?? 0;
                if (i >= 60) sum -= points[i - 60].Value ?? 0;
                if (sum > best)
                {
                    best = sum;
                    bestStart = Math.Max(0, i - 59);
                }
            }

            return points[bestStart].Time;
        }

        internal static TimeSpan BucketWidth(SentryTimeSeries? series) =>
            series is null || series.Points.Count < 2 ? TimeSpan.FromMinutes(1) : series.Points[1].Time - series.Points[0].Time;

        /// <summary>
        /// Sentry widens the interval when a window has too many buckets; then the per-minute peak is the
        /// largest bucket divided by its minutes, and the record says so.
        /// </summary>
        internal static (double? Peak, string Note) PeakPerMinute(SentryTimeSeries? series)
        {
            IReadOnlyList<SentryTimePoint> points = series?.Points ?? Array.Empty<SentryTimePoint>();
            if (points.Count == 0) return (null, " (no buckets)");
            double max = points.Max(p => p.Value ?? 0);
            double minutes = points.Count > 1 ? (points[1].Time - points[0].Time).TotalMinutes : 1;
            if (minutes <= 1) return (max, string.Empty);
            return (Math.Round(max / minutes, 1), $" (Sentry returned {minutes:0}-minute buckets; the peak bucket divided by {minutes:0})");
        }

        /// <summary>
        /// The lowest crash-free rates of an interval (hourly unless the window is too long for hours) among intervals
        /// with enough sessions: a drop during the incident is the figure that matters, and a day's average would hide
        /// it. Rates come as fractions; these are percent. An interval whose rate Sentry sends as null has no data: it
        /// is left out, never counted as crash-free.
        /// </summary>
        internal static (double? Sessions, double? Users, string Note) WorstHour(SentrySessionStats stats, IReadOnlyList<string>? releases = null, string interval = "1h")
        {
            if (stats.Groups.Count == 0) return (null, null, "no groups: no sessions");
            var mine = releases is null || releases.Count == 0
                ? new List<SentrySessionGroup>()
                : stats.Groups.Where(g => g.By.TryGetValue("release", out string? r) && releases.Contains(r)).ToList();
            string scope = mine.Count > 0 ? "releases " + string.Join(", ", mine.Select(g => g.By["release"])) : "the whole project";
            SentrySessionGroup group = Combine(mine.Count > 0 ? mine : stats.Groups.ToList());

            double total = group.Totals.TryGetValue("sum(session)", out double? sum) ? sum ?? 0 : 0;
            if (total <= 0) return (null, null, "sum(session)=0: no sessions");

            IReadOnlyList<double?> counts = Series(group, "sum(session)");
            IReadOnlyList<double?> sessionRates = Series(group, "crash_free_rate(session)");
            IReadOnlyList<double?> userRates = Series(group, "crash_free_rate(user)");
            double? worstSessions = null, worstUsers = null;
            for (int i = 0; i < counts.Count; i++)
            {
                if ((counts[i] ?? 0) < ImpactMeasurer.MinimumSessionsPerHour) continue;
                if (i < sessionRates.Count && sessionRates[i] is double s) worstSessions = Math.Min(worstSessions ?? double.MaxValue, s);
                if (i < userRates.Count && userRates[i] is double u) worstUsers = Math.Min(worstUsers ?? double.MaxValue, u);
            }

            string unit = interval == "1h" ? "hour" : interval + " interval";
            string basis = $"lowest {(interval == "1h" ? "hourly" : interval)} rate among {unit}s with at least {ImpactMeasurer.MinimumSessionsPerHour} sessions";
            if (worstSessions is null)
            {
                worstSessions = group.Totals.TryGetValue("crash_free_rate(session)", out double? t) ? t : null;
                worstUsers = group.Totals.TryGetValue("crash_free_rate(user)", out double? tu) ? tu : null;
                basis = $"the window's total (no {unit} had enough sessions)";
            }

            double? sessionsPercent = worstSessions is double ws ? Math.Round(ws * 100, 2) : (double?)null;
            double? usersPercent = worstUsers is double wu ? Math.Round(wu * 100, 2) : (double?)null;
            return (sessionsPercent, usersPercent, $"crash-free sessions {Number(sessionsPercent)}%, users {Number(usersPercent)}% of {scope} ({basis}; {total:0} sessions)");
        }

        /// <summary>
        /// Several release groups as one: rates weighted by each group's sessions, interval by interval. A group's
        /// null rate is no data, so its sessions weigh in neither the rate nor the count that makes an interval count.
        /// </summary>
        private static SentrySessionGroup Combine(IReadOnlyList<SentrySessionGroup> groups)
        {
            if (groups.Count == 1) return groups[0];
            int length = groups.Max(g => Series(g, "sum(session)").Count);
            var counts = new List<double?>();
            var sessionRates = new List<double?>();
            var userRates = new List<double?>();
            for (int i = 0; i < length; i++)
            {
                double withSessionRate = 0, crashFreeSessions = 0, crashFreeUsers = 0, withUsers = 0;
                foreach (SentrySessionGroup g in groups)
                {
                    IReadOnlyList<double?> c = Series(g, "sum(session)");
                    double count = i < c.Count ? c[i] ?? 0 : 0;
                    if (count <= 0) continue;
                    IReadOnlyList<double?> sr = Series(g, "crash_free_rate(session)");
                    if (i < sr.Count && sr[i] is double sessionRate) { crashFreeSessions += sessionRate * count; withSessionRate += count; }
                    IReadOnlyList<double?> ur = Series(g, "crash_free_rate(user)");
                    if (i < ur.Count && ur[i] is double rate) { crashFreeUsers += rate * count; withUsers += count; }
                }

                counts.Add(withSessionRate);
                sessionRates.Add(withSessionRate > 0 ? crashFreeSessions / withSessionRate : (double?)null);
                userRates.Add(withUsers > 0 ? crashFreeUsers / withUsers : (double?)null);
            }

            double total = groups.Sum(g => g.Totals.TryGetValue("sum(session)", out double? t) ? t ?? 0 : 0);
            double? Weighted(string field)
            {
                double weight = 0, sum = 0;
                foreach (SentrySessionGroup g in groups)
                {
                    double n = g.Totals.TryGetValue("sum(session)", out double? t) ? t ?? 0 : 0;
                    if (n > 0 && g.Totals.TryGetValue(field, out double? rate) && rate is double r) { sum += r * n; weight += n; }
                }

                return weight > 0 ? sum / weight : (double?)null;
            }

            return new SentrySessionGroup(
                new Dictionary<string, string>(),
                new Dictionary<string, double?> { ["sum(session)"] = total, ["crash_free_rate(session)"] = Weighted("crash_free_rate(session)"), ["crash_free_rate(user)"] = Weighted("crash_free_rate(user)") },
                new Dictionary<string, IReadOnlyList<double?>> { ["sum(session)"] = counts, ["crash_free_rate(session)"] = sessionRates, ["crash_free_rate(user)"] = userRates });
        }

        private static IReadOnlyList<double?> Series(SentrySessionGroup group, string field) =>
            group.Series.TryGetValue(field, out IReadOnlyList<double?>? values) ? values : Array.Empty<double?>();
    }
}

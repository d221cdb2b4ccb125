using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// Measures an issue's impact with the queries the runbook makes by hand, run concurrently: Discover
    /// (events, users), events-stats (peaks), sessions (crash-free rates), the spans dataset (p95, with a
    /// fallback to the older transactions dataset) and the issue's tags (environments, releases, transaction).
    /// A figure Sentry cannot give becomes a missing signal with the reason, never a made-up number.
    /// </summary>
    public sealed class ImpactMeasurer
    {
        /// <summary>An hour with fewer sessions than this is too thin to report its crash-free rate on its own.</summary>
        public const int MinimumSessionsPerHour = 20;

        private const string WidenedPeriod = "7d";
        private readonly ISentryApi _api;

        public ImpactMeasurer(ISentryApi api)
        {
            _api = api ?? throw new ArgumentNullException(nameof(api));
        }

        /// <summary>Called with a warning when an empty window is widened to 7 days.</summary>
        public Action<string>? Warn { get; set; }

        /// <summary>How an issue's events are named in a Discover or events-stats query: by numeric id, or by short id.</summary>
        public static string IssueFilter(string issueId) =>
            issueId.Length > 0 && issueId.All(c => c >= '0' && c <= '9') ? "issue.id:" + issueId : "issue:" + issueId;

        // knownTags: the issue's tags when the caller already has them (triage does), saving a request.
        public Task<IncidentImpact> MeasureAsync(SentryIssue issue, string statsPeriod, IReadOnlyList<string> environments, DateTimeOffset now, CancellationToken cancellationToken, IReadOnlyList<SentryIssueTag>? knownTags = null) =>
            MeasureAsync(
                "issue.id:" + issue.Id,
                issue.ProjectId is string id ? new[] { id } : Array.Empty<string>(),
                Task.FromResult(issue),
                statsPeriod,
                environments,
                now,
                cancellationToken,
                knownTags is null ? null : Task.FromResult<IReadOnlyList<SentryIssueTag>?>(knownTags));

        /// <summary>
        /// For triage: the queries that need only the issue's id (events, users, the per-minute and per-hour series)
        /// start at once with <paramref name="issueFilter"/> (<c>issue.id:N</c>, or <c>issue:WEB-1A</c> for a short
        /// id), beside the read of the issue itself; what needs the issue's project or tags starts when they arrive.
        /// </summary>
        public async Task<IncidentImpact> MeasureAsync(string issueFilter, IReadOnlyList<string> knownProjects, Task<SentryIssue> issue, string statsPeriod, IReadOnlyList<string> environments, DateTimeOffset now, CancellationToken cancellationToken, Task<IReadOnlyList<SentryIssueTag>?>? knownTags)
        {
            IncidentImpact impact = await MeasureWindowAsync(issueFilter, knownProjects, issue, statsPeriod, environments, now, null, knownTags, cancellationToken).ConfigureAwait(false);
            if (impact.Events == 0 && Periods.Parse(statsPeriod) < Periods.Parse(WidenedPeriod))
            {
                SentryIssue known = await issue.ConfigureAwait(false);
                Warn?.Invoke($"{known} had no events in the last {statsPeriod}; measuring the last {WidenedPeriod} instead.");
                impact = await MeasureWindowAsync("issue.id:" + known.Id, known.ProjectId is string id ? new[] { id } : Array.Empty<string>(), issue, WidenedPeriod, environments, now, statsPeriod, knownTags, cancellationToken).ConfigureAwait(false);
            }

            return impact;
        }

        private async Task<IncidentImpact> MeasureWindowAsync(string issueFilter, IReadOnlyList<string> projects, Task<SentryIssue> issueTask, string statsPeriod, IReadOnlyList<string> environments, DateTimeOffset now, string? widenedFrom, Task<IReadOnlyList<SentryIssueTag>?>? knownTags, CancellationToken cancellationToken)
        {
            var window = TimeWindow.Period(statsPeriod);
            var queries = new List<ImpactQuery>();
            var missing = new List<string>();

            Task<Figure<(double? Events, double? Users)>> totals = Attempt("Events and UniqueUsers", async ct =>
            {
                var query = new DiscoverQuery { Dataset = "errors", Fields = new[] { "count()", "count_unique(user)" }, Query = issueFilter, Projects = projects, Environments = environments, Window = window, PerPage = 1 };
                SentryTable table = await _api.QueryEventsAsync(query, ct).ConfigureAwait(false);
                var value = (Events: table.FirstNumber("count()") ?? (table.Rows.Count == 0 ? 0 : (double?)null), Users: table.FirstNumber("count_unique(user)") ?? (table.Rows.Count == 0 ? 0 : (double?)null));
                return new Figure<(double?, double?)>(value, Record("Events and UniqueUsers", "events/", Discover(query), $"count()={Text(value.Events)}, count_unique(user)={Text(value.Users)}"));
            }, cancellationToken);

            SentryTimeSeries? minuteSeries = null;
            Task<Figure<double?>> perMinute = Attempt("PeakEventsPerMinute", async ct =>
            {
                var query = new StatsQuery { Dataset = "errors", YAxes = new[] { "count()" }, Interval = "1m", Query = issueFilter, Projects = projects, Environments = environments, Window = window };
                IReadOnlyList<SentryTimeSeries> series = await _api.GetEventsStatsAsync(query, ct).ConfigureAwait(false);
                SentryTimeSeries? first = series.FirstOrDefault();
                minuteSeries = first;
                TimeSpan width = BucketWidth(first);
                if (width > TimeSpan.FromMinutes(1) && first!.Points.Count > 0)
                {
                    // Over long windows Sentry answers with wide buckets (1h beyond a day); a peak hour divided by 60
                    // would hide a five-minute burst, so the peak bucket is read again minute by minute.
                    SentryTimePoint peakBucket = first.Points.OrderByDescending(p => p.Value ?? 0).First();
                    var zoom = new StatsQuery { Dataset = "errors", YAxes = new[] { "count()" }, Interval = "1m", Query = issueFilter, Projects = projects, Environments = environments, Window = TimeWindow.Between(peakBucket.Time, peakBucket.Time + width) };
                    SentryTimeSeries? minutes = (await _api.GetEventsStatsAsync(zoom, ct).ConfigureAwait(false)).FirstOrDefault();
                    if (BucketWidth(minutes) <= TimeSpan.FromMinutes(1))
                    {
                        double? zoomed = minutes!.Points.Select(p => p.Value).Where(v => v.HasValue).DefaultIfEmpty(null).Max();
                        return new Figure<double?>(zoomed, Record("PeakEventsPerMinute", "events-stats/", Stats(zoom), $"peak {Text(zoomed)}/min within the busiest {width.TotalMinutes:0}-minute bucket of the window"));
                    }
                }

                (double? peak, string note) = PeakPerMinute(first);
                return new Figure<double?>(peak, Record("PeakEventsPerMinute", "events-stats/", Stats(query), $"peak {Text(peak)}/min{note}"));
            }, cancellationToken);

            SentryTimeSeries? hourSeries = null;
            Task<Figure<double?>> perHour = Attempt("PeakUsersPerHour", async ct =>
            {
                var query = new StatsQuery { Dataset = "errors", YAxes = new[] { "count_unique(user)" }, Interval = "1h", Query = issueFilter, Projects = projects, Environments = environments, Window = window };
                IReadOnlyList<SentryTimeSeries> series = await _api.GetEventsStatsAsync(query, ct).ConfigureAwait(false);
                hourSeries = series.FirstOrDefault();
                double? peak = hourSeries?.Points.Select(p => p.Value).Where(v => v.HasValue).DefaultIfEmpty(null).Max();
                return new Figure<double?>(peak, Record("PeakUsersPerHour", "events-stats/", Stats(query), $"peak {Text(peak)} users in one clock hour"));
            }, cancellationToken);

            // Grouped by release so that the crash-free rate is the one of the issue's own releases: another
            // incident's crash in a sibling release of the project must not make this issue a P0. It needs the
            // issue's project, so it starts when the issue is known.
            SessionsQuery? sessionsQuery = null;
            Task<Figure<SentrySessionStats?>> sessions = Attempt("CrashFreeSessionRate", async ct =>
            {
                SentryIssue issue = await issueTask.ConfigureAwait(false);
                sessionsQuery = new SessionsQuery
                {
                    Fields = new[] { "crash_free_rate(session)", "crash_free_rate(user)", "sum(session)" },
                    GroupBy = new[] { "release" },
                    Projects = issue.ProjectId is string pid ? new[] { pid } : Array.Empty<string>(),
                    Environments = environments,
                    Window = window,
                    Interval = "1h",
                };
                return new Figure<SentrySessionStats?>(await _api.GetSessionsAsync(sessionsQuery, ct).ConfigureAwait(false), null);
            }, cancellationToken);

            Task<Figure<double?>> usersPerHourTask = BusiestHourAsync();

            // An incident across the top of the hour is split between two clock hours; count the users of its busiest
            // 60 minutes instead. Costs a request only when that can differ, and starts as soon as both series are in.
            async Task<Figure<double?>> BusiestHourAsync()
            {
                await Task.WhenAll(perHour, perMinute).ConfigureAwait(false);
                Figure<double?> clock = perHour.Result;
                if (clock.MissingReason != null || !Straddles(hourSeries) || !(DensestHour(minuteSeries) is DateTimeOffset busiest)) return clock;
                return await Attempt("PeakUsersPerHour", async ct =>
                {
                    var query = new DiscoverQuery { Dataset = "errors", Fields = new[] { "count_unique(user)" }, Query = issueFilter, Projects = projects, Environments = environments, Window = TimeWindow.Between(busiest, busiest.AddHours(1)), PerPage = 1 };
                    double? users = (await _api.QueryEventsAsync(query, ct).ConfigureAwait(false)).FirstNumber("count_unique(user)");
                    double? best = users is double u && clock.Value is double c ? Math.Max(u, c) : users ?? clock.Value;
                    return new Figure<double?>(best, Record("PeakUsersPerHour", "events/", Discover(query), $"{Text(users)} users in the busiest 60 minutes (clock hours: {Text(clock.Value)})"));
                }, cancellationToken).ConfigureAwait(false);
            }

            Task<Figure<IReadOnlyList<SentryIssueTag>>> tags = TagsFigure(issueTask, knownTags, cancellationToken);

            // The latency query goes out as soon as the tags name the issue's transaction.
            Task<Figure<double?>> p95Task = P95AfterTags(tags, issueTask, environments, window, cancellationToken);
            await Task.WhenAll(totals, perMinute, perHour, sessions, tags).ConfigureAwait(false);
            SentryIssue measured = await issueTask.ConfigureAwait(false);

            Figure<double?> usersPerHour = await usersPerHourTask.ConfigureAwait(false);

            IReadOnlyList<SentryIssueTag> tagList = tags.Result.Value ?? Array.Empty<SentryIssueTag>();
            Figure<(double? Sessions, double? Users)> crashFree;
            if (sessions.Result.MissingReason != null || sessions.Result.Value is null)
            {
                crashFree = Figure<(double?, double?)>.Missing(sessions.Result.MissingReason ?? "CrashFreeSessionRate: no answer");
            }
            else
            {
                (double? s, double? u, string note) = WorstHour(sessions.Result.Value, Values(tagList, "release"));
                crashFree = new Figure<(double?, double?)>((s, u), Record("CrashFreeSessionRate and CrashFreeUserRate", "sessions/", Sessions(sessionsQuery!), note));
            }

            string? transaction = TopValue(tagList, "transaction");
            Figure<double?> p95 = await p95Task.ConfigureAwait(false);

            foreach (IFigure figure in new IFigure[] { totals.Result, perMinute.Result, usersPerHour, crashFree, tags.Result, p95 })
            {
                if (figure.Query != null) queries.Add(figure.Query);
                if (figure.MissingReason != null) missing.Add(figure.MissingReason);
            }

            if (crashFree.MissingReason is null && crashFree.Value.Sessions is null)
            {
                missing.Add("CrashFreeSessionRate: the project sent no sessions in the window (release health is off or not supported by its SDK)");
            }

            if (p95.MissingReason is null && p95.Value is null)
            {
                missing.Add($"P95DurationMs: no performance data for transaction '{transaction}' in the window");
            }

            IReadOnlyList<string> environmentList = environments.Count > 0 ? environments : Values(tagList, "environment");
            TimeSpan period = Periods.Parse(statsPeriod);
            return new IncidentImpact(
                measured.Id,
                measured.ShortId,
                now - period,
                now,
                ToLong(totals.Result.Value.Events),
                ToLong(totals.Result.Value.Users),
                perMinute.Result.Value,
                ToLong(usersPerHour.Value),
                crashFree.Value.Sessions,
                crashFree.Value.Users,
                p95.Value,
                environmentList,
                Values(tagList, "release"),
                queries,
                widenedFrom,
                missing,
                transaction is null ? Array.Empty<string>() : new[] { transaction });
        }

        /// <summary>The issue's environment, release and transaction tags: the caller's when it read them, else read here.</summary>
        private Task<Figure<IReadOnlyList<SentryIssueTag>>> TagsFigure(Task<SentryIssue> issueTask, Task<IReadOnlyList<SentryIssueTag>?>? knownTags, CancellationToken cancellationToken) =>
            Attempt("Environments and Releases", async ct =>
            {
                SentryIssue issue = await issueTask.ConfigureAwait(false);
                IReadOnlyList<SentryIssueTag>? known = knownTags is null ? null : await knownTags.ConfigureAwait(false);
                if (known != null)
                {
                    return new Figure<IReadOnlyList<SentryIssueTag>>(known, Record("Environments, Releases and Transaction", $"issues/{issue.Id}/tags/", Pairs(), string.Join("; ", known.Where(t => t.Key == "environment" || t.Key == "release" || t.Key == "transaction").Select(t => t.Key + ": " + string.Join(", ", t.TopValues.Select(v => v.Value))))));
                }

                IReadOnlyList<SentryIssueTag> list = await _api.GetIssueTagsAsync(issue.Id, new[] { "environment", "release", "transaction" }, ct).ConfigureAwait(false);
                return new Figure<IReadOnlyList<SentryIssueTag>>(list, Record("Environments, Releases and Transaction", $"issues/{issue.Id}/tags/", Pairs(("key", "environment"), ("key", "release"), ("key", "transaction")), string.Join("; ", list.Select(t => t.Key + ": " + string.Join(", ", t.TopValues.Select(v => v.Value))))));
            }, cancellationToken);

        /// <summary>A transaction's name is only unique within its project, so its p95 is asked of the issue's project.</summary>
        private async Task<Figure<double?>> P95AfterTags(Task<Figure<IReadOnlyList<SentryIssueTag>>> tags, Task<SentryIssue> issueTask, IReadOnlyList<string> environments, TimeWindow window, CancellationToken cancellationToken)
        {
            Figure<IReadOnlyList<SentryIssueTag>> known = await tags.ConfigureAwait(false);
            IReadOnlyList<string> projects;
            try
            {
                projects = (await issueTask.ConfigureAwait(false)).ProjectId is string id ? new[] { id } : Array.Empty<string>();
            }
            catch (SentryApiException)
            {
                projects = Array.Empty<string>();
            }

            return await P95Figure(TopValue(known.Value ?? Array.Empty<SentryIssueTag>(), "transaction"), projects, environments, window, cancellationToken).ConfigureAwait(false);
        }

        private Task<Figure<double?>> P95Figure(string? transaction, IReadOnlyList<string> projects, IReadOnlyList<string> environments, TimeWindow window, CancellationToken cancellationToken) =>
            transaction is null
                ? Task.FromResult(Figure<double?>.Missing("P95DurationMs: the issue's events name no transaction, so no latency can be tied to it"))
                : Attempt("P95DurationMs", ct => P95Async(transaction, projects, environments, window, ct), cancellationToken);

        private async Task<Figure<double?>> P95Async(string transaction, IReadOnlyList<string> projects, IReadOnlyList<string> environments, TimeWindow window, CancellationToken ct)
        {
            // SaaS answers p95 from the spans dataset; older self-hosted only knows the transactions dataset (REFERENCE.md §8).
            var spans = new DiscoverQuery { Dataset = "spans", Fields = new[] { "p95(span.duration)", "count()" }, Query = $"is_transaction:true transaction:\"{transaction}\"", Projects = projects, Environments = environments, Window = window, PerPage = 1 };
            try
            {
                SentryTable table = await _api.QueryEventsAsync(spans, ct).ConfigureAwait(false);
                double? value = table.FirstNumber("p95(span.duration)");
                return new Figure<double?>(value, Record("P95DurationMs", "events/", Discover(spans), $"p95(span.duration)={Text(value)} ms"));
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.InvalidRequest)
            {
                var transactions = new DiscoverQuery { Dataset = "transactions", Fields = new[] { "p95(transaction.duration)", "count()" }, Query = $"event.type:transaction transaction:\"{transaction}\"", Projects = projects, Environments = environments, Window = window, PerPage = 1 };
                SentryTable table = await _api.QueryEventsAsync(transactions, ct).ConfigureAwait(false);
                double? value = table.FirstNumber("p95(transaction.duration)");
                return new Figure<double?>(value, Record("P95DurationMs", "events/", Discover(transactions), $"p95(transaction.duration)={Text(value)} ms (the spans dataset was refused: {ex.Detail})"));
            }
        }

        /// <summary>
        /// Sentry widens the interval when a window has too many buckets; then the per-minute peak is the
        /// largest bucket divided by its minutes, and the record says so.
        /// </summary>
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

        private static TimeSpan BucketWidth(SentryTimeSeries? series) =>
            series is null || series.Points.Count < 2 ? TimeSpan.FromMinutes(1) : series.Points[1].Time - series.Points[0].Time;

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
        /// The lowest hourly crash-free rates among hours with enough sessions: a drop during the incident is the
        /// figure that matters, and a day's average would hide it. Rates come as fractions; these are percent.
        /// </summary>
        internal static (double? Sessions, double? Users, string Note) WorstHour(SentrySessionStats stats, IReadOnlyList<string>? releases = null)
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
                if ((counts[i] ?? 0) < MinimumSessionsPerHour) continue;
                if (i < sessionRates.Count && sessionRates[i] is double s) worstSessions = Math.Min(worstSessions ?? double.MaxValue, s);
                if (i < userRates.Count && userRates[i] is double u) worstUsers = Math.Min(worstUsers ?? double.MaxValue, u);
            }

            string basis = "lowest hourly rate among hours with at least " + MinimumSessionsPerHour + " sessions";
            if (worstSessions is null)
            {
                worstSessions = group.Totals.TryGetValue("crash_free_rate(session)", out double? t) ? t : null;
                worstUsers = group.Totals.TryGetValue("crash_free_rate(user)", out double? tu) ? tu : null;
                basis = "the window's total (no hour had enough sessions)";
            }

            double? sessionsPercent = worstSessions is double ws ? Math.Round(ws * 100, 2) : (double?)null;
            double? usersPercent = worstUsers is double wu ? Math.Round(wu * 100, 2) : (double?)null;
            return (sessionsPercent, usersPercent, $"crash-free sessions {Text(sessionsPercent)}%, users {Text(usersPercent)}% of {scope} ({basis}; {total:0} sessions)");
        }

        /// <summary>Several release groups as one: rates weighted by each group's sessions, hour by hour.</summary>
        private static SentrySessionGroup Combine(IReadOnlyList<SentrySessionGroup> groups)
        {
            if (groups.Count == 1) return groups[0];
            int length = groups.Max(g => Series(g, "sum(session)").Count);
            var counts = new List<double?>();
            var sessionRates = new List<double?>();
            var userRates = new List<double?>();
            for (int i = 0; i < length; i++)
            {
                double n = 0, crashFreeSessions = 0, crashFreeUsers = 0, withUsers = 0;
                foreach (SentrySessionGroup g in groups)
                {
                    IReadOnlyList<double?> c = Series(g, "sum(session)");
                    double count = i < c.Count ? c[i] ?? 0 : 0;
                    if (count <= 0) continue;
                    n += count;
                    IReadOnlyList<double?> sr = Series(g, "crash_free_rate(session)");
                    crashFreeSessions += (i < sr.Count ? sr[i] ?? 1 : 1) * count;
                    IReadOnlyList<double?> ur = Series(g, "crash_free_rate(user)");
                    if (i < ur.Count && ur[i] is double rate) { crashFreeUsers += rate * count; withUsers += count; }
                }

                counts.Add(n);
                sessionRates.Add(n > 0 ? crashFreeSessions / n : (double?)null);
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

        private static string? TopValue(IReadOnlyList<SentryIssueTag> tags, string key) =>
            tags.FirstOrDefault(t => t.Key == key)?.TopValues.OrderByDescending(v => v.Count).FirstOrDefault()?.Value;

        private static IReadOnlyList<string> Values(IReadOnlyList<SentryIssueTag> tags, string key) =>
            tags.FirstOrDefault(t => t.Key == key)?.TopValues.Select(v => v.Value).Where(v => v.Length > 0).ToList() ?? new List<string>();

        private static long? ToLong(double? value) => value is double v ? (long)Math.Round(v) : (long?)null;

        private static string Text(double? value) => value is double v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "none";

        /// <summary>Runs one query; a Sentry refusal becomes a missing signal, while failures that stop everything propagate.</summary>
        private static async Task<Figure<T>> Attempt<T>(string figure, Func<CancellationToken, Task<Figure<T>>> query, CancellationToken cancellationToken)
        {
            try
            {
                return await query(cancellationToken).ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (ex.Kind != SentryErrorKind.Authentication && ex.Kind != SentryErrorKind.Transport && ex.Kind != SentryErrorKind.Configuration)
            {
                return Figure<T>.Missing($"{figure}: Sentry answered {(ex.StatusCode is int s ? s.ToString(CultureInfo.InvariantCulture) : ex.Kind.ToString())}" + (ex.Detail is null ? string.Empty : $" ({ex.Detail})"));
            }
        }

        private static ImpactQuery Record(string figure, string endpoint, IReadOnlyList<KeyValuePair<string, string>> parameters, string result) =>
            new ImpactQuery(figure, endpoint, parameters, result);

        private static IReadOnlyList<KeyValuePair<string, string>> Pairs(params (string Key, string Value)[] pairs) =>
            pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToList();

        private static IReadOnlyList<KeyValuePair<string, string>> Discover(DiscoverQuery q) =>
            Pairs(new[] { ("dataset", q.Dataset) }.Concat(q.Fields.Select(f => ("field", f))).Concat(new[] { ("query", q.Query ?? string.Empty) }).Concat(Scope(q.Projects, q.Environments, q.Window)).ToArray());

        private static IReadOnlyList<KeyValuePair<string, string>> Stats(StatsQuery q) =>
            Pairs(new[] { ("dataset", q.Dataset) }.Concat(q.YAxes.Select(y => ("yAxis", y))).Concat(new[] { ("interval", q.Interval), ("query", q.Query ?? string.Empty) }).Concat(Scope(q.Projects, q.Environments, q.Window)).Concat(q.Partial ? new[] { ("partial", "1") } : Array.Empty<(string, string)>()).ToArray());

        private static IReadOnlyList<KeyValuePair<string, string>> Sessions(SessionsQuery q) =>
            Pairs(q.Fields.Select(f => ("field", f)).Concat(new[] { ("interval", q.Interval) }).Concat(Scope(q.Projects, q.Environments, q.Window)).ToArray());

        private static IEnumerable<(string, string)> Scope(IReadOnlyList<string> projects, IReadOnlyList<string> environments, TimeWindow window) =>
            projects.Select(p => ("project", p)).Concat(environments.Select(e => ("environment", e))).Concat(window.Parameters().Select(p => (p.Key, p.Value)));

        private interface IFigure
        {
            ImpactQuery? Query { get; }
            string? MissingReason { get; }
        }

        private sealed class Figure<T> : IFigure
        {
            public Figure(T value, ImpactQuery? query, string? missingReason = null)
            {
                Value = value;
                Query = query;
                MissingReason = missingReason;
            }

            public T Value { get; }
            public ImpactQuery? Query { get; }
            public string? MissingReason { get; }

            public static Figure<T> Missing(string reason) => new Figure<T>(default!, null, reason);
        }
    }
}

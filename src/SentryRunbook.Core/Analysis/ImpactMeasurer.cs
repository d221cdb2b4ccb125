using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using static SentryRunbook.Analysis.Figures;
using static SentryRunbook.Text.Formats;

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
                return new Figure<(double?, double?)>(value, Record("Events and UniqueUsers", query, $"count()={Number(value.Events)}, count_unique(user)={Number(value.Users)}"));
            }, cancellationToken);

            SentryTimeSeries? minuteSeries = null;
            Task<Figure<double?>> perMinute = Attempt("PeakEventsPerMinute", async ct =>
            {
                var query = new StatsQuery { Dataset = "errors", YAxes = new[] { "count()" }, Interval = "1m", Query = issueFilter, Projects = projects, Environments = environments, Window = window };
                IReadOnlyList<SentryTimeSeries> series = await _api.GetEventsStatsAsync(query, ct).ConfigureAwait(false);
                SentryTimeSeries? first = series.FirstOrDefault();
                minuteSeries = first;
                TimeSpan width = ImpactStatistics.BucketWidth(first);
                if (width > TimeSpan.FromMinutes(1) && first!.Points.Count > 0)
                {
                    // Over long windows Sentry answers with wide buckets (1h beyond a day); a peak hour divided by 60
                    // would hide a five-minute burst, so the peak bucket is read again minute by minute.
                    SentryTimePoint peakBucket = first.Points.OrderByDescending(p => p.Value ?? 0).First();
                    var zoom = new StatsQuery { Dataset = "errors", YAxes = new[] { "count()" }, Interval = "1m", Query = issueFilter, Projects = projects, Environments = environments, Window = TimeWindow.Between(peakBucket.Time, peakBucket.Time + width) };
                    SentryTimeSeries? minutes = (await _api.GetEventsStatsAsync(zoom, ct).ConfigureAwait(false)).FirstOrDefault();
                    if (ImpactStatistics.BucketWidth(minutes) <= TimeSpan.FromMinutes(1))
                    {
                        double? zoomed = minutes!.Points.Select(p => p.Value).Where(v => v.HasValue).DefaultIfEmpty(null).Max();
                        return new Figure<double?>(zoomed, Record("PeakEventsPerMinute", zoom, $"peak {Number(zoomed)}/min within the busiest {width.TotalMinutes:0}-minute bucket of the window"));
                    }
                }

                (double? peak, string note) = ImpactStatistics.PeakPerMinute(first);
                return new Figure<double?>(peak, Record("PeakEventsPerMinute", query, $"peak {Number(peak)}/min{note}"));
            }, cancellationToken);

            SentryTimeSeries? hourSeries = null;
            Task<Figure<double?>> perHour = Attempt("PeakUsersPerHour", async ct =>
            {
                var query = new StatsQuery { Dataset = "errors", YAxes = new[] { "count_unique(user)" }, Interval = "1h", Query = issueFilter, Projects = projects, Environments = environments, Window = window };
                IReadOnlyList<SentryTimeSeries> series = await _api.GetEventsStatsAsync(query, ct).ConfigureAwait(false);
                hourSeries = series.FirstOrDefault();
                double? peak = hourSeries?.Points.Select(p => p.Value).Where(v => v.HasValue).DefaultIfEmpty(null).Max();
                return new Figure<double?>(peak, Record("PeakUsersPerHour", query, $"peak {Number(peak)} users in one clock hour"));
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
                    // Hourly for an incident's day; wider over 30 or 90 days, where hours for every release exceed Sentry's 10,000 points.
                    Interval = SessionsQuery.IntervalFor(Periods.Parse(statsPeriod)),
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
                if (clock.MissingReason != null || !ImpactStatistics.Straddles(hourSeries) || !(ImpactStatistics.DensestHour(minuteSeries) is DateTimeOffset busiest)) return clock;
                return await Attempt("PeakUsersPerHour", async ct =>
                {
                    var query = new DiscoverQuery { Dataset = "errors", Fields = new[] { "count_unique(user)" }, Query = issueFilter, Projects = projects, Environments = environments, Window = TimeWindow.Between(busiest, busiest.AddHours(1)), PerPage = 1 };
                    double? users = (await _api.QueryEventsAsync(query, ct).ConfigureAwait(false)).FirstNumber("count_unique(user)");
                    double? best = users is double u && clock.Value is double c ? Math.Max(u, c) : users ?? clock.Value;
                    return new Figure<double?>(best, Record("PeakUsersPerHour", query, $"{Number(users)} users in the busiest 60 minutes (clock hours: {Number(clock.Value)})"));
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
                (double? s, double? u, string note) = ImpactStatistics.WorstHour(sessions.Result.Value, Values(tagList, "release"), sessionsQuery!.Interval);
                crashFree = new Figure<(double?, double?)>((s, u), Record("CrashFreeSessionRate and CrashFreeUserRate", sessionsQuery!, note));
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
                    return new Figure<IReadOnlyList<SentryIssueTag>>(known, new ImpactQuery("Environments, Releases and Transaction", $"issues/{issue.Id}/tags/", Pairs(), string.Join("; ", known.Where(t => t.Key == "environment" || t.Key == "release" || t.Key == "transaction").Select(t => t.Key + ": " + string.Join(", ", t.TopValues.Select(v => v.Value))))));
                }

                IReadOnlyList<SentryIssueTag> list = await _api.GetIssueTagsAsync(issue.Id, new[] { "environment", "release", "transaction" }, ct).ConfigureAwait(false);
                return new Figure<IReadOnlyList<SentryIssueTag>>(list, new ImpactQuery("Environments, Releases and Transaction", $"issues/{issue.Id}/tags/", Pairs(("key", "environment"), ("key", "release"), ("key", "transaction")), string.Join("; ", list.Select(t => t.Key + ": " + string.Join(", ", t.TopValues.Select(v => v.Value))))));
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
                return new Figure<double?>(value, Record("P95DurationMs", spans, $"p95(span.duration)={Number(value)} ms"));
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.InvalidRequest)
            {
                var transactions = new DiscoverQuery { Dataset = "transactions", Fields = new[] { "p95(transaction.duration)", "count()" }, Query = $"event.type:transaction transaction:\"{transaction}\"", Projects = projects, Environments = environments, Window = window, PerPage = 1 };
                SentryTable table = await _api.QueryEventsAsync(transactions, ct).ConfigureAwait(false);
                double? value = table.FirstNumber("p95(transaction.duration)");
                return new Figure<double?>(value, Record("P95DurationMs", transactions, $"p95(transaction.duration)={Number(value)} ms (the spans dataset was refused: {ex.Detail})"));
            }
        }

        private static string? TopValue(IReadOnlyList<SentryIssueTag> tags, string key) =>
            tags.FirstOrDefault(t => t.Key == key)?.TopValues.OrderByDescending(v => v.Count).FirstOrDefault()?.Value;

        private static IReadOnlyList<string> Values(IReadOnlyList<SentryIssueTag> tags, string key) =>
            tags.FirstOrDefault(t => t.Key == key)?.TopValues.Select(v => v.Value).Where(v => v.Length > 0).ToList() ?? new List<string>();

        private static long? ToLong(double? value) => value is double v ? (long)Math.Round(v) : (long?)null;
    }
}

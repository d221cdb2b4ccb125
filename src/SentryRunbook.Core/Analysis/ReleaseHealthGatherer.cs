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
    /// <summary>What to judge a release on.</summary>
    public sealed class ReleaseHealthRequest
    {
        public string Release { get; set; } = string.Empty;
        public string Environment { get; set; } = "production";
        public string? Project { get; set; }
        /// <summary>The release to compare with; null finds the one deployed to the environment before <see cref="Release"/>.</summary>
        public string? Baseline { get; set; }
        /// <summary>The start of the window; null means the release's first deploy to the environment.</summary>
        public DateTimeOffset? Since { get; set; }
        /// <summary>How many transactions, busiest first, to compare p95 for.</summary>
        public int Transactions { get; set; } = 5;
    }

    /// <summary>
    /// Gathers a release's health signals beside its baseline's, in two rounds: first the deploys (the
    /// release's own, and the newest releases' to find the baseline), then concurrently the sessions of
    /// both (crash-free rates, adoption), their error counts, the issues first seen in and regressed in the
    /// release, and the p95 of the release's busiest transactions (spans dataset, falling back to the
    /// transactions dataset on servers that refuse it). A figure Sentry refuses becomes a missing signal
    /// with the reason; every figure records its query.
    /// </summary>
    public sealed class ReleaseHealthGatherer
    {
        /// <summary>How many of the newest releases to read deploys for when looking for the baseline.</summary>
        public const int ReleasesToSearch = 10;

        /// <summary>The baseline's window reaches back at most this far before the release's.</summary>
        public static readonly TimeSpan LongestBaselineWindow = TimeSpan.FromDays(7);

        private readonly ISentryApi _api;

        public ReleaseHealthGatherer(ISentryApi api)
        {
            _api = api ?? throw new ArgumentNullException(nameof(api));
        }

        /// <summary>Receives the plan and what was skipped (for -Verbose). May be called from any thread.</summary>
        public Action<string>? Log { get; set; }

        public async Task<ReleaseHealthSignals> GatherAsync(ReleaseHealthRequest request, DateTimeOffset now, CancellationToken cancellationToken)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            string release = request.Release, environment = request.Environment;
            string[] projects = request.Project is null ? Array.Empty<string>() : new[] { request.Project };
            string[] environments = { environment };

            // Round 1: where and when the release (and its baseline) went out.
            Log?.Invoke($"Release health of {release} in {environment}: round 1, the deploys of {release}" + (request.Baseline is null ? " and of the project's newest releases (to find the baseline)" : $" and of {request.Baseline}"));
            Task<IReadOnlyList<SentryDeploy>> mineTask = _api.GetDeploysAsync(release, cancellationToken);
            Task<IReadOnlyList<SentryDeploy>> othersTask = request.Baseline is null
                ? OtherDeploysAsync(request.Project, release, cancellationToken)
                : _api.GetDeploysAsync(request.Baseline, cancellationToken);
            await Task.WhenAll(mineTask, othersTask).ConfigureAwait(false);

            DateTimeOffset? deployedAt = mineTask.Result.Where(d => Same(d.Environment, environment)).Select(When).Where(t => t.HasValue).Min();
            DateTimeOffset since = request.Since ?? deployedAt ?? throw new SentryApiException(
                SentryErrorKind.NotFound,
                "SentryReleaseNotDeployed",
                $"Release '{release}' has no deploy to '{environment}', so there is no start for its window.",
                $"Record the deploy first (New-SentryDeploy -Release '{release}' -Environment '{environment}'), or pass -Since.");
            if (since >= now) since = now.AddMinutes(-1);

            DateTimeOffset cutoff = deployedAt ?? since;
            var earlier = othersTask.Result
                .Where(d => Same(d.Environment, environment) && d.Release != release && When(d) < cutoff)
                .OrderByDescending(When)
                .ToList();
            string? baseline = request.Baseline ?? earlier.FirstOrDefault()?.Release;
            DateTimeOffset? baselineDeployedAt = earlier.Where(d => d.Release == baseline).Select(When).FirstOrDefault();
            DateTimeOffset baselineStart = baselineDeployedAt is DateTimeOffset b && b > since - LongestBaselineWindow ? b : since - (baselineDeployedAt.HasValue ? LongestBaselineWindow : TimeSpan.FromHours(24));
            if (baselineStart >= now) baselineStart = now.AddHours(-1);

            var signals = new ReleaseHealthSignals
            {
                Release = release,
                Baseline = baseline,
                Environment = environment,
                Project = request.Project,
                Since = since,
                EvaluatedAt = now,
            };
            signals.BaselineSource = baseline is null ? null
                : request.Baseline != null ? (baselineDeployedAt is DateTimeOffset named ? $"named by the caller; deployed to {environment} {Time(named)}" : "named by the caller; measured from " + Time(baselineStart))
                : $"the release deployed to {environment} before {release} ({Time(baselineDeployedAt!.Value)}; {release} followed {Time(cutoff)})";
            // The deploys behind the baseline and the window, for the record.
            var deployQuery = new ImpactQuery(
                "Baseline",
                request.Baseline is null ? "releases/ and releases/{version}/deploys/" : $"releases/{request.Baseline}/deploys/",
                request.Baseline is null ? projects.Select(p => Pair("project", p)).Concat(new[] { Pair("per_page", "100") }).ToList() : new List<KeyValuePair<string, string>>(),
                $"{release} first deployed to {environment} {(deployedAt is DateTimeOffset at ? Time(at) : "never")}; baseline {baseline ?? "none"}" + (baselineDeployedAt is DateTimeOffset bt ? $" deployed {Time(bt)}" : string.Empty));
            signals.Queries.Add(deployQuery);
            if (signals.BaselineSource != null) signals.BaselineSource += " [" + Cite(deployQuery) + "]";

            // Round 2, concurrently: sessions, errors, new and regressed issues, latency.
            Log?.Invoke($"Release health of {release}: round 2, concurrently: sessions, error counts, new issues, regressed issues, p95 of the busiest transactions"
                + (baseline is null ? " (no baseline)" : $", each also for {baseline} since {Time(baselineStart)}"));
            var mineWindow = TimeWindow.Between(since, now);
            var baselineWindow = TimeWindow.Between(baselineStart, now);
            Task<Figure<SentrySessionStats>> mineSessions = Attempt("CrashFreeSessionRate", ct => Sessions(release, projects, environments, mineWindow, since, now, ct), cancellationToken);
            Task<Figure<SentrySessionStats>>? theirSessions = baseline is null ? null : Attempt("BaselineCrashFreeSessionRate", ct => Sessions(baseline!, projects, environments, baselineWindow, baselineStart, now, ct), cancellationToken);
            Task<Figure<double?>> mineErrors = Attempt("ErrorsPerThousandSessions", ct => Errors(release, projects, environments, mineWindow, ct), cancellationToken);
            Task<Figure<double?>>? theirErrors = baseline is null ? null : Attempt("BaselineErrorsPerThousandSessions", ct => Errors(baseline, projects, environments, baselineWindow, ct), cancellationToken);
            string period = Period(now - since);
            Task<Figure<IReadOnlyList<ReleaseIssue>>> newIssues = Attempt("NewIssues", ct => Issues($"first-release:{Quote(release)}", null, projects, environments, period, ct), cancellationToken);
            Task<Figure<IReadOnlyList<ReleaseIssue>>> regressed = Attempt("RegressedIssues", ct => Issues($"regressed_in_release:{Quote(release)}", $"is:regressed release:{Quote(release)}", projects, environments, period, ct), cancellationToken);
            Task<Figure<IReadOnlyList<ReleaseTransaction>>> latency = Attempt("P95DurationMs", ct => Latency(release, baseline, projects, environments, mineWindow, baselineWindow, Math.Max(1, request.Transactions), ct), cancellationToken);

            var pending = new List<Task> { mineSessions, mineErrors, newIssues, regressed, latency };
            if (theirSessions != null) pending.Add(theirSessions);
            if (theirErrors != null) pending.Add(theirErrors);
            await Task.WhenAll(pending).ConfigureAwait(false);

            Record(signals, mineSessions.Result, theirSessions?.Result, mineErrors.Result, theirErrors?.Result, newIssues.Result, regressed.Result, latency.Result);
            SentrySessionStats? mineStats = mineSessions.Result.Value, theirStats = theirSessions?.Result.Value;
            signals.ProjectHasSessions = HasSessions(mineStats) || HasSessions(theirStats);
            // Without sessions from either release (the project sends none, or release health is off) the counts are unknown, not zero.
            signals.Sessions = signals.ProjectHasSessions ? Counts(mineStats, release) : null;
            signals.BaselineSessions = signals.ProjectHasSessions && baseline != null ? Counts(theirStats, baseline) : null;
            signals.SessionsQuery = Cite(mineSessions.Result.Query);
            if (mineSessions.Result.MissingReason != null) signals.MissingSignals.Add(mineSessions.Result.MissingReason);

            signals.Errors = ToLong(mineErrors.Result.Value);
            signals.BaselineErrors = theirErrors is null ? null : ToLong(theirErrors.Result.Value);
            signals.ErrorsQuery = Cite(mineErrors.Result.Query);
            signals.NewIssues = newIssues.Result.Value ?? Array.Empty<ReleaseIssue>();
            signals.NewIssuesQuery = Cite(newIssues.Result.Query);
            signals.RegressedIssues = regressed.Result.Value ?? Array.Empty<ReleaseIssue>();
            signals.RegressedIssuesQuery = Cite(regressed.Result.Query);
            signals.Transactions = latency.Result.Value ?? Array.Empty<ReleaseTransaction>();
            signals.TransactionsQuery = Cite(latency.Result.Query);
            if (latency.Result.MissingReason is null && signals.Transactions.Count == 0)
            {
                signals.MissingSignals.Add($"P95DurationMs: no transactions of {release} in the window (no performance data)");
            }

            return signals;
        }

        /// <summary>The deploys of the project's newest releases other than <paramref name="release"/>, read concurrently.</summary>
        private async Task<IReadOnlyList<SentryDeploy>> OtherDeploysAsync(string? project, string release, CancellationToken ct)
        {
            SentryPage<SentryRelease> page = await _api.GetReleasePageAsync(project, null, null, ct).ConfigureAwait(false);
            var others = page.Items.Where(r => r.Version != release).Take(ReleasesToSearch).ToList();
            IReadOnlyList<SentryDeploy>[] deploys = await Task.WhenAll(others.Select(async r =>
            {
                // Releases that were never deployed need no request.
                if (r.LastDeploy is null) return (IReadOnlyList<SentryDeploy>)Array.Empty<SentryDeploy>();
                return await _api.GetDeploysAsync(r.Version, ct).ConfigureAwait(false);
            })).ConfigureAwait(false);
            return deploys.SelectMany(d => d).ToList();
        }

        private async Task<Figure<SentrySessionStats>> Sessions(string release, string[] projects, string[] environments, TimeWindow window, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
        {
            // Filtered to the one release, so that a project with many releases never pushes it out of the
            // groups Sentry returns; grouped by release so the answer names it. Hourly within two days,
            // daily beyond (Sentry allows 10,000 points).
            var query = new SessionsQuery
            {
                Query = "release:" + Quote(release),
                Fields = new[] { "sum(session)", "crash_free_rate(session)", "count_unique(user)", "crash_free_rate(user)" },
                GroupBy = new[] { "release" },
                Projects = projects,
                Environments = environments,
                Window = window,
                Interval = end - start <= TimeSpan.FromHours(48) ? "1h" : "1d",
            };
            SentrySessionStats stats = await _api.GetSessionsAsync(query, ct).ConfigureAwait(false);
            string summary = string.Join("; ", stats.Groups.Where(g => g.By.ContainsKey("release")).Take(5).Select(g => $"{g.By["release"]}: {Total(g, "sum(session)")} sessions, crash-free {Total(g, "crash_free_rate(session)")}"));
            return new Figure<SentrySessionStats>(stats, Figures.Record("Sessions", query, summary.Length == 0 ? "no sessions" : summary));
        }

        private async Task<Figure<double?>> Errors(string release, string[] projects, string[] environments, TimeWindow window, CancellationToken ct)
        {
            var query = new DiscoverQuery { Dataset = "errors", Fields = new[] { "count()" }, Query = "release:" + Quote(release), Projects = projects, Environments = environments, Window = window, PerPage = 1 };
            SentryTable table = await _api.QueryEventsAsync(query, ct).ConfigureAwait(false);
            double? count = table.FirstNumber("count()") ?? (table.Rows.Count == 0 ? 0 : (double?)null);
            return new Figure<double?>(count, Figures.Record("Errors", query, $"count()={Number(count)}"));
        }

        private async Task<Figure<IReadOnlyList<ReleaseIssue>>> Issues(string search, string? fallback, string[] projects, string[] environments, string period, CancellationToken ct)
        {
            var query = new IssueQuery { Query = search, Projects = projects, Environments = environments, StatsPeriod = period, Sort = "user", Limit = 100 };
            string? note = null;
            SentryPage<SentryIssue> page;
            try
            {
                page = await _api.GetIssuePageAsync(query, null, ct).ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (fallback != null && ex.Kind == SentryErrorKind.InvalidRequest)
            {
                // regressed_in_release arrived in 2023; older servers get the nearest question they understand.
                note = $" ('{search}' was refused: {ex.Detail}; asked '{fallback}' instead)";
                query.Query = fallback;
                page = await _api.GetIssuePageAsync(query, null, ct).ConfigureAwait(false);
            }

            var issues = page.Items.Select(i => new ReleaseIssue(i.Id, i.ShortId, i.Title, i.Level, i.Count, i.UserCount, i.IsUnhandled, i.Permalink)).ToList();
            var pairs = new List<KeyValuePair<string, string>> { Pair("query", query.Query ?? string.Empty) };
            pairs.AddRange(projects.Select(p => Pair("project", p)));
            pairs.AddRange(environments.Select(e => Pair("environment", e)));
            pairs.Add(Pair("statsPeriod", period));
            return new Figure<IReadOnlyList<ReleaseIssue>>(issues, new ImpactQuery("Issues", "issues/", pairs, $"{issues.Count} issues" + (page.Next != null ? " (first page)" : string.Empty) + (note ?? string.Empty)));
        }

        private async Task<Figure<IReadOnlyList<ReleaseTransaction>>> Latency(string release, string? baseline, string[] projects, string[] environments, TimeWindow window, TimeWindow baselineWindow, int top, CancellationToken ct)
        {
            // SaaS answers from the spans dataset; older self-hosted only knows the transactions dataset (REFERENCE.md §8).
            try
            {
                return await LatencyFrom("spans", "p95(span.duration)", "is_transaction:true", release, baseline, projects, environments, window, baselineWindow, top, null, ct).ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.InvalidRequest)
            {
                return await LatencyFrom("transactions", "p95(transaction.duration)", "event.type:transaction", release, baseline, projects, environments, window, baselineWindow, top, $" (the spans dataset was refused: {ex.Detail})", ct).ConfigureAwait(false);
            }
        }

        private async Task<Figure<IReadOnlyList<ReleaseTransaction>>> LatencyFrom(string dataset, string p95, string filter, string release, string? baseline, string[] projects, string[] environments, TimeWindow window, TimeWindow baselineWindow, int top, string? note, CancellationToken ct)
        {
            var mine = new DiscoverQuery { Dataset = dataset, Fields = new[] { "transaction", p95, "count()" }, Query = $"{filter} release:{Quote(release)}", Projects = projects, Environments = environments, Window = window, Sort = "-count()", PerPage = top };
            Task<SentryTable> mineTask = _api.QueryEventsAsync(mine, ct);
            DiscoverQuery? theirs = baseline is null ? null : new DiscoverQuery { Dataset = dataset, Fields = new[] { "transaction", p95, "count()" }, Query = $"{filter} release:{Quote(baseline)}", Projects = projects, Environments = environments, Window = baselineWindow, Sort = "-count()", PerPage = 100 };
            Task<SentryTable>? theirTask = theirs is null ? null : _api.QueryEventsAsync(theirs, ct);
            SentryTable mineTable = await mineTask.ConfigureAwait(false);
            SentryTable? theirTable = theirTask is null ? null : await theirTask.ConfigureAwait(false);

            var baselineRows = (theirTable?.Rows ?? Array.Empty<IReadOnlyDictionary<string, object?>>())
                .Where(r => r.TryGetValue("transaction", out object? name) && name is string)
                .GroupBy(r => (string)r["transaction"]!)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var list = new List<ReleaseTransaction>();
            foreach (IReadOnlyDictionary<string, object?> row in mineTable.Rows)
            {
                if (!(row.TryGetValue("transaction", out object? n) && n is string name)) continue;
                baselineRows.TryGetValue(name, out IReadOnlyDictionary<string, object?>? before);
                list.Add(new ReleaseTransaction(name, ToLong(Cell(row, "count()")) ?? 0, Cell(row, p95), before is null ? null : ToLong(Cell(before, "count()")), before is null ? null : Cell(before, p95)));
            }

            string result = string.Join("; ", list.Select(t => $"{t.Transaction}: {p95}={Number(t.P95DurationMs)} ms over {t.Count} (baseline {Number(t.BaselineP95DurationMs)} ms over {(t.BaselineCount is long c ? c.ToString(CultureInfo.InvariantCulture) : "none")})"));
            var pairs = mine.ToParameters().ToList();
            if (theirs != null) pairs.Add(Pair("baseline query", theirs.Query ?? string.Empty));
            return new Figure<IReadOnlyList<ReleaseTransaction>>(list, new ImpactQuery("P95DurationMs", "events/", pairs, (result.Length == 0 ? "no transactions" : result) + (note ?? string.Empty)));
        }

        private static void Record(ReleaseHealthSignals signals, params IFigure?[] figures)
        {
            foreach (IFigure? figure in figures)
            {
                if (figure is null) continue;
                if (figure.Query != null) signals.Queries.Add(figure.Query);
                if (figure.MissingReason != null && !figure.Name.StartsWith("CrashFreeSessionRate", StringComparison.Ordinal)) signals.MissingSignals.Add(figure.MissingReason);
            }
        }

        private static bool HasSessions(SentrySessionStats? stats) =>
            stats != null && stats.Groups.Any(g => (Total(g, "sum(session)") ?? 0) > 0);

        /// <summary>
        /// Counts from Sentry's rates: crashed = sessions · (1 - crash-free rate), exact after rounding because
        /// Sentry computes the rate from those same integers. Null when the release has no group (no sessions).
        /// </summary>
        internal static SessionCounts? Counts(SentrySessionStats? stats, string release)
        {
            if (stats is null) return null;
            SentrySessionGroup? group = stats.Groups.FirstOrDefault(g => g.By.TryGetValue("release", out string? r) && r == release);
            if (group is null) return stats.Groups.Count > 0 || stats.Intervals.Count > 0 ? new SessionCounts(0, 0, null, null) : null;
            long sessions = (long)Math.Round(Total(group, "sum(session)") ?? 0);
            if (sessions <= 0) return new SessionCounts(0, 0, null, null);
            long crashed = Total(group, "crash_free_rate(session)") is double rate ? Clamp((long)Math.Round(sessions * (1 - rate)), sessions) : 0;
            long? users = Total(group, "count_unique(user)") is double u ? (long)Math.Round(u) : (long?)null;
            long? crashedUsers = users is long n && Total(group, "crash_free_rate(user)") is double userRate ? Clamp((long)Math.Round(n * (1 - userRate)), n) : (long?)null;
            return new SessionCounts(sessions, crashed, users, crashedUsers);
        }

        /// <summary>The query as a reason cites it: method, endpoint and parameters.</summary>
        private static string? Cite(ImpactQuery? query) =>
            query is null ? null : $"GET {query.Endpoint}?" + string.Join("&", query.Parameters.Select(p => p.Key + "=" + p.Value));

        private static long Clamp(long value, long max) => Math.Max(0, Math.Min(max, value));

        private static double? Total(SentrySessionGroup group, string field) =>
            group.Totals.TryGetValue(field, out double? value) ? value : null;

        private static double? Cell(IReadOnlyDictionary<string, object?> row, string field) =>
            row.TryGetValue(field, out object? value) && value is double d ? d : (double?)null;

        private static DateTimeOffset? When(SentryDeploy deploy) => deploy.DateFinished ?? deploy.DateStarted;

        private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        /// <summary>Search values in double quotes: versions contain @, + and spaces.</summary>
        internal static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        /// <summary>Whole hours covering the span, for the issue search's statsPeriod (at least 1h, at most 90d).</summary>
        internal static string Period(TimeSpan span)
        {
            int hours = (int)Math.Ceiling(Math.Max(1, span.TotalHours));
            return hours > 24 * 90 ? "90d" : hours.ToString(CultureInfo.InvariantCulture) + "h";
        }

        private static long? ToLong(double? value) => value is double v ? (long)Math.Round(v) : (long?)null;

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);
    }
}

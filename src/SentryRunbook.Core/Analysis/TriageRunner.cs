using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Analysis
{
    /// <summary>What to triage with, beyond the issue itself.</summary>
    public sealed class TriageOptions
    {
        public string StatsPeriod { get; set; } = "24h";
        public IReadOnlyList<string> Environments { get; set; } = Array.Empty<string>();
        public bool WorkaroundExists { get; set; }
        public bool CoreFlow { get; set; }
        public IncidentPolicy Policy { get; set; } = IncidentPolicy.Default;
        /// <summary>False when only the patterns are wanted: the impact queries are skipped.</summary>
        public bool MeasureImpact { get; set; } = true;
    }

    /// <summary>
    /// Gathers what the runbook's triage checklist reads, in two rounds of concurrent calls planned by
    /// dependency: first what needs only the issue id (the issue, its latest event, tags, activity), then
    /// what needs the issue or its event (impact, suspect commits, the first release and its deploys, the
    /// project's releases, traffic, crash-free rates by release). Calls share the connection's concurrency
    /// limit and rate-limit budget. A piece Sentry refuses is recorded as a problem; the report says so.
    /// </summary>
    public sealed class TriageRunner
    {
        private readonly ISentryApi _api;

        public TriageRunner(ISentryApi api)
        {
            _api = api ?? throw new ArgumentNullException(nameof(api));
        }

        /// <summary>Receives the call plan and what was skipped (for -Verbose). May be called from any thread.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Receives warnings (a widened impact window).</summary>
        public Action<string>? Warn { get; set; }

        public async Task<TriageReport> RunAsync(string issueId, SentryIssue? knownIssue, TriageOptions options, DateTimeOffset now, CancellationToken cancellationToken)
        {
            // The issue is read again even when one was piped in: list rows lack the detail-only first and last
            // release (REFERENCE.md §2.1), and the read costs no time beside the other round-1 calls.
            Log?.Invoke($"Triage plan for {knownIssue?.ToString() ?? issueId}: round 1, concurrently: issue details, latest event, tags, activity");
            Task<SentryIssue> issueTask = _api.GetIssueAsync(issueId, cancellationToken);
            var problems = new Dictionary<string, string>(StringComparer.Ordinal);
            Task<SentryEvent?> eventTask = Optional("Latest event", ct => _api.GetIssueEventAsync(issueId, "latest", options.Environments, ct), problems, cancellationToken);
            Task<IReadOnlyList<SentryIssueTag>?> tagsTask = Optional("Tags", ct => _api.GetIssueTagsAsync(issueId, Array.Empty<string>(), ct), problems, cancellationToken);
            Task<IReadOnlyList<SentryActivity>?> activityTask = Optional("Activity", ct => _api.GetIssueActivityAsync(issueId, ct), problems, cancellationToken);
            await Task.WhenAll(issueTask, eventTask, tagsTask, activityTask).ConfigureAwait(false);

            SentryIssue issue = issueTask.Result;
            SentryEvent? latest = eventTask.Result;
            IReadOnlyList<SentryIssueTag> tags = tagsTask.Result ?? Array.Empty<SentryIssueTag>();
            string[] project = issue.ProjectId is string pid ? new[] { pid } : Array.Empty<string>();

            Log?.Invoke($"Triage plan for {issue}: round 2, concurrently: " + (options.MeasureImpact ? $"impact ({options.StatsPeriod}), " : string.Empty)
                + (latest != null ? "suspect commits of event " + latest.EventId + ", " : string.Empty)
                + (issue.FirstRelease != null ? $"the deploys of {issue.FirstRelease}, " : string.Empty)
                + "the project's releases, hourly traffic, crash-free rate by release");

            var measurer = new ImpactMeasurer(_api) { Warn = Warn };
            Task<IncidentImpact?> impactTask = options.MeasureImpact
                ? Optional("Impact", ct => measurer.MeasureAsync(issue, options.StatsPeriod, options.Environments, now, ct, tags), problems, cancellationToken)
                : Task.FromResult<IncidentImpact?>(null);
            Task<IReadOnlyList<SuspectCommit>?> commitsTask = latest is null
                ? Task.FromResult<IReadOnlyList<SuspectCommit>?>(null)
                : Optional("Suspect commits", ct => _api.GetSuspectCommitsAsync(issue.Project, latest.EventId, ct), problems, cancellationToken);
            Task<IReadOnlyList<SentryDeploy>?> deploysTask = issue.FirstRelease is null
                ? Task.FromResult<IReadOnlyList<SentryDeploy>?>(null)
                : Optional("Deploys", ct => _api.GetDeploysAsync(issue.FirstRelease, ct), problems, cancellationToken);
            Task<SentryPage<SentryRelease>?> releasesTask = Optional("Releases", ct => _api.GetReleasePageAsync(issue.ProjectId ?? issue.Project, null, null, ct), problems, cancellationToken);
            Task<IReadOnlyList<SentryTimeSeries>?> trafficTask = Optional("Traffic", ct => _api.GetEventsStatsAsync(new StatsQuery
            {
                Dataset = "spans",
                YAxes = new[] { "count()" },
                Interval = "1h",
                Query = "is_transaction:true",
                Projects = project,
                Environments = options.Environments,
                Window = TimeWindow.Period("24h"),
            }, ct), problems, cancellationToken);
            Task<SentrySessionStats?> healthTask = Optional("Release health", ct => _api.GetSessionsAsync(new SessionsQuery
            {
                Fields = new[] { "crash_free_rate(session)", "sum(session)" },
                GroupBy = new[] { "release" },
                Projects = project,
                Environments = options.Environments,
                Window = TimeWindow.Period("14d"),
                Interval = "1d",
            }, ct), problems, cancellationToken);
            await Task.WhenAll(impactTask, commitsTask, deploysTask, releasesTask, trafficTask, healthTask).ConfigureAwait(false);

            foreach (KeyValuePair<string, string> problem in problems) Log?.Invoke($"Triage of {issue}: {problem.Key} unavailable: {problem.Value}");

            var data = new TriageData(issue, now)
            {
                LatestEvent = latest,
                Tags = tags,
                Activity = activityTask.Result ?? Array.Empty<SentryActivity>(),
                SuspectCommits = commitsTask.Result ?? Array.Empty<SuspectCommit>(),
                // The project's newest releases usually include the first release; its creation date dates a deploy-less release.
                FirstRelease = releasesTask.Result?.Items.FirstOrDefault(r => r.Version == issue.FirstRelease),
                FirstReleaseDeploys = deploysTask.Result ?? Array.Empty<SentryDeploy>(),
                Traffic = trafficTask.Result?.FirstOrDefault()?.Points ?? (IReadOnlyList<SentryTimePoint>)Array.Empty<SentryTimePoint>(),
                Impact = impactTask.Result,
            };
            foreach (KeyValuePair<string, string> problem in problems) data.Problems[problem.Key] = problem.Value;

            string environment = data.FirstReleaseDeploys.Select(d => d.Environment).FirstOrDefault(options.Policy.IsProduction)
                ?? (data.Impact?.Environments ?? Array.Empty<string>()).FirstOrDefault(options.Policy.IsProduction)
                ?? "production";
            IEnumerable<SentryDeploy> history = (releasesTask.Result?.Items ?? Array.Empty<SentryRelease>())
                .Where(r => r.LastDeploy != null)
                .Select(r => r.LastDeploy!)
                .Concat(data.FirstReleaseDeploys);
            // The release to roll back past: the one the issue regressed in, else the one that introduced it.
            string? badRelease = data.Activity.Where(a => a.Type == "set_regression").Select(a => a.Data.TryGetValue("version", out string? v) ? v : null).FirstOrDefault(v => !string.IsNullOrEmpty(v))
                ?? issue.FirstRelease;
            var affected = new HashSet<string>(tags.Where(t => t.Key == "release").SelectMany(t => t.TopValues).Select(v => v.Value), StringComparer.Ordinal);
            foreach (string? release in new[] { issue.FirstRelease, issue.LastRelease }) if (release != null) affected.Add(release);
            data.RollbackTarget = RollbackFinder.Find(environment, issue.Project, history, CrashFreeByRelease(healthTask.Result), options.Policy, badRelease: badRelease, affectedReleases: affected);

            return TriageBuilder.Build(data, options.Policy, options.WorkaroundExists, options.CoreFlow);
        }

        /// <summary>Crash-free session rate per release in percent, from a sessions answer grouped by release.</summary>
        public static IReadOnlyDictionary<string, double?> CrashFreeByRelease(SentrySessionStats? stats)
        {
            var rates = new Dictionary<string, double?>(StringComparer.Ordinal);
            if (stats is null) return rates;
            foreach (SentrySessionGroup group in stats.Groups)
            {
                if (!group.By.TryGetValue("release", out string? release)) continue;
                bool hasSessions = group.Totals.TryGetValue("sum(session)", out double? sum) && sum > 0;
                rates[release] = hasSessions && group.Totals.TryGetValue("crash_free_rate(session)", out double? rate) && rate is double r ? Math.Round(r * 100, 2) : (double?)null;
            }

            return rates;
        }

        /// <summary>A piece of triage that may be missing: Sentry refusing it is recorded, while a bad token or an unreachable host stops the triage.</summary>
        private static async Task<T?> Optional<T>(string name, Func<CancellationToken, Task<T>> call, Dictionary<string, string> problems, CancellationToken cancellationToken)
            where T : class
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (ex.Kind != SentryErrorKind.Authentication && ex.Kind != SentryErrorKind.Transport && ex.Kind != SentryErrorKind.Configuration)
            {
                lock (problems) problems[name] = $"Sentry answered {(ex.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ex.Kind.ToString())}" + (ex.Detail is null ? string.Empty : $" ({ex.Detail})");
                return null;
            }
        }
    }
}

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
        /// <summary>Ask Seer for its summary (AI-generated, shown apart from the runbook's own findings).</summary>
        public bool IncludeSeer { get; set; } = true;

        /// <summary>The same options, without asking Seer.</summary>
        public TriageOptions WithoutSeer() => new TriageOptions
        {
            StatsPeriod = StatsPeriod,
            Environments = Environments,
            WorkaroundExists = WorkaroundExists,
            CoreFlow = CoreFlow,
            Policy = Policy,
            MeasureImpact = MeasureImpact,
            IncludeSeer = false,
        };
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

        /// <summary>
        /// Triage of one issue on a critical path of two round trips. Everything that needs only the issue's id
        /// starts at once: the issue (unless <paramref name="knownIssue"/> is given), its latest event, tags,
        /// activity and the impact's event counts and series. Everything else starts the moment what it needs
        /// arrives: the project's releases, traffic and crash-free rates with the issue's project, the deploys
        /// of its first release, the suspect commits of its latest event, the p95 of its transaction.
        /// An issue from a list (no first and last release) is not read again: its oldest and latest events say
        /// which releases it was first and last seen in.
        /// </summary>
        public async Task<TriageReport> RunAsync(string issueId, SentryIssue? knownIssue, TriageOptions options, DateTimeOffset now, CancellationToken cancellationToken)
        {
            string id = knownIssue?.Id ?? issueId;
            var problems = new Dictionary<string, string>(StringComparer.Ordinal);
            Task<SentryEvent?> eventTask = Optional("Latest event", ct => _api.GetIssueEventAsync(id, "latest", options.Environments, ct), problems, cancellationToken);
            Task<SentryIssue> issueTask;
            if (knownIssue is null)
            {
                Log?.Invoke($"Triage plan for {issueId}: at once: issue details, latest event, tags, activity, event counts and series; then, as their inputs arrive: project releases, traffic, crash-free rates, deploys, suspect commits, p95");
                issueTask = _api.GetIssueAsync(issueId, cancellationToken);
            }
            else if (knownIssue.HasReleaseDetails)
            {
                Log?.Invoke($"Triage plan for {knownIssue}: the piped issue is used as it is; at once: latest event, tags, activity, event counts and series, project releases, traffic, crash-free rates; then deploys, suspect commits, p95");
                issueTask = Task.FromResult(knownIssue);
            }
            else
            {
                Log?.Invoke($"Triage plan for {knownIssue}: a list row, not read again: its oldest and latest events give its first and last release; at once: those events, tags, activity, event counts and series, project releases, traffic, crash-free rates");
                Task<SentryEvent?> oldestTask = Optional("Oldest event", ct => _api.GetIssueEventAsync(id, "oldest", Array.Empty<string>(), ct), problems, cancellationToken);
                issueTask = WithReleasesAsync(knownIssue, oldestTask, eventTask);
            }

            Task<IReadOnlyList<SentryIssueTag>?> tagsTask = Optional("Tags", ct => _api.GetIssueTagsAsync(id, Array.Empty<string>(), ct), problems, cancellationToken);
            Task<IReadOnlyList<SentryActivity>?> activityTask = Optional("Activity", ct => _api.GetIssueActivityAsync(id, ct), problems, cancellationToken);

            // Counts of a short id's events can be asked by short id; the project, when known, narrows them.
            string issueFilter = ImpactMeasurer.IssueFilter(id);
            IReadOnlyList<string> knownProjects = knownIssue?.ProjectId is string kp ? new[] { kp } : Array.Empty<string>();
            var measurer = new ImpactMeasurer(_api) { Warn = Warn };
            Task<IncidentImpact?> impactTask = options.MeasureImpact
                ? Optional("Impact", ct => measurer.MeasureAsync(issueFilter, knownProjects, issueTask, options.StatsPeriod, options.Environments, now, ct, tagsTask), problems, cancellationToken)
                : Task.FromResult<IncidentImpact?>(null);

            // A cron or uptime issue's event carries no stack trace: Sentry has no commits to suspect.
            Task<IReadOnlyList<SuspectCommit>?> commitsTask = AfterAsync(issueTask, eventTask, (issue, latest) => latest is null || MonitorAnalyzer.KindOf(issue) != null
                ? Task.FromResult<IReadOnlyList<SuspectCommit>?>(null)
                : Optional("Suspect commits", ct => _api.GetSuspectCommitsAsync(issue.Project, latest.EventId, ct), problems, cancellationToken));
            Task<IReadOnlyList<SentryDeploy>?> deploysTask = AfterAsync(issueTask, issue => issue.FirstRelease is null
                ? Task.FromResult<IReadOnlyList<SentryDeploy>?>(null)
                : Optional("Deploys", ct => _api.GetDeploysAsync(issue.FirstRelease, ct), problems, cancellationToken));
            Task<SentryPage<SentryRelease>?> releasesTask = AfterAsync(issueTask, issue => Optional("Releases", ct => _api.GetReleasePageAsync(issue.ProjectId ?? issue.Project, null, null, ct), problems, cancellationToken));
            Task<IReadOnlyList<SentryTimeSeries>?> trafficTask = AfterAsync(issueTask, issue => Optional("Traffic", ct => _api.GetEventsStatsAsync(new StatsQuery
            {
                Dataset = "spans",
                YAxes = new[] { "count()" },
                Interval = "1h",
                Query = "is_transaction:true",
                Projects = ProjectOf(issue),
                Environments = options.Environments,
                Window = TimeWindow.Period("24h"),
            }, ct), problems, cancellationToken));
            Task<SentrySessionStats?> healthTask = AfterAsync(issueTask, issue => Optional("Release health", ct => _api.GetSessionsAsync(RollbackFinder.HealthQuery(ProjectOf(issue), options.Environments), ct), problems, cancellationToken));

            Task<SentryIssueSummary?> seerTask = options.IncludeSeer ? SeerAsync(id, problems, cancellationToken) : Task.FromResult<SentryIssueSummary?>(null);
            Task<SentryMonitorHealth?> monitorTask = MonitorAsync(issueTask, eventTask, tagsTask, problems, cancellationToken);

            try
            {
                await Task.WhenAll(issueTask, eventTask, tagsTask, activityTask, impactTask, commitsTask, deploysTask, releasesTask, trafficTask, healthTask, seerTask, monitorTask).ConfigureAwait(false);
            }
            catch (Exception) when (issueTask.IsFaulted)
            {
                // Without the issue there is no triage: its own error is the one to report.
                await issueTask.ConfigureAwait(false);
                throw;
            }

            SentryIssue issue = issueTask.Result;
            SentryEvent? latest = eventTask.Result;
            IReadOnlyList<SentryIssueTag> tags = tagsTask.Result ?? Array.Empty<SentryIssueTag>();

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
                SeerSummary = seerTask.Result,
                Monitor = monitorTask.Result,
                ProjectDeploys = (releasesTask.Result?.Items ?? Array.Empty<SentryRelease>()).Where(r => r.LastDeploy != null).Select(r => r.LastDeploy!).ToList(),
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
            data.RollbackTarget = RollbackFinder.Find(environment, issue.Project, history, RollbackFinder.CrashFreeByRelease(healthTask.Result), options.Policy, badRelease: badRelease, affectedReleases: affected);

            return TriageBuilder.Build(data, options.Policy, options.WorkaroundExists, options.CoreFlow);
        }

        private static IReadOnlyList<string> ProjectOf(SentryIssue issue) => issue.ProjectId is string pid ? new[] { pid } : Array.Empty<string>();

        private static bool IsNumeric(string id) => id.Length > 0 && id.All(c => c >= '0' && c <= '9');

        /// <summary>A list row with the releases its oldest and latest events were seen in.</summary>
        private static async Task<SentryIssue> WithReleasesAsync(SentryIssue row, Task<SentryEvent?> oldest, Task<SentryEvent?> latest)
        {
            await Task.WhenAll(oldest, latest).ConfigureAwait(false);
            return row.WithReleases(oldest.Result?.Release, latest.Result?.Release);
        }

        /// <summary>Starts a read the moment the issue it depends on is known; nothing when the issue could not be read.</summary>
        private static async Task<T?> AfterAsync<T>(Task<SentryIssue> issue, Func<SentryIssue, Task<T?>> then)
            where T : class
        {
            SentryIssue known;
            try
            {
                known = await issue.ConfigureAwait(false);
            }
            catch (SentryApiException)
            {
                return null;
            }

            return await then(known).ConfigureAwait(false);
        }

        private static Task<T?> AfterAsync<T>(Task<SentryIssue> issue, Task<SentryEvent?> latest, Func<SentryIssue, SentryEvent?, Task<T?>> then)
            where T : class =>
            AfterAsync(issue, async known => await then(known, await latest.ConfigureAwait(false)).ConfigureAwait(false));

        /// <summary>Seer is a bonus: whatever keeps it from answering (no Seer, self-hosted, its rate limit) is recorded with the reason, never an error.</summary>
        private async Task<SentryIssueSummary?> SeerAsync(string issueId, Dictionary<string, string> problems, CancellationToken cancellationToken)
        {
            try
            {
                return await _api.GetIssueSummaryAsync(issueId, cancellationToken).ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                lock (problems) problems[TriageBuilder.SeerStep] = ex.Message;
                return null;
            }
        }

        /// <summary>
        /// A cron or uptime issue's monitor and its latest check-ins, once the issue, its latest event and its tags say
        /// which monitor it is. Whatever keeps the monitor from being read (no tag naming it, deleted, no access) is
        /// recorded with the reason, never an error.
        /// </summary>
        private async Task<SentryMonitorHealth?> MonitorAsync(Task<SentryIssue> issueTask, Task<SentryEvent?> eventTask, Task<IReadOnlyList<SentryIssueTag>?> tagsTask, Dictionary<string, string> problems, CancellationToken cancellationToken)
        {
            SentryIssue issue;
            try
            {
                issue = await issueTask.ConfigureAwait(false);
            }
            catch (SentryApiException)
            {
                return null;
            }

            string? kind = MonitorAnalyzer.KindOf(issue);
            if (kind is null) return null;
            SentryEvent? latest = await eventTask.ConfigureAwait(false);
            IReadOnlyList<SentryIssueTag> tags = await tagsTask.ConfigureAwait(false) ?? Array.Empty<SentryIssueTag>();
            string? key = MonitorAnalyzer.MonitorKey(kind, latest, tags);
            if (key is null)
            {
                lock (problems) problems[TriageBuilder.MonitorStep] = $"no '{(kind == "cron" ? MonitorAnalyzer.CronTag : MonitorAnalyzer.UptimeTag)}' tag on the issue or its latest event names its {kind} monitor";
                return null;
            }

            Log?.Invoke($"Triage of {issue}: a {kind} issue; reading its monitor {key} and its last {MonitorAnalyzer.CheckInsToRead} check-ins instead of stack traces and breadcrumbs");
            try
            {
                SentryMonitor monitor = kind == "cron"
                    ? await _api.GetCronMonitorAsync(key, MonitorAnalyzer.CheckInsToRead, cancellationToken).ConfigureAwait(false)
                    : await _api.GetUptimeMonitorAsync(issue.Project, key, MonitorAnalyzer.CheckInsToRead, cancellationToken).ConfigureAwait(false);
                return MonitorAnalyzer.Summarize(monitor, latest?.Environment);
            }
            catch (SentryApiException ex) when (ex.Kind != SentryErrorKind.Authentication && ex.Kind != SentryErrorKind.Transport && ex.Kind != SentryErrorKind.Configuration)
            {
                string why = ex.Kind switch
                {
                    SentryErrorKind.NotFound => "the monitor was deleted or renamed since the issue was raised",
                    SentryErrorKind.Permission => "the token may not read monitors (it needs org:read, and project:read for uptime)",
                    _ => "Sentry refused the request",
                };
                lock (problems) problems[TriageBuilder.MonitorStep] = $"{kind} monitor '{key}' not read: {why} (Sentry answered {ex.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ex.Kind.ToString()}{(ex.Detail is null ? string.Empty : ": " + ex.Detail)})";
                return null;
            }
        }

        /// <summary>
        /// A piece of triage that may be missing: Sentry refusing it is recorded with its error id (the report's
        /// MissingSignals), never a silent default, while a bad token or an unreachable host stops the triage.
        /// </summary>
        private static async Task<T?> Optional<T>(string name, Func<CancellationToken, Task<T>> call, Dictionary<string, string> problems, CancellationToken cancellationToken)
            where T : class
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                lock (problems) problems[name] = Figures.Refusal(ex);
                return null;
            }
        }
    }
}

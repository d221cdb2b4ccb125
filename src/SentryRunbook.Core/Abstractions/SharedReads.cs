using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Models;

namespace SentryRunbook.Abstractions
{
    /// <summary>
    /// Reads shared by the issues of one command: issues of a storm share projects, releases and transactions,
    /// so the same question (a project's releases, its traffic and crash-free rates, a release's deploys, a
    /// transaction's p95) is asked of Sentry once and its answer handed to every issue that asks. Only reads
    /// whose answer cannot differ between issues are shared; per-issue reads pass straight through.
    /// A failed answer is shared too: asking again within the same command would fail the same way.
    /// </summary>
    public sealed class SharedReads : ISentryApi
    {
        private readonly ISentryApi _inner;
        private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _answers = new ConcurrentDictionary<string, Lazy<Task<object>>>(StringComparer.Ordinal);

        public SharedReads(ISentryApi inner)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        }

        /// <summary>Requests answered from another issue's read instead of Sentry.</summary>
        public int Shared => _shared;
        private int _shared;

        public Uri BaseUri => _inner.BaseUri;
        public string Organization => _inner.Organization;

        public Task<SentryTable> QueryEventsAsync(DiscoverQuery query, CancellationToken cancellationToken) =>
            Once(QueryScope.Key("events", query.ToParameters()), () => _inner.QueryEventsAsync(query, cancellationToken));

        public Task<IReadOnlyList<SentryTimeSeries>> GetEventsStatsAsync(StatsQuery query, CancellationToken cancellationToken) =>
            Once(QueryScope.Key("events-stats", query.ToParameters()), () => _inner.GetEventsStatsAsync(query, cancellationToken));

        public Task<SentrySessionStats> GetSessionsAsync(SessionsQuery query, CancellationToken cancellationToken) =>
            Once(QueryScope.Key("sessions", query.ToParameters()), () => _inner.GetSessionsAsync(query, cancellationToken));

        public Task<SentryPage<SentryRelease>> GetReleasePageAsync(string? project, string? query, Uri? nextPage, CancellationToken cancellationToken) =>
            nextPage != null
                ? _inner.GetReleasePageAsync(project, query, nextPage, cancellationToken)
                : Once($"releases?project={project}&query={query}", () => _inner.GetReleasePageAsync(project, query, null, cancellationToken));

        public Task<IReadOnlyList<SentryDeploy>> GetDeploysAsync(string version, CancellationToken cancellationToken) =>
            Once("deploys:" + version, () => _inner.GetDeploysAsync(version, cancellationToken));

        public Task<SentryRelease> GetReleaseAsync(string version, CancellationToken cancellationToken) =>
            Once("release:" + version, () => _inner.GetReleaseAsync(version, cancellationToken));

        private async Task<T> Once<T>(string key, Func<Task<T>> read)
        {
            bool created = false;
            Lazy<Task<object>> answer = _answers.GetOrAdd(key, _ => new Lazy<Task<object>>(() =>
            {
                created = true;
                return Box(read());
            }));
            Task<object> task = answer.Value;
            if (!created) Interlocked.Increment(ref _shared);
            return (T)await task.ConfigureAwait(false);
        }

        private static async Task<object> Box<T>(Task<T> task) => (await task.ConfigureAwait(false))!;

        // Per-issue reads and every write go straight to Sentry.
        public Task<SentryOrganization> GetOrganizationAsync(CancellationToken cancellationToken) => _inner.GetOrganizationAsync(cancellationToken);
        public Task<SentryIssue> GetIssueAsync(string issueId, CancellationToken cancellationToken) => _inner.GetIssueAsync(issueId, cancellationToken);
        public Task<IReadOnlyList<SentryIssue>> GetIssuesAsync(IReadOnlyList<string> issueIds, CancellationToken cancellationToken) => _inner.GetIssuesAsync(issueIds, cancellationToken);
        public Task<SentryPage<SentryIssue>> GetIssuePageAsync(IssueQuery query, Uri? nextPage, CancellationToken cancellationToken) => _inner.GetIssuePageAsync(query, nextPage, cancellationToken);
        public Task<SentryEvent> GetIssueEventAsync(string issueId, string eventId, IReadOnlyList<string> environments, CancellationToken cancellationToken) => _inner.GetIssueEventAsync(issueId, eventId, environments, cancellationToken);
        public Task<SentryPage<SentryEvent>> GetIssueEventPageAsync(string issueId, int perPage, Uri? nextPage, CancellationToken cancellationToken) => _inner.GetIssueEventPageAsync(issueId, perPage, nextPage, cancellationToken);
        public Task<IReadOnlyList<SentryIssueTag>> GetIssueTagsAsync(string issueId, IReadOnlyList<string> keys, CancellationToken cancellationToken) => _inner.GetIssueTagsAsync(issueId, keys, cancellationToken);
        public Task<IReadOnlyList<SentryActivity>> GetIssueActivityAsync(string issueId, CancellationToken cancellationToken) => _inner.GetIssueActivityAsync(issueId, cancellationToken);
        public Task<IReadOnlyList<SuspectCommit>> GetSuspectCommitsAsync(string project, string eventId, CancellationToken cancellationToken) => _inner.GetSuspectCommitsAsync(project, eventId, cancellationToken);
        public Task<SentryIssue> UpdateIssueStatusAsync(string issueId, StatusChange change, CancellationToken cancellationToken) => _inner.UpdateIssueStatusAsync(issueId, change, cancellationToken);
        public Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssueStatusesAsync(string projectId, IReadOnlyList<string> issueIds, StatusChange change, CancellationToken cancellationToken) => _inner.UpdateIssueStatusesAsync(projectId, issueIds, change, cancellationToken);
        public Task<SentryIssue> UpdateIssueAsync(string issueId, IssueChange change, CancellationToken cancellationToken) => _inner.UpdateIssueAsync(issueId, change, cancellationToken);
        public Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssuesAsync(string projectId, IReadOnlyList<string> issueIds, IssueChange change, CancellationToken cancellationToken) => _inner.UpdateIssuesAsync(projectId, issueIds, change, cancellationToken);
        public Task<IReadOnlyList<SentryActor>> GetTeamsAsync(CancellationToken cancellationToken) => _inner.GetTeamsAsync(cancellationToken);
        public Task<SentryActor> GetCurrentUserAsync(CancellationToken cancellationToken) => _inner.GetCurrentUserAsync(cancellationToken);
        public Task<SentryIssueSummary> GetIssueSummaryAsync(string issueId, CancellationToken cancellationToken) => _inner.GetIssueSummaryAsync(issueId, cancellationToken);
        public Task<SentryMonitor> GetCronMonitorAsync(string monitorSlug, int checkIns, CancellationToken cancellationToken) => _inner.GetCronMonitorAsync(monitorSlug, checkIns, cancellationToken);
        public Task<SentryMonitor> GetUptimeMonitorAsync(string project, string monitorId, int checks, CancellationToken cancellationToken) => _inner.GetUptimeMonitorAsync(project, monitorId, checks, cancellationToken);
        public Task<SentryActivity> AddNoteAsync(string issueId, string text, CancellationToken cancellationToken) => _inner.AddNoteAsync(issueId, text, cancellationToken);
        public Task<SentryDeploy> CreateDeployAsync(string version, DeployRequest deploy, CancellationToken cancellationToken) => _inner.CreateDeployAsync(version, deploy, cancellationToken);

        /// <summary>The connection's client belongs to the connection, not to this command.</summary>
        public void Dispose()
        {
        }
    }
}

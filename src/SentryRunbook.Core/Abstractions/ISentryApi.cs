using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Abstractions
{
    /// <summary>The Sentry web API as the cmdlets use it. Implemented by SentryRunbook.Client.</summary>
    public interface ISentryApi : IDisposable
    {
        Uri BaseUri { get; }
        string Organization { get; }

        /// <summary>Reads the organization: proves the token works and tells the region host.</summary>
        Task<SentryOrganization> GetOrganizationAsync(CancellationToken cancellationToken);

        /// <summary>One issue by numeric id or short id.</summary>
        Task<SentryIssue> GetIssueAsync(string issueId, CancellationToken cancellationToken);

        /// <summary>
        /// One page of an issue search. Pass <paramref name="nextPage"/> from the previous page to continue;
        /// the page's <see cref="SentryPage{T}.Next"/> is null after the last page.
        /// </summary>
        Task<SentryPage<SentryIssue>> GetIssuePageAsync(IssueQuery query, Uri? nextPage, CancellationToken cancellationToken);

        /// <summary>An issue's event: <c>latest</c>, <c>oldest</c>, <c>recommended</c> or an event id.</summary>
        Task<SentryEvent> GetIssueEventAsync(string issueId, string eventId, IReadOnlyList<string> environments, CancellationToken cancellationToken);

        /// <summary>A page of an issue's events, newest first, with full bodies.</summary>
        Task<SentryPage<SentryEvent>> GetIssueEventPageAsync(string issueId, int perPage, Uri? nextPage, CancellationToken cancellationToken);

        /// <summary>An issue's tags with their top values; all keys when <paramref name="keys"/> is empty.</summary>
        Task<IReadOnlyList<SentryIssueTag>> GetIssueTagsAsync(string issueId, IReadOnlyList<string> keys, CancellationToken cancellationToken);

        /// <summary>An issue's activity, newest first: notes, status changes, assignments, regressions.</summary>
        Task<IReadOnlyList<SentryActivity>> GetIssueActivityAsync(string issueId, CancellationToken cancellationToken);

        /// <summary>Suspect commits of an event; empty when Sentry has none (it answers 404 then).</summary>
        Task<IReadOnlyList<SuspectCommit>> GetSuspectCommitsAsync(string project, string eventId, CancellationToken cancellationToken);

        /// <summary>A page of releases, newest first.</summary>
        Task<SentryPage<SentryRelease>> GetReleasePageAsync(string? project, string? query, Uri? nextPage, CancellationToken cancellationToken);

        Task<SentryRelease> GetReleaseAsync(string version, CancellationToken cancellationToken);

        Task<IReadOnlyList<SentryDeploy>> GetDeploysAsync(string version, CancellationToken cancellationToken);

        Task<SentryTable> QueryEventsAsync(DiscoverQuery query, CancellationToken cancellationToken);

        Task<IReadOnlyList<SentryTimeSeries>> GetEventsStatsAsync(StatsQuery query, CancellationToken cancellationToken);

        Task<SentrySessionStats> GetSessionsAsync(SessionsQuery query, CancellationToken cancellationToken);

        /// <summary>
        /// Issues named by numeric id, read in batches of 100 through the issue list's <c>group=</c> parameter
        /// (REFERENCE.md §2.3) instead of one rate-limited detail read each. Ids Sentry does not have are left out.
        /// List rows carry no first and last release (<see cref="SentryIssue.HasReleaseDetails"/> is false).
        /// </summary>
        Task<IReadOnlyList<SentryIssue>> GetIssuesAsync(IReadOnlyList<string> issueIds, CancellationToken cancellationToken);

        /// <summary>Changes one issue's status with the single-issue route, which answers with the whole issue.</summary>
        Task<SentryIssue> UpdateIssueStatusAsync(string issueId, StatusChange change, CancellationToken cancellationToken);

        /// <summary>
        /// Changes the status of issues of one project with the bulk route, as many ids per request as a URL safely
        /// holds. Each request also carries a search that matches only the ids it names, so Sentry's fallback to a
        /// search when none of the ids exists any more (REFERENCE.md §2.4) changes nothing. The answer says per
        /// request whether any id matched; read the issues again to know which did.
        /// </summary>
        Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssueStatusesAsync(string projectId, IReadOnlyList<string> issueIds, StatusChange change, CancellationToken cancellationToken);

        /// <summary>Changes one issue's priority and/or assignee with the single-issue route, which answers with the whole issue.</summary>
        Task<SentryIssue> UpdateIssueAsync(string issueId, IssueChange change, CancellationToken cancellationToken);

        /// <summary>Changes the priority and/or assignee of issues of one project with the bulk route, guarded as <see cref="UpdateIssueStatusesAsync"/>.</summary>
        Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssuesAsync(string projectId, IReadOnlyList<string> issueIds, IssueChange change, CancellationToken cancellationToken);

        /// <summary>The organization's teams (type <c>team</c>, id, name = slug).</summary>
        Task<IReadOnlyList<SentryActor>> GetTeamsAsync(CancellationToken cancellationToken);

        /// <summary>The user the token acts as (<c>/api/0/auth/</c>); an organization token has none (Sentry answers 400).</summary>
        Task<SentryActor> GetCurrentUserAsync(CancellationToken cancellationToken);

        /// <summary>
        /// Seer's summary of an issue (<c>POST …/issues/{id}/summarize/</c>). Throws SentrySeerUnavailable when the
        /// organization has no Seer (403), the server has no such route (self-hosted: 404), or Seer's tighter rate limit is hit.
        /// </summary>
        Task<SentryIssueSummary> GetIssueSummaryAsync(string issueId, CancellationToken cancellationToken);

        /// <summary>A cron monitor by slug with its latest <paramref name="checkIns"/> check-ins, newest first (<c>…/monitors/{slug}/</c> and <c>checkins/</c>).</summary>
        Task<SentryMonitor> GetCronMonitorAsync(string monitorSlug, int checkIns, CancellationToken cancellationToken);

        /// <summary>An uptime monitor of a project with its latest <paramref name="checks"/> checks, newest first (<c>/projects/{org}/{project}/uptime/{id}/</c> and <c>checks/</c>).</summary>
        Task<SentryMonitor> GetUptimeMonitorAsync(string project, string monitorId, int checks, CancellationToken cancellationToken);

        /// <summary>Posts a note (comment) on an issue, once: the client looks for it before posting again after an unknown outcome.</summary>
        Task<SentryActivity> AddNoteAsync(string issueId, string text, CancellationToken cancellationToken);

        /// <summary>Records a deploy of an existing release, once (set DateFinished: the client recognises a stored deploy by it).</summary>
        Task<SentryDeploy> CreateDeployAsync(string version, DeployRequest deploy, CancellationToken cancellationToken);
    }

    /// <summary>A deploy to record: where, and when it started and finished (default: now).</summary>
    public sealed class DeployRequest
    {
        public string Environment { get; set; } = "production";
        public string? Name { get; set; }
        public string? Url { get; set; }
        public DateTimeOffset? DateStarted { get; set; }
        public DateTimeOffset? DateFinished { get; set; }
        /// <summary>Project slugs; empty means all of the release's projects.</summary>
        public IReadOnlyList<string> Projects { get; set; } = Array.Empty<string>();
    }

    /// <summary>A page of a cursor-paginated list.</summary>
    public sealed class SentryPage<T>
    {
        public SentryPage(IReadOnlyList<T> items, Uri? next, long? totalHits)
        {
            Items = items;
            Next = next;
            TotalHits = totalHits;
        }

        public IReadOnlyList<T> Items { get; }
        /// <summary>The next page's URL, or null when Sentry says there are no more results.</summary>
        public Uri? Next { get; }
        /// <summary>Sentry's X-Hits estimate of the total, when it sends one.</summary>
        public long? TotalHits { get; }
    }

    /// <summary>An issue search, in Sentry's own terms.</summary>
    public sealed class IssueQuery
    {
        /// <summary>Sentry search syntax; null lets Sentry apply its default (<c>is:unresolved</c>).</summary>
        public string? Query { get; set; }
        public IReadOnlyList<string> Projects { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Environments { get; set; } = Array.Empty<string>();
        /// <summary>The search window, e.g. <c>24h</c> or <c>14d</c>; null means Sentry's default (90 days).</summary>
        public string? StatsPeriod { get; set; }
        /// <summary><c>date</c>, <c>new</c>, <c>freq</c>, <c>user</c>, <c>trends</c>, <c>inbox</c>.</summary>
        public string? Sort { get; set; }
        /// <summary>Page size, 1 to 100.</summary>
        public int Limit { get; set; } = 100;
    }

    /// <summary>What one bulk request did: the ids it named, whether Sentry matched any, or why it failed.</summary>
    public sealed class BulkChangeOutcome
    {
        public BulkChangeOutcome(IReadOnlyList<string> issueIds, bool matched, SentryApiException? error)
        {
            IssueIds = issueIds;
            Matched = matched;
            Error = error;
        }

        public IReadOnlyList<string> IssueIds { get; }
        /// <summary>Sentry answered 200 (some or all ids changed); false for 204 (none of them exists any more).</summary>
        public bool Matched { get; }
        public SentryApiException? Error { get; }
    }
}

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
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
        /// Changes one issue's status with the single-issue route. There is deliberately no bulk variant: Sentry's
        /// bulk route falls back to a search when none of the ids match (REFERENCE.md §2.4).
        /// </summary>
        Task<SentryIssue> UpdateIssueStatusAsync(string issueId, StatusChange change, CancellationToken cancellationToken);

        /// <summary>Posts a note (comment) on an issue.</summary>
        Task<SentryActivity> AddNoteAsync(string issueId, string text, CancellationToken cancellationToken);

        /// <summary>Records a deploy of an existing release.</summary>
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
}

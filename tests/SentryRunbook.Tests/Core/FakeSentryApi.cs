using System.Collections.Concurrent;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

/// <summary>An ISentryApi whose answers a test sets; every call is recorded. Unset answers throw, so a test sees unexpected calls.</summary>
internal sealed class FakeSentryApi : ISentryApi
{
    public ConcurrentQueue<string> Calls { get; } = new();
    public Func<DiscoverQuery, SentryTable>? Discover { get; set; }
    public Func<StatsQuery, IReadOnlyList<SentryTimeSeries>>? Stats { get; set; }
    public Func<SessionsQuery, SentrySessionStats>? Sessions { get; set; }
    public Func<string, IReadOnlyList<SentryIssueTag>>? Tags { get; set; }

    public Uri BaseUri => new("https://us.sentry.io/");
    public string Organization => "acme";

    public Task<SentryTable> QueryEventsAsync(DiscoverQuery query, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"events:{query.Dataset}:{string.Join(",", query.Fields)}:{query.Query}:{query.Window}");
        return Task.FromResult(Answer(Discover, query));
    }

    public Task<IReadOnlyList<SentryTimeSeries>> GetEventsStatsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"events-stats:{string.Join(",", query.YAxes)}:{query.Interval}:{query.Window}");
        return Task.FromResult(Answer(Stats, query));
    }

    public Task<SentrySessionStats> GetSessionsAsync(SessionsQuery query, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"sessions:{query.Window}");
        return Task.FromResult(Answer(Sessions, query));
    }

    public Task<IReadOnlyList<SentryIssueTag>> GetIssueTagsAsync(string issueId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"tags:{issueId}:{string.Join(",", keys)}");
        return Task.FromResult(Answer(Tags, issueId));
    }

    private static TResult Answer<TArg, TResult>(Func<TArg, TResult>? answer, TArg argument) =>
        answer is null ? throw new InvalidOperationException("unexpected call") : answer(argument);

    public Task<SentryOrganization> GetOrganizationAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<SentryIssue> GetIssueAsync(string issueId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Func<IssueQuery, SentryPage<SentryIssue>>? IssuePage { get; set; }
    public Task<SentryPage<SentryIssue>> GetIssuePageAsync(IssueQuery query, Uri? nextPage, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"issues:{query.Query}:{query.StatsPeriod}");
        return Task.FromResult(Answer(IssuePage, query));
    }
    /// <summary>The issue's latest event, when a test sets one.</summary>
    public Func<string, SentryEvent>? LatestEvent { get; set; }
    public Task<SentryEvent> GetIssueEventAsync(string issueId, string eventId, IReadOnlyList<string> environments, CancellationToken cancellationToken) =>
        LatestEvent is null || eventId != "latest" ? throw new NotSupportedException() : Task.FromResult(LatestEvent(issueId));
    public Task<SentryPage<SentryEvent>> GetIssueEventPageAsync(string issueId, int perPage, Uri? nextPage, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<SentryActivity>> GetIssueActivityAsync(string issueId, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"GET activity {issueId}");
        return Task.FromResult(Answer(Activity, issueId));
    }
    public Task<IReadOnlyList<SuspectCommit>> GetSuspectCommitsAsync(string project, string eventId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Func<string?, SentryPage<SentryRelease>>? ReleasePage { get; set; }
    public Task<SentryPage<SentryRelease>> GetReleasePageAsync(string? project, string? query, Uri? nextPage, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"releases:{project}");
        return Task.FromResult(Answer(ReleasePage, project));
    }
    public Task<SentryRelease> GetReleaseAsync(string version, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<SentryDeploy>> GetDeploysAsync(string version, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"GET deploys {version}");
        return Task.FromResult(Answer(Deploys, version));
    }
    public Func<string, StatusChange, SentryIssue>? Update { get; set; }
    public Func<string, string, SentryActivity>? Note { get; set; }
    public Func<string, IReadOnlyList<SentryActivity>>? Activity { get; set; }
    public Func<string, DeployRequest, SentryDeploy>? Deploy { get; set; }
    public Func<string, IReadOnlyList<SentryDeploy>>? Deploys { get; set; }

    public Task<IReadOnlyList<SentryIssue>> GetIssuesAsync(IReadOnlyList<string> issueIds, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssueStatusesAsync(string projectId, IReadOnlyList<string> issueIds, StatusChange change, CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>Seer's summary per issue id; an issue without one answers as an organization without Seer.</summary>
    public Dictionary<string, SentryIssueSummary> Summaries { get; } = new();

    public Task<SentryIssueSummary> GetIssueSummaryAsync(string issueId, CancellationToken cancellationToken) =>
        Summaries.TryGetValue(issueId, out SentryIssueSummary? summary)
            ? Task.FromResult(summary)
            : Task.FromException<SentryIssueSummary>(new SentryApiException(SentryErrorKind.Permission, "SentrySeerUnavailable", "Seer is not enabled for this organization.", "Enable Seer.", 403, "Seer is not enabled", "POST", null));

    /// <summary>Monitors by slug (cron) or id (uptime); an unknown one answers 404 as Sentry does.</summary>
    public Dictionary<string, SentryMonitor> Monitors { get; } = new(StringComparer.Ordinal);

    public Task<SentryMonitor> GetCronMonitorAsync(string monitorSlug, int checkIns, CancellationToken cancellationToken) => Monitor($"monitor:{monitorSlug}", monitorSlug);

    public Task<SentryMonitor> GetUptimeMonitorAsync(string project, string monitorId, int checks, CancellationToken cancellationToken) => Monitor($"uptime:{project}:{monitorId}", monitorId);

    private Task<SentryMonitor> Monitor(string call, string key)
    {
        Calls.Enqueue(call);
        return Monitors.TryGetValue(key, out SentryMonitor? monitor)
            ? Task.FromResult(monitor)
            : Task.FromException<SentryMonitor>(new SentryApiException(SentryErrorKind.NotFound, "SentryNotFound", "Not found.", "Check the monitor.", 404, "The requested resource does not exist", "GET", null));
    }

    public Task<SentryIssue> UpdateIssueAsync(string issueId, IssueChange change, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssuesAsync(string projectId, IReadOnlyList<string> issueIds, IssueChange change, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<SentryActor>> GetTeamsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<SentryActor> GetCurrentUserAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<SentryIssue> UpdateIssueStatusAsync(string issueId, StatusChange change, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"PUT issue {issueId}");
        return Task.FromResult(Answer(Update, issueId)(change));
    }

    public Task<SentryActivity> AddNoteAsync(string issueId, string text, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"POST note {issueId}");
        return Task.FromResult(Note is null ? throw new InvalidOperationException("unexpected call") : Note(issueId, text));
    }

    public Task<SentryDeploy> CreateDeployAsync(string version, DeployRequest deploy, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"POST deploy {version}");
        return Task.FromResult(Deploy is null ? throw new InvalidOperationException("unexpected call") : Deploy(version, deploy));
    }

    private static Func<StatusChange, SentryIssue> Answer(Func<string, StatusChange, SentryIssue>? answer, string id) =>
        answer is null ? throw new InvalidOperationException("unexpected call") : change => answer(id, change);

    public void Dispose() { }
}

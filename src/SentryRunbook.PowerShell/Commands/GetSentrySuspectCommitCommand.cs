using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Gets the commits Sentry suspects of causing an issue's latest event (or a given event). Sentry has
    /// suspects only with a repository integration and release commits; none is not an error.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SentrySuspectCommit")]
    [OutputType(typeof(SuspectCommit))]
    public sealed class GetSentrySuspectCommitCommand : SentryApiCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>The event whose suspects to read. Default: the issue's latest event.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidatePattern("^[0-9a-fA-F-]{32,36}$")]
        public string? EventId { get; set; }

        protected override void ProcessRecord()
        {
            string? id = ResolveIssueId(IssueId);
            if (id is null) return;
            string eventId = EventId?.Replace("-", string.Empty).ToLowerInvariant() ?? "latest";

            // The committers route is project-scoped and needs a real event id: read the issue and its event together.
            bool found = TryCall(async (api, ct) =>
            {
                Task<SentryIssue> issue = api.GetIssueAsync(id, ct);
                Task<SentryEvent> sentryEvent = api.GetIssueEventAsync(id, eventId, System.Array.Empty<string>(), ct);
                await Task.WhenAll(issue, sentryEvent).ConfigureAwait(false);
                return await api.GetSuspectCommitsAsync(issue.Result.Project, sentryEvent.Result.EventId, ct).ConfigureAwait(false);
            }, IssueId, out IReadOnlyList<SuspectCommit> commits);

            if (!found) return;
            if (commits.Count == 0) WriteVerbose($"Sentry has no suspect commits for {IssueId}.");
            foreach (SuspectCommit commit in commits) WriteObject(commit);
        }
    }
}

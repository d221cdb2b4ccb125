using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;
using SentryRunbook.Rendering;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Merges an incident's first seen, deploys, alerts, acknowledgement, notes, status changes and assignments
    /// into one timeline, with the times to detect, acknowledge and resolve.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "IncidentTimeline", DefaultParameterSetName = EvidenceSet)]
    [OutputType(typeof(IncidentTimeline))]
    public sealed class GetIncidentTimelineCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        // The default set: an evidence bundle has an IssueId property too, and piped in it must bind as evidence.
        private const string EvidenceSet = "FromEvidence";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>An evidence bundle from Import-IncidentEvidence: the timeline is rebuilt offline.</summary>
        [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentEvidence? Evidence { get; set; }

        protected override void ProcessRecord()
        {
            if (Evidence != null) UseConnection(ClientFactory.Replay(Evidence));
            SentryConnection connection = ResolvedConnection;
            string? id = Evidence?.IssueId ?? ResolveIssueId(IssueId);
            if (id is null) return;

            bool ok = TryCall(async (_, ct) =>
            {
                var api = connection.Api;
                Task<SentryIssue> issue = api.GetIssueAsync(id, ct);
                Task<IReadOnlyList<SentryActivity>> activity = api.GetIssueActivityAsync(id, ct);
                SentryIssue detail = await issue.ConfigureAwait(false);
                var releases = new[] { detail.FirstRelease, detail.LastRelease }.Where(r => !string.IsNullOrEmpty(r)).Distinct().ToList();
                IReadOnlyList<SentryDeploy>[] deploys = await Task.WhenAll(releases.Select(r => DeploysOrNone(api, r!, ct))).ConfigureAwait(false);
                return Timelines.Build(detail, await activity.ConfigureAwait(false), deploys.SelectMany(d => d).ToList());
            }, (object?)Evidence ?? IssueId, out IncidentTimeline timeline);

            if (ok) WriteObject(timeline);
        }

        private static async Task<IReadOnlyList<SentryDeploy>> DeploysOrNone(SentryRunbook.Abstractions.ISentryApi api, string release, System.Threading.CancellationToken ct)
        {
            try
            {
                return await api.GetDeploysAsync(release, ct).ConfigureAwait(false);
            }
            catch (SentryRunbook.Errors.SentryApiException ex) when (ex.Kind == SentryRunbook.Errors.SentryErrorKind.NotFound)
            {
                return Array.Empty<SentryDeploy>();
            }
        }
    }
}

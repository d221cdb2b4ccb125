using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;
using SentryRunbook.Analysis;

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
        private const string IncidentSet = "FromIncident";
        // The default set: an evidence bundle has an IssueId property too, and piped in it must bind as evidence.
        private const string EvidenceSet = "FromEvidence";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>An incident from Group-SentryIssue: one timeline across its members, each entry marked with its issue.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncidentSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIncident? Incident { get; set; }

        /// <summary>An evidence bundle from Import-IncidentEvidence: the timeline is rebuilt offline.</summary>
        [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentEvidence? Evidence { get; set; }

        /// <summary>The incident journal: the runbook's own actions (messages sent, deploys recorded, notes, status changes) join the timeline and set the times to acknowledge and resolve.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private IReadOnlyList<JournalEntry>? _journal;

        protected override void BeginProcessing()
        {
            if (Journal != null) _journal = JournalFile.Read(this, Journal);
        }

        protected override void ProcessRecord()
        {
            if (Evidence != null) UseConnection(ClientFactory.Replay(Evidence));
            IncidentRecord? record = Evidence?.Incident;
            string? id = Incident != null || record != null ? string.Empty : Evidence?.IssueId ?? ResolveIssueId(IssueId);
            if (id is null) return;

            var missing = new MissingSignals();
            bool ok = TryCall(async (api, ct) =>
            {
                if (Incident != null || record != null)
                {
                    SentryIncident incident = Incident != null
                        ? await IncidentDossier.ReadMembersAsync(api, Incident, QueueVerbose, ct).ConfigureAwait(false)
                        : await IncidentDossier.FromRecordAsync(api, record!, ct).ConfigureAwait(false);
                    return await IncidentDossier.IncidentTimelineAsync(api, incident, ct, missing).ConfigureAwait(false);
                }

                SentryIssue detail = await api.GetIssueAsync(id, ct).ConfigureAwait(false);
                return await IncidentDossier.TimelineAsync(api, id, detail, null, ct, missing).ConfigureAwait(false);
            }, (object?)Incident ?? (object?)Evidence ?? IssueId, out IncidentTimeline timeline);

            // A read that failed leaves a gap in the timeline: say which, rather than show a shorter timeline as complete.
            if (ok) foreach (string signal in missing.List()) WriteWarning("Not in the timeline: " + signal);
            if (ok) WriteObject(_journal is null ? timeline : SentryRunbook.Rendering.Timelines.WithJournal(timeline, _journal));
        }
    }
}

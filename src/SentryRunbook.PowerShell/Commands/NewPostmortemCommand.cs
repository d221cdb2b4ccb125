using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;
using SentryRunbook.Rendering;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Writes the postmortem from Sentry data — timeline, impact with the queries behind it, the event-rate
    /// chart, root cause as 5 whys, contributing factors and action items — as Markdown or self-contained HTML,
    /// from a live issue, a triage report, or saved evidence (offline).
    /// </summary>
    [Cmdlet(VerbsCommon.New, "Postmortem", DefaultParameterSetName = EvidenceSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(Postmortem))]
    public sealed class NewPostmortemCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        // The default set: an evidence bundle has an IssueId property too, and piped in it must bind as evidence.
        private const string EvidenceSet = "FromEvidence";
        private const string TriageSet = "FromTriage";
        private const string IncidentSet = "FromIncident";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>An evidence bundle from Import-IncidentEvidence or Save-IncidentEvidence: rebuilt offline.</summary>
        [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentEvidence? Evidence { get; set; }

        /// <summary>A report from Invoke-SentryTriage; the timeline is read from Sentry.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TriageSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public TriageReport? Triage { get; set; }

        /// <summary>An incident from Group-SentryIssue: one postmortem for all its members (one timeline, combined impact).</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncidentSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIncident? Incident { get; set; }

        [Parameter]
        [ValidateSet("Markdown", "Html", IgnoreCase = true)]
        public string Format { get; set; } = "Markdown";

        /// <summary>Also write the postmortem to this file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Overwrite an existing file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The incident journal: the runbook's own actions join the timeline and set the times to acknowledge and resolve.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        /// <summary>Who owns the action items (default: a placeholder to fill in).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <summary>Also save the evidence of exactly the data this postmortem was written from.</summary>
        [Parameter(ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = IncidentSet)]
        [ValidateNotNullOrEmpty]
        public string? EvidencePath { get; set; }

        [Parameter(ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = IncidentSet)]
        [ValidatePeriod]
        [ArgumentCompleter(typeof(PeriodCompleter))]
        public string StatsPeriod { get; set; } = "24h";

        protected override void ProcessRecord()
        {
            string? resolvedPath = Path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            string? evidencePath = EvidencePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(EvidencePath);
            foreach (string? file in new[] { resolvedPath, evidencePath })
            {
                if (file != null && File.Exists(file) && !Force)
                {
                    WriteError(ErrorRecords.Input("PostmortemFileExists", $"'{file}' exists already.", "Pass -Force to overwrite it, or choose another path.", file, ErrorCategory.ResourceExists));
                    return;
                }
            }

            Func<System.Collections.Generic.IReadOnlyList<RecordedExchange>>? recorded = null;
            if (Evidence != null) UseConnection(ClientFactory.Replay(Evidence));
            SentryConnection connection = Evidence != null ? ResolvedConnection
                : EvidencePath != null ? ClientFactory.Recording(ResolvedConnection, out recorded)
                : ResolvedConnection;
            IncidentRecord? record = Evidence?.Incident;
            string? id = Incident?.PrimaryIssue.Id ?? Evidence?.IssueId ?? Triage?.IssueId ?? ResolveIssueId(IssueId);
            if (id is null) return;
            DateTimeOffset now = connection.Now;
            var options = new TriageOptions { StatsPeriod = Evidence?.StatsPeriod ?? StatsPeriod };
            object target = (object?)Incident ?? (object?)Evidence ?? (object?)Triage ?? IssueId;
            if (!TryCall(async (_, ct) =>
            {
                if (Incident is null && record is null) return await IncidentDossier.GatherAsync(connection.Api, id, Triage, options, now, QueueVerbose, ct).ConfigureAwait(false);
                SentryIncident incident = Incident ?? await IncidentDossier.FromRecordAsync(connection.Api, record!, ct).ConfigureAwait(false);
                return await IncidentDossier.GatherIncidentAsync(connection.Api, incident, options, now, QueueVerbose, ct).ConfigureAwait(false);
            }, target, out IncidentDossier dossier)) return;

            var input = new PostmortemInput
            {
                Incident = dossier.Incident,
                Triage = dossier.Triage,
                Timeline = Journal is null ? dossier.Timeline : Timelines.WithJournal(dossier.Timeline, JournalFile.Read(this, Journal)),
                EventRate = dossier.EventRate,
                Owner = Owner,
                Now = now,
                Organization = connection.Organization,
                SentryHost = connection.BaseUri.GetLeftPart(UriPartial.Authority),
                FetchedAt = Evidence?.FetchedAt ?? now,
                MissingSignals = dossier.MissingSignals,
            };
            Postmortem postmortem = Format.Equals("Html", StringComparison.OrdinalIgnoreCase) ? Postmortems.Html(input) : Postmortems.Markdown(input);
            if (Evidence != null && !Evidence.Verified)
            {
                WriteWarning($"The evidence was changed after it was saved (SHA-256 mismatch): the postmortem says so at the top.");
                postmortem = Postmortems.MarkUnverified(postmortem, Evidence.Sha256);
            }

            if (recorded != null && EvidencePath != null && ShouldProcess(EvidencePath, "Write the evidence"))
            {
                IncidentRecord? incident = dossier.Incident is null ? null : IncidentRecord.Of(dossier.Incident);
                IncidentEvidence saved = EvidenceFiles.Write(ResolvedConnection, id, dossier.Triage.ShortId, now, options.StatsPeriod, recorded(), evidencePath!, incident);
                WriteVerbose($"Saved the evidence of this postmortem to {saved.Path} (SHA-256 {saved.Sha256}).");
            }

            if (resolvedPath != null && ShouldProcess(resolvedPath, "Write the postmortem"))
            {
                string? directory = System.IO.Path.GetDirectoryName(resolvedPath);
                if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
                File.WriteAllText(resolvedPath, postmortem.Content, new UTF8Encoding(false));
                postmortem = postmortem.WithPath(resolvedPath);
            }

            WriteObject(postmortem);
        }
    }
}

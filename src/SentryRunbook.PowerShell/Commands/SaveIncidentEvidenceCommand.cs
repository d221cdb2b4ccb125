using System;
using System.IO;
using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Saves everything the runbook reads about an incident — issue, events, tags, impact with its queries,
    /// activity and notes, releases, deploys, suspect commits — as Sentry answered it, in one JSON bundle
    /// with its host, organization, fetch time and SHA-256. Never a token.
    /// </summary>
    [Cmdlet(VerbsData.Save, "IncidentEvidence", DefaultParameterSetName = IncidentSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IncidentEvidence))]
    public sealed class SaveIncidentEvidenceCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        // The default set: were it ById, a piped incident would be tried against -IssueId by property name only.
        private const string IncidentSet = "FromIncident";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>An incident from Group-SentryIssue: one bundle with every member, the incident's impact and its reasons.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncidentSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIncident? Incident { get; set; }

        /// <summary>The file to write, such as ./INC-42.evidence.json.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>The impact window recorded with it. Default: 24h.</summary>
        [Parameter]
        [ValidatePeriod]
        [ArgumentCompleter(typeof(PeriodCompleter))]
        public string StatsPeriod { get; set; } = "24h";

        /// <summary>Overwrite an existing file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            string? id = Incident?.PrimaryIssue.Id ?? ResolveIssueId(IssueId);
            if (id is null) return;
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (File.Exists(path) && !Force)
            {
                WriteError(ErrorRecords.Input("IncidentEvidenceExists", $"'{path}' exists already.", "Pass -Force to overwrite it, or choose another -Path.", path, ErrorCategory.ResourceExists));
                return;
            }

            string what = Incident is null ? IssueId : $"{Incident.Id} ({Incident.Issues.Count} issues)";
            if (!ShouldProcess(path, $"Write the evidence of {what}")) return;

            SentryConnection recording = ClientFactory.Recording(ResolvedConnection, out Func<System.Collections.Generic.IReadOnlyList<RecordedExchange>> recorded);
            DateTimeOffset fetchedAt = DateTimeOffset.UtcNow;
            var options = new TriageOptions { StatsPeriod = StatsPeriod };
            object target = (object?)Incident ?? IssueId;
            if (!TryCall((_, ct) => Incident is null
                    ? IncidentDossier.GatherAsync(recording.Api, id, null, options, fetchedAt, QueueVerbose, ct)
                    : IncidentDossier.GatherIncidentAsync(recording.Api, Incident, options, fetchedAt, QueueVerbose, ct), target, out IncidentDossier dossier)) return;

            IncidentRecord? incident = dossier.Incident is null ? null : IncidentRecord.Of(dossier.Incident);
            IncidentEvidence evidence = EvidenceFiles.Write(ResolvedConnection, dossier.Triage.IssueId, dossier.Triage.ShortId, fetchedAt, StatsPeriod, recorded(), path, incident);
            WriteVerbose($"Saved {evidence.ExchangeCount} Sentry answers to {path} (SHA-256 {evidence.Sha256}).");
            WriteObject(evidence);
        }
    }
}

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
    [Cmdlet(VerbsData.Save, "IncidentEvidence", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IncidentEvidence))]
    public sealed class SaveIncidentEvidenceCommand : SentryApiCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

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
            string? id = ResolveIssueId(IssueId);
            if (id is null) return;
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (File.Exists(path) && !Force)
            {
                WriteError(ErrorRecords.Input("IncidentEvidenceExists", $"'{path}' exists already.", "Pass -Force to overwrite it, or choose another -Path.", path, ErrorCategory.ResourceExists));
                return;
            }

            if (!ShouldProcess(path, $"Write the evidence of {IssueId}")) return;

            SentryConnection recording = ClientFactory.Recording(ResolvedConnection, out Func<System.Collections.Generic.IReadOnlyList<RecordedExchange>> recorded);
            DateTimeOffset fetchedAt = DateTimeOffset.UtcNow;
            var options = new TriageOptions { StatsPeriod = StatsPeriod };
            if (!TryCall((_, ct) => IncidentDossier.GatherAsync(recording.Api, id, null, options, fetchedAt, QueueVerbose, ct), IssueId, out IncidentDossier dossier)) return;

            IncidentEvidence evidence = EvidenceFiles.Write(ResolvedConnection, id, dossier.Triage.ShortId, fetchedAt, StatsPeriod, recorded(), path);
            WriteVerbose($"Saved {evidence.ExchangeCount} Sentry answers to {path} (SHA-256 {evidence.Sha256}).");
            WriteObject(evidence);
        }
    }
}

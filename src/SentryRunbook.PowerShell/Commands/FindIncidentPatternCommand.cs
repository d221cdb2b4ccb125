using System;
using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Names the root-cause patterns an issue's data points to — deployment regression, third-party
    /// failure, data corruption, resource exhaustion, SDK misconfiguration — strongest first, each with
    /// its evidence and the runbook's immediate action.
    /// </summary>
    [Cmdlet(VerbsCommon.Find, "IncidentPattern", DefaultParameterSetName = EvidenceSet)]
    [OutputType(typeof(IncidentPattern))]
    public sealed class FindIncidentPatternCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        private const string TriageSet = "FromTriage";

        // The default set: an evidence bundle has an IssueId property too, and piped in it must bind as evidence.
        private const string EvidenceSet = "FromEvidence";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>A report from Invoke-SentryTriage: its patterns are written without calling Sentry.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TriageSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public TriageReport? Triage { get; set; }

        /// <summary>An evidence bundle from Import-IncidentEvidence: the patterns are found offline.</summary>
        [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentEvidence? Evidence { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file (ApplicationDomains, DeployWindowMinutes, ...).</summary>
        [Parameter(ParameterSetName = IdSet)]
        [Parameter(ParameterSetName = EvidenceSet)]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        protected override void ProcessRecord()
        {
            if (Triage != null)
            {
                WriteObject(Triage.Patterns, enumerateCollection: true);
                return;
            }

            if (Evidence != null) UseConnection(ClientFactory.Replay(Evidence));
            string? id = Evidence?.IssueId ?? ResolveIssueId(IssueId);
            if (id is null) return;
            var runner = new TriageRunner(Api) { Log = QueueVerbose };
            var options = new TriageOptions { Policy = _policy, MeasureImpact = false, StatsPeriod = Evidence?.StatsPeriod ?? "24h" };
            if (TryCall((api, ct) => runner.RunAsync(id, null, options, ResolvedConnection.Now, ct), (object?)Evidence ?? IssueId, out TriageReport report))
            {
                if (report.Patterns.Count == 0) WriteVerbose($"No root-cause pattern matches {IssueId}.");
                WriteObject(report.Patterns, enumerateCollection: true);
            }
        }
    }
}

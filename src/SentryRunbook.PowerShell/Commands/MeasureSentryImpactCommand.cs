using System;
using System.Threading.Tasks;
using System.Collections.Generic;
using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Measures an issue's impact: events, unique users, peak events per minute and users per hour,
    /// crash-free rates, p95 latency, environments and releases, each with the query behind it.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "SentryImpact", DefaultParameterSetName = EvidenceSet)]
    [OutputType(typeof(IncidentImpact))]
    public sealed class MeasureSentryImpactCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        private const string IssueSet = "ByIssue";

        // The default set: an evidence bundle has an IssueId property too, and piped in it must bind as evidence.
        private const string EvidenceSet = "FromEvidence";

        /// <summary>The issue: numeric id, short id or URL.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>An issue from Get-SentryIssue; saves reading it again.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IssueSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIssue? Issue { get; set; }

        /// <summary>An evidence bundle from Import-IncidentEvidence: the impact is measured offline, as of its fetch time.</summary>
        [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentEvidence? Evidence { get; set; }

        /// <summary>The window to measure, ending now: 1h, 24h, 7d, 14d. An empty window widens to 7d.</summary>
        [Parameter]
        [ValidatePeriod]
        [ArgumentCompleter(typeof(PeriodCompleter))]
        public string StatsPeriod { get; set; } = "24h";

        /// <summary>Only these environments. Default: all.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        protected override void ProcessRecord()
        {
            if (Evidence != null)
            {
                MeasureOffline(Evidence);
                return;
            }

            SentryIssue? issue = Issue;
            if (issue is null)
            {
                string? id = ResolveIssueId(IssueId);
                if (id is null || !TryCall((api, ct) => api.GetIssueAsync(id, ct), IssueId, out issue)) return;
            }

            var measurer = new ImpactMeasurer(Api) { Warn = QueueWarning };
            object target = (object?)Issue ?? IssueId;
            if (TryCall((api, ct) => measurer.MeasureAsync(issue!, StatsPeriod, Environment ?? Array.Empty<string>(), DateTimeOffset.UtcNow, ct), target, out IncidentImpact impact))
            {
                foreach (string missing in impact.MissingSignals) WriteVerbose("Missing signal: " + missing);
                WriteObject(impact);
            }
        }

        /// <summary>The same requests as the triage that recorded the evidence (all tags, the issue filter as it was named), answered from it.</summary>
        private void MeasureOffline(IncidentEvidence evidence)
        {
            UseConnection(ClientFactory.Replay(evidence));
            var measurer = new ImpactMeasurer(Api) { Warn = QueueWarning };
            if (TryCall((api, ct) =>
            {
                Task<SentryIssue> issue = api.GetIssueAsync(evidence.IssueId, ct);
                Task<IReadOnlyList<SentryIssueTag>?> tags = TagsAsync(api, evidence.IssueId, ct);
                return measurer.MeasureAsync(ImpactMeasurer.IssueFilter(evidence.IssueId), Array.Empty<string>(), issue, evidence.StatsPeriod, Array.Empty<string>(), evidence.FetchedAt, ct, tags);
            }, evidence, out IncidentImpact impact))
            {
                WriteObject(impact);
            }
        }

        private static async Task<IReadOnlyList<SentryIssueTag>?> TagsAsync(SentryRunbook.Abstractions.ISentryApi api, string id, System.Threading.CancellationToken ct) =>
            await api.GetIssueTagsAsync(id, Array.Empty<string>(), ct).ConfigureAwait(false);
    }
}

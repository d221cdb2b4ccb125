using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Classifies severity P0–P3 with the runbook's rules (or the team's policy) from a measured impact or
    /// from figures given as parameters, and says which rule fired, why, and what the level asks for.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "IncidentSeverity", DefaultParameterSetName = FiguresSet)]
    [OutputType(typeof(IncidentSeverity))]
    public sealed class GetIncidentSeverityCommand : SentryCmdlet
    {
        private const string ImpactSet = "FromImpact";
        private const string TriageSet = "FromTriage";
        private const string FiguresSet = "FromFigures";

        /// <summary>A measured impact from Measure-SentryImpact.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ImpactSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentImpact? Impact { get; set; }

        /// <summary>A report from Invoke-SentryTriage; classified again with this command's switches and policy.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TriageSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public TriageReport? Triage { get; set; }

        /// <summary>Crash-free session rate, percent 0–100.</summary>
        [Parameter(ParameterSetName = FiguresSet)]
        [ValidateRange(0.0, 100.0)]
        public double? CrashFreeSessionRate { get; set; }

        [Parameter(ParameterSetName = FiguresSet)]
        [ValidateRange(0.0, double.MaxValue)]
        public double? PeakEventsPerMinute { get; set; }

        [Parameter(ParameterSetName = FiguresSet)]
        [ValidateRange(0L, long.MaxValue)]
        public long? PeakUsersPerHour { get; set; }

        /// <summary>Environments the issue occurs in.</summary>
        [Parameter(ParameterSetName = FiguresSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        /// <summary>Sentry's priority of the issue (high, medium, low): high raises to at least the policy's SentryPriorityHighMinimum.</summary>
        [Parameter(ParameterSetName = FiguresSet)]
        [ValidateSet("high", "medium", "low", IgnoreCase = true)]
        public string? SentryPriority { get; set; }

        /// <summary>Sentry's substatus of the issue (escalating, ongoing, new, regressed).</summary>
        [Parameter(ParameterSetName = FiguresSet)]
        [ValidateSet("escalating", "ongoing", "new", "regressed", IgnoreCase = true)]
        public string? Substatus { get; set; }

        /// <summary>Users can get around the failure.</summary>
        [Parameter]
        public SwitchParameter WorkaroundExists { get; set; }

        /// <summary>A core flow (checkout, login, ...) is affected, whatever the policy's patterns say.</summary>
        [Parameter]
        public SwitchParameter CoreFlow { get; set; }

        /// <summary>An edge case or cosmetic error: P3 unless a P0 or P1 threshold is crossed.</summary>
        [Parameter]
        public SwitchParameter EdgeCase { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing()
        {
            _policy = PolicyLoader.Load(this, Policy);
        }

        protected override void ProcessRecord()
        {
            SeverityInputs inputs;
            string? issueId = null;
            IncidentImpact? impact = Impact ?? Triage?.Impact;
            if (Triage != null && impact is null)
            {
                bool? triageCoreFlow = CoreFlow ? true : Triage.Severity.Inputs.CoreFlow;
                inputs = new SeverityInputs(null, null, null, Triage.Environments, WorkaroundExists, triageCoreFlow, EdgeCase, SentrySignals.From(Triage.Issue));
                issueId = Triage.ShortId;
            }
            else if (impact != null)
            {
                bool? coreFlow = CoreFlow ? true
                    : Triage != null ? Triage.Severity.Inputs.CoreFlow
                    : impact.Transactions.Count > 0 ? _policy.IsCoreFlow(impact.Transactions, Enumerable.Empty<System.Collections.Generic.KeyValuePair<string, string>>()) : (bool?)null;
                inputs = new SeverityInputs(impact.CrashFreeSessionRate, impact.PeakEventsPerMinute, impact.PeakUsersPerHour, impact.Environments, WorkaroundExists, coreFlow, EdgeCase, Triage is null ? null : SentrySignals.From(Triage.Issue));
                issueId = impact.ShortId ?? impact.IssueId;
            }
            else
            {
                inputs = new SeverityInputs(CrashFreeSessionRate, PeakEventsPerMinute, PeakUsersPerHour, Environment, WorkaroundExists, CoreFlow ? true : (bool?)null, EdgeCase,
                    SentryPriority is null && Substatus is null ? null : new SentrySignals(SentryPriority?.ToLowerInvariant(), Substatus?.ToLowerInvariant(), null, null));
            }

            IncidentSeverity severity = SeverityClassifier.Classify(inputs, _policy, issueId);
            foreach (string missing in severity.MissingSignals) WriteVerbose("Missing signal: " + missing);
            WriteObject(severity);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Runs the runbook's triage checklist for issues: trend, first/last seen, new or regression, users,
    /// environment, release, suspect commits, failing frame, breadcrumbs, user context, tag patterns; with
    /// impact, severity, root-cause patterns and recommended actions. Independent calls run concurrently,
    /// and several issues piped in are triaged concurrently with the reports written in input order.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "SentryTriage", DefaultParameterSetName = EvidenceSet)]
    [OutputType(typeof(TriageReport))]
    public sealed class InvokeSentryTriageCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        private const string IssueSet = "ByIssue";
        // The default set: an evidence bundle has an IssueId property too, and piped in it must bind as evidence.
        private const string EvidenceSet = "FromEvidence";
        private readonly List<IncidentEvidence> _evidence = new List<IncidentEvidence>();
        private readonly List<(object Target, string Id, SentryIssue? Issue)> _inputs = new List<(object, string, SentryIssue?)>();

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string[] IssueId { get; set; } = Array.Empty<string>();

        /// <summary>Issues from Get-SentryIssue; they are not read again.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IssueSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIssue[] Issue { get; set; } = Array.Empty<SentryIssue>();

        /// <summary>An evidence bundle from Import-IncidentEvidence: the triage is rebuilt offline, as of its fetch time.</summary>
        [Parameter(Mandatory = true, ParameterSetName = EvidenceSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentEvidence? Evidence { get; set; }

        /// <summary>The impact window, ending now. Default: 24h.</summary>
        [Parameter]
        [ValidatePeriod]
        [ArgumentCompleter(typeof(PeriodCompleter))]
        public string StatsPeriod { get; set; } = "24h";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        [Parameter]
        public SwitchParameter WorkaroundExists { get; set; }

        [Parameter]
        public SwitchParameter CoreFlow { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file (see Get-IncidentSeverity).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        protected override void ProcessRecord()
        {
            if (Evidence != null)
            {
                _evidence.Add(Evidence);
                return;
            }

            foreach (SentryIssue issue in Issue) _inputs.Add((issue, issue.Id, issue));
            foreach (string input in IssueId)
            {
                string? id = ResolveIssueId(input);
                if (id != null) _inputs.Add((input, id, null));
            }
        }

        protected override void EndProcessing()
        {
            foreach (IncidentEvidence evidence in _evidence)
            {
                // Offline: the recorded answers, the recorded window, and the fetch time as "now".
                SentryConnection replay = ClientFactory.Replay(evidence);
                UseConnection(replay);
                var offline = new TriageOptions { StatsPeriod = evidence.StatsPeriod, Environments = Environment ?? Array.Empty<string>(), WorkaroundExists = WorkaroundExists, CoreFlow = CoreFlow, Policy = _policy };
                var replayRunner = new TriageRunner(replay.Api) { Log = QueueVerbose, Warn = QueueWarning };
                if (TryCall((_, ct) => replayRunner.RunAsync(evidence.IssueId, null, offline, evidence.FetchedAt, ct), evidence, out TriageReport report)) WriteObject(report);
            }

            if (_inputs.Count == 0) return;
            var options = new TriageOptions
            {
                StatsPeriod = StatsPeriod,
                Environments = Environment ?? Array.Empty<string>(),
                WorkaroundExists = WorkaroundExists,
                CoreFlow = CoreFlow,
                Policy = _policy,
            };
            var runner = new TriageRunner(Api) { Log = QueueVerbose, Warn = QueueWarning };
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var progress = new ProgressRecord(2, "Invoke-SentryTriage", $"Triaging {_inputs.Count} issue(s)");
            WriteProgress(progress);

            // All issues at once: the connection's concurrency limit and rate-limit budget pace the calls.
            (TriageReport? Report, Exception? Error)[] results;
            try
            {
                results = Await(ct => Task.WhenAll(_inputs.Select(input => Settle(runner.RunAsync(input.Id, input.Issue, options, now, ct)))));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            for (int i = 0; i < results.Length; i++)
            {
                if (results[i].Report is TriageReport report)
                {
                    SentrySession.Remember(report.Issue);
                    WriteObject(report);
                }
                else if (results[i].Error is SentryApiException error)
                {
                    if (IsFatal(error)) ThrowSentryError(error, _inputs[i].Target);
                    WriteSentryError(error, _inputs[i].Target);
                }
                else if (results[i].Error is Exception other)
                {
                    WriteError(new ErrorRecord(other, "SentryTriageFailed", ErrorCategory.InvalidOperation, _inputs[i].Target)
                    {
                        ErrorDetails = new ErrorDetails($"Triage of {_inputs[i].Target} failed: {other.Message}") { RecommendedAction = "Run it again with -Verbose, and report the error to the SentryRunbook maintainers if it persists." },
                    });
                }
            }
        }

        /// <summary>One issue's failure must not cost the others their reports; cancellation still stops everything.</summary>
        private static async Task<(TriageReport?, Exception?)> Settle(Task<TriageReport> triage)
        {
            try
            {
                return (await triage.ConfigureAwait(false), null);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                return (null, ex);
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Actions;
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
        /// <summary>Issues triaged at once; the connection's concurrency limit and rate-limit budget pace their calls.</summary>
        private const int Window = 16;
        private readonly Queue<(object Target, Task<(TriageReport?, Exception?)> Work)> _inFlight = new Queue<(object, Task<(TriageReport?, Exception?)>)>();
        private readonly List<(object Target, string Id)> _pending = new List<(object, string)>();
        private TriageRunner? _runner;
        private TriageOptions? _options;
        private TriageOptions? _withoutSeer;
        private const int SeerPerCommand = 10;
        private ProgressRecord? _progress;
        private int _started;
        private int _written;

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

        /// <summary>Do not ask Seer for its AI-generated summary (it allows 10 a minute per user).</summary>
        [Parameter]
        public SwitchParameter NoSeer { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file (see Get-IncidentSeverity).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        protected override void ProcessRecord()
        {
            try
            {
                ProcessInput();
            }
            catch
            {
                // A terminating error or Ctrl+C here skips EndProcessing: the progress bar ends now.
                CompleteProgress(_progress);
                throw;
            }
        }

        private void ProcessInput()
        {
            if (Evidence != null)
            {
                TriageOffline(Evidence);
                return;
            }

            foreach (SentryIssue issue in Issue) Start(issue, issue.Id, issue);
            foreach (string input in IssueId)
            {
                string? id = ResolveIssueId(input);
                if (id is null) continue;
                if (IsNumeric(id))
                {
                    // Numeric ids are read together, 100 to a request, instead of one rate-limited detail read each.
                    _pending.Add((input, id));
                    if (_pending.Count >= StatusPlanner.IssuesPerRead) StartPending();
                }
                else
                {
                    StartPending(); // keeps the reports in input order
                    Start(input, id, null);
                }
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                StartPending();
                while (_inFlight.Count > 0) WriteHead();
            }
            finally
            {
                CompleteProgress(_progress);
            }
        }

        /// <summary>Offline: the recorded answers, the recorded window, and the fetch time as "now".</summary>
        private void TriageOffline(IncidentEvidence evidence)
        {
            SentryConnection replay = ClientFactory.Replay(evidence);
            UseConnection(replay);
            // Seer is not asked offline: an evidence bundle replays reads, and Seer's answer is not part of the evidence.
            var offline = new TriageOptions { StatsPeriod = evidence.StatsPeriod, Environments = Environment ?? Array.Empty<string>(), WorkaroundExists = WorkaroundExists, CoreFlow = CoreFlow, Policy = _policy, IncludeSeer = false };
            var replayRunner = new TriageRunner(replay.Api) { Log = QueueVerbose, Warn = QueueWarning };
            if (TryCall((_, ct) => replayRunner.RunAsync(evidence.IssueId, null, offline, evidence.FetchedAt, ct), evidence, out TriageReport report)) WriteObject(report);
        }

        /// <summary>
        /// Starts the triage of the numeric ids waiting: one alone is read by the triage itself (its details carry
        /// its releases); several are read in one batched request and triaged from those rows.
        /// </summary>
        private void StartPending()
        {
            if (_pending.Count == 0) return;
            var pending = _pending.ToList();
            _pending.Clear();
            if (pending.Count == 1)
            {
                Start(pending[0].Target, pending[0].Id, null);
                return;
            }

            foreach ((object target, string id, SentryIssue row) in ReadIssues(pending)) Start(target, id, row);
        }

        private static bool IsNumeric(string id) => id.Length > 0 && id.All(c => c >= '0' && c <= '9');

        /// <summary>
        /// Starts an issue's triage at once, beside the others in flight; with a full window the oldest is awaited
        /// and written first, so reports stream out in input order while later issues are already being read.
        /// </summary>
        private void Start(object target, string id, SentryIssue? issue)
        {
            // One SharedReads per command: issues of one project or release share those reads.
            _runner ??= new TriageRunner(new SharedReads(Api)) { Log = QueueVerbose, Warn = QueueWarning };
            _options ??= new TriageOptions
            {
                StatsPeriod = StatsPeriod,
                Environments = Environment ?? Array.Empty<string>(),
                WorkaroundExists = WorkaroundExists,
                CoreFlow = CoreFlow,
                Policy = _policy,
                IncludeSeer = !NoSeer,
            };
            _progress ??= new ProgressRecord(2, "Invoke-SentryTriage", "Triaging issues");

            // Seer allows 10 summaries a minute per user: a storm of issues asks it for the first ten only, so the rest
            // of the triage is not held up waiting for Seer's window (Get-SentryIssueSummary asks for any other).
            TriageOptions options = _options;
            if (_options.IncludeSeer && _started >= SeerPerCommand)
            {
                if (_started == SeerPerCommand) WriteVerbose($"Seer was asked for the first {SeerPerCommand} issues only (it allows {SeerPerCommand} a minute); Get-SentryIssueSummary asks it for any other");
                options = _withoutSeer ??= _options.WithoutSeer();
            }

            // The client's verbose lines find this cmdlet through the async context captured here.
            Action<string>? previous = VerboseRelay.Current;
            VerboseRelay.Current = QueueVerbose;
            try
            {
                _inFlight.Enqueue((target, Settle(_runner.RunAsync(id, issue, options, DateTimeOffset.UtcNow, StopToken))));
            }
            finally
            {
                VerboseRelay.Current = previous;
            }

            _started++;
            while (_inFlight.Count > Window) WriteHead();
        }

        private void WriteHead()
        {
            (object target, Task<(TriageReport?, Exception?)> work) = _inFlight.Dequeue();
            (TriageReport? report, Exception? error) = Await(_ => work);
            _written++;
            _progress!.StatusDescription = $"{_written} of {_started} issue(s) triaged";
            WriteProgress(_progress);

            if (report != null)
            {
                SentrySession.Remember(report.Issue);
                WriteObject(report);
            }
            else if (error is SentryApiException sentryError)
            {
                if (sentryError.IsFatal) ThrowSentryError(sentryError, target);
                WriteSentryError(sentryError, target);
            }
            else if (error != null)
            {
                WriteError(new ErrorRecord(error, "SentryTriageFailed", ErrorCategory.InvalidOperation, target)
                {
                    ErrorDetails = new ErrorDetails($"Triage of {target} failed: {error.Message}") { RecommendedAction = "Run it again with -Verbose, and report the error to the SentryRunbook maintainers if it persists." },
                });
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

using System;
using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>The parameters and the one evaluation Test-SentryReleaseHealth and Watch-SentryRelease share.</summary>
    public abstract class ReleaseHealthCmdlet : SentryApiCmdlet
    {
        /// <summary>The release to judge, such as web@2.4.1.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Version")]
        [ValidateNotNullOrEmpty]
        public string Release { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Environment { get; set; } = string.Empty;

        /// <summary>The project slug. Default: the connection's project, else every project the release belongs to.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProjectCompleter))]
        public string? Project { get; set; }

        /// <summary>The release to compare with. Default: the release deployed to the environment before this one.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Baseline { get; set; }

        /// <summary>The start of the window. Default: the release's first deploy to the environment.</summary>
        [Parameter]
        public DateTimeOffset? Since { get; set; }

        /// <summary>Policy overrides (CrashFreeRateBelow and the Release* settings): a hashtable or a .psd1 path.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        /// <summary>Output only $true (not Fail) or $false (Fail), for pipelines.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        /// <summary>Gathers and judges once; null after writing an error for this input.</summary>
        protected ReleaseHealthVerdict? Evaluate()
        {
            if (Since is DateTimeOffset since && since > DateTimeOffset.UtcNow)
            {
                WriteError(ErrorRecords.Input("SentryReleaseSinceInFuture", $"-Since {since:u} is in the future, so there is nothing to judge yet.", "Pass a time in the past, or leave -Since out to start at the release's first deploy.", since));
                return null;
            }

            if (Baseline != null && string.Equals(Baseline, Release, StringComparison.Ordinal))
            {
                WriteError(ErrorRecords.Input("SentryReleaseBaselineSame", $"-Baseline is the release being judged ({Release}): a release cannot be its own baseline.", "Name an earlier release, or leave -Baseline out to use the one deployed to the environment before it.", Baseline));
                return null;
            }

            var request = new ReleaseHealthRequest
            {
                Release = Release,
                Environment = Environment,
                Project = Project ?? ResolvedConnection.Project,
                Baseline = Baseline,
                Since = Since?.ToUniversalTime(),
            };
            var gatherer = new ReleaseHealthGatherer(Api) { Log = QueueVerbose };
            if (!TryCall((api, ct) => gatherer.GatherAsync(request, DateTimeOffset.UtcNow, ct), Release, out ReleaseHealthSignals signals)) return null;
            ReleaseHealthVerdict verdict = ReleaseHealthJudge.Judge(signals, _policy);
            foreach (string reason in verdict.Reasons) WriteVerbose(reason);
            if (verdict.Verdict == ReleaseHealthJudge.Fail)
            {
                WriteWarning($"{verdict.Release} failed its health check in {verdict.Environment}. Run Get-SentryRollbackTarget (pipe this verdict into it) to find the release to roll back to.");
            }

            return verdict;
        }
    }
}

using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Judges a release again every -Interval during its bake time and emits each verdict: stops at once on
    /// Fail, and early when the same conclusive verdict (Pass or Warn) comes back -StableRounds times in a
    /// row; otherwise at -Timeout. Ctrl+C stops it between or during rounds.
    /// </summary>
    [Cmdlet(VerbsCommon.Watch, "SentryRelease")]
    [OutputType(typeof(ReleaseHealthVerdict), typeof(bool))]
    public sealed class WatchSentryReleaseCommand : ReleaseHealthCmdlet
    {
        /// <summary>Time between rounds. Default 5 minutes.</summary>
        [Parameter]
        public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>The bake time: no round starts after it. Default 1 hour.</summary>
        [Parameter]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

        /// <summary>How many equal conclusive verdicts in a row count as stable. Default 3.</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int StableRounds { get; set; } = 3;

        protected override void BeginProcessing()
        {
            if (Interval <= TimeSpan.Zero || Timeout <= TimeSpan.Zero)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryWatchTimeInvalid", $"-Interval ({Interval}) and -Timeout ({Timeout}) must both be longer than zero.", "Pass positive durations, such as -Interval 00:05:00 -Timeout 01:00:00.", Interval));
            }

            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            DateTimeOffset started = DateTimeOffset.UtcNow, deadline = started + Timeout;
            var progress = new ProgressRecord(3, "Watch-SentryRelease", $"Watching {Release} in {Environment}");
            string? last = null;
            int same = 0, round = 0;
            ReleaseHealthVerdict? latest = null;
            try
            {
                while (true)
                {
                    round++;
                    ReleaseHealthVerdict? verdict = Evaluate();
                    if (verdict != null)
                    {
                        latest = verdict;
                        same = verdict.Verdict == last ? same + 1 : 1;
                        last = verdict.Verdict;
                        if (!Quiet) WriteObject(verdict);
                    }

                    DateTimeOffset now = DateTimeOffset.UtcNow;
                    string stop = verdict?.Verdict == ReleaseHealthJudge.Fail ? "the release failed"
                        : last != null && last != ReleaseHealthJudge.Inconclusive && same >= StableRounds ? $"the verdict ({last}) was the same {same} rounds in a row"
                        : now + Interval > deadline ? "the bake time is over"
                        : string.Empty;
                    progress.StatusDescription = $"Round {round}: {verdict?.Verdict ?? "no verdict"}" + (stop.Length > 0 ? $"; stopping: {stop}" : $"; next round at {(now + Interval).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC");
                    progress.PercentComplete = (int)Math.Min(100, Math.Max(0, (now - started).TotalMilliseconds * 100 / Timeout.TotalMilliseconds));
                    WriteProgress(progress);
                    if (stop.Length > 0)
                    {
                        WriteVerbose($"Watch of {Release} in {Environment} stopped after {round} rounds: {stop}.");
                        break;
                    }

                    // Cancellable wait: Ctrl+C ends the delay and the command.
                    Await(async ct =>
                    {
                        await Task.Delay(Interval, ct).ConfigureAwait(false);
                        return true;
                    });
                }
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            if (Quiet) WriteObject(latest != null && latest.Verdict != ReleaseHealthJudge.Fail);
        }
    }
}

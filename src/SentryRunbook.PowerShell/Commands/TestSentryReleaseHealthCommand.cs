using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Judges whether a release is healthy enough to promote: Pass, Warn, Fail or Inconclusive, from its
    /// crash-free rates (Wilson score intervals against the policy's line), its crash and error rates against
    /// the baseline (one-sided tests), the issues new or regressed in it, and the p95 of its busiest
    /// transactions. -Quiet turns it into a gate: $true unless Fail.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "SentryReleaseHealth")]
    [OutputType(typeof(ReleaseHealthVerdict), typeof(bool))]
    public sealed class TestSentryReleaseHealthCommand : ReleaseHealthCmdlet
    {
        protected override void ProcessRecord()
        {
            ReleaseHealthVerdict? verdict = Evaluate();
            if (verdict is null)
            {
                // A gate that could not judge must not wave the release through silently: the error is written, and -Quiet says false.
                if (Quiet) WriteObject(false);
                return;
            }

            if (Quiet) WriteObject(verdict.Verdict != ReleaseHealthJudge.Fail);
            else WriteObject(verdict);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Finds the release to roll back to: the last one deployed to the environment before the current one
    /// whose crash-free session rate was at or above the policy's threshold, with the reasons.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SentryRollbackTarget")]
    [OutputType(typeof(SentryRollbackTarget))]
    public sealed class GetSentryRollbackTargetCommand : SentryApiCmdlet
    {
        /// <summary>How many of the newest releases to read deploys for.</summary>
        public const int ReleasesToRead = 20;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Environment { get; set; } = string.Empty;

        /// <summary>The project slug. Default: the connection's project.</summary>
        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProjectCompleter))]
        public string? Project { get; set; }

        /// <summary>The release that broke things, when it is not the current one: the target is deployed before it.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("FirstRelease")]
        [ValidateNotNullOrEmpty]
        public string? BadRelease { get; set; }

        /// <summary>Policy overrides (CrashFreeRateBelow decides what is healthy): a hashtable or a .psd1 path.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        protected override void ProcessRecord()
        {
            string? project = Project ?? ResolvedConnection.Project;
            if (project is null)
            {
                WriteError(ErrorRecords.Input("SentryProjectMissing", "Name the project whose releases to roll back: -Project <slug>.", "Pass -Project, or connect with Connect-Sentry -Project.", null));
                return;
            }

            string environment = Environment;
            string? badRelease = BadRelease;
            bool ok = TryCall(async (api, ct) =>
            {
                // The newest releases with their deploys, and crash-free rates by release over two weeks, all at once.
                Task<SentryPage<SentryRelease>> releases = api.GetReleasePageAsync(project, null, null, ct);
                Task<SentrySessionStats?> health = Health(api, project, environment, ct);
                SentryPage<SentryRelease> page = await releases.ConfigureAwait(false);
                IReadOnlyList<SentryDeploy>[] deploys = await Task.WhenAll(page.Items.Take(ReleasesToRead).Select(r => api.GetDeploysAsync(r.Version, ct))).ConfigureAwait(false);
                return RollbackFinder.Find(environment, project, deploys.SelectMany(d => d), RollbackFinder.CrashFreeByRelease(await health.ConfigureAwait(false)), _policy, badRelease: badRelease);
            }, project, out SentryRollbackTarget? target);

            if (!ok) return;
            if (target is null)
            {
                WriteError(ErrorRecords.Input(
                    "SentryRollbackTargetNotFound",
                    $"No release of '{project}' was deployed to '{environment}' before {(badRelease ?? "the current one")} and healthy enough to roll back to" + (badRelease is null ? "." : $" (or {badRelease} was never deployed there)."),
                    "Check the deploys with Get-SentryRelease -Project <slug> | Get-SentryDeploy; a release with crash-free sessions below the policy's threshold is never proposed.",
                    project,
                    ErrorCategory.ObjectNotFound));
                return;
            }

            foreach (string reason in target.Reasons) WriteVerbose(reason);
            WriteObject(target);
        }

        /// <summary>
        /// Without release health (old self-hosted, or Sentry refusing the query) every candidate is unverified rather
        /// than the command failing; the warning says why, so "unverified" is never mistaken for "no sessions".
        /// </summary>
        private async Task<SentrySessionStats?> Health(ISentryApi api, string project, string environment, System.Threading.CancellationToken ct)
        {
            try
            {
                return await api.GetSessionsAsync(RollbackFinder.HealthQuery(new[] { project }, new[] { environment }), ct).ConfigureAwait(false);
            }
            catch (SentryRunbook.Errors.SentryApiException ex) when (!ex.IsFatal)
            {
                QueueWarning($"Crash-free rates of '{project}' could not be read ({ex.ErrorId}: {ex.Message}); candidates are judged without them (unverified).");
                return null;
            }
        }
    }
}

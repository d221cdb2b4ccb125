using System;
using System.Management.Automation;
using SentryRunbook.Abstractions;
using SentryRunbook.Actions;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Records a deploy of a release to an environment — for a rollback, the deploy of the older release.
    /// A deploy whose POST failed is looked for before it is created again.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "SentryDeploy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SentryDeploy))]
    public sealed class NewSentryDeployCommand : SentryApiCmdlet
    {
        /// <summary>The release version; binds from a rollback target's Release property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Version")]
        [ValidateNotNullOrEmpty]
        public string Release { get; set; } = string.Empty;

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Environment { get; set; } = string.Empty;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Url { get; set; }

        /// <summary>Only these projects of the release (a rollback target names its project). Default: all of the release's projects.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? Project { get; set; }

        [Parameter]
        public DateTimeOffset? DateStarted { get; set; }

        /// <summary>Default: now.</summary>
        [Parameter]
        public DateTimeOffset? DateFinished { get; set; }

        /// <summary>The incident journal: one JSON line per deploy recorded (e.g. "rollback recorded" on the timeline).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private JournalFile? _journal;

        protected override void BeginProcessing() => _journal = JournalFile.Open(this, Journal);

        protected override void ProcessRecord()
        {
            var deploy = new DeployRequest
            {
                Environment = Environment,
                Name = Name,
                Url = Url,
                Projects = Project ?? Array.Empty<string>(),
                DateStarted = DateStarted?.ToUniversalTime(),
                // Always sent, so that a deploy whose POST failed can be recognised before creating it again.
                DateFinished = (DateFinished ?? DateTimeOffset.UtcNow).ToUniversalTime(),
            };
            if (!ShouldProcess($"release {Release}", $"Record a deploy to {Environment}")) return;
            if (TryCall((api, ct) => api.CreateDeployAsync(Release, deploy, ct), Release, out SentryDeploy created))
            {
                _journal?.Write(this, new[] { new JournalEntry(DateTimeOffset.UtcNow, JournalEntry.CurrentUser(), JournalActions.NewDeploy, created.Release,
                    change: $"deploy of {created.Release} to {created.Environment}", deployId: created.Id, release: created.Release, environment: created.Environment, detail: created.Name) });
                WriteObject(created);
            }
        }
    }
}

using System.Collections.Generic;
using System.Management.Automation;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Gets the deploys of a release: where and when it went out.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryDeploy")]
    [OutputType(typeof(SentryDeploy))]
    public sealed class GetSentryDeployCommand : SentryApiCmdlet
    {
        /// <summary>The release version; binds from a release's Version or Release property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Version")]
        [ValidateNotNullOrEmpty]
        public string Release { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            if (TryCall((api, ct) => api.GetDeploysAsync(Release, ct), Release, out IReadOnlyList<SentryDeploy> deploys))
            {
                foreach (SentryDeploy deploy in deploys) WriteObject(deploy);
            }
        }
    }
}

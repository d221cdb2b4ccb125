using System.Collections.Generic;
using System.Management.Automation;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Gets an issue's activity: notes, status changes, assignments, regressions, deploys.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryIssueActivity")]
    [OutputType(typeof(SentryActivity))]
    public sealed class GetSentryIssueActivityCommand : SentryApiCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            string? id = ResolveIssueId(IssueId);
            if (id != null && TryCall((api, ct) => api.GetIssueActivityAsync(id, ct), IssueId, out IReadOnlyList<SentryActivity> activity))
            {
                foreach (SentryActivity item in activity) WriteObject(item);
            }
        }
    }
}

using System.Management.Automation;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Gets Seer's (AI-generated) summary of issues, where the organization has Seer.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryIssueSummary")]
    [OutputType(typeof(SentryIssueSummary))]
    public sealed class GetSentryIssueSummaryCommand : SentryApiCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string[] IssueId { get; set; } = System.Array.Empty<string>();

        protected override void ProcessRecord()
        {
            foreach (string input in IssueId)
            {
                string? id = ResolveIssueId(input);
                if (id != null && TryCall((api, ct) => api.GetIssueSummaryAsync(id, ct), input, out SentryIssueSummary summary))
                {
                    WriteObject(summary);
                }
            }
        }
    }
}

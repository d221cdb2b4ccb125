using System;
using System.Collections.Generic;
using System.Management.Automation;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Gets an issue's tags (release, environment, browser, ...) with their most common values and shares.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryIssueTag")]
    [OutputType(typeof(SentryIssueTag))]
    public sealed class GetSentryIssueTagCommand : SentryApiCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>Only these tag keys.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string[]? Key { get; set; }

        protected override void ProcessRecord()
        {
            string? id = ResolveIssueId(IssueId);
            IReadOnlyList<string> keys = Key ?? Array.Empty<string>();
            if (id != null && TryCall((api, ct) => api.GetIssueTagsAsync(id, keys, ct), IssueId, out IReadOnlyList<SentryIssueTag> tags))
            {
                foreach (SentryIssueTag tag in tags) WriteObject(tag);
            }
        }
    }
}

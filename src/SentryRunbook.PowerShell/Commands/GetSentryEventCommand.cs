using System;
using System.Management.Automation;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Gets an issue's events with their exceptions, frames, breadcrumbs, tags, user and contexts.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryEvent", DefaultParameterSetName = LatestSet)]
    [OutputType(typeof(SentryEvent))]
    public sealed class GetSentryEventCommand : SentryApiCmdlet
    {
        private const string LatestSet = "Latest";
        private const string OldestSet = "Oldest";
        private const string IdSet = "ById";
        private const string FirstSet = "First";

        /// <summary>The issue: numeric id, short id or URL.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string IssueId { get; set; } = string.Empty;

        /// <summary>The most recent event (the default).</summary>
        [Parameter(ParameterSetName = LatestSet)]
        public SwitchParameter Latest { get; set; }

        /// <summary>The first event of the issue.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OldestSet)]
        public SwitchParameter Oldest { get; set; }

        /// <summary>One event by its 32-character id.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ValidatePattern("^[0-9a-fA-F-]{32,36}$")]
        public string? EventId { get; set; }

        /// <summary>The newest n events.</summary>
        [Parameter(Mandatory = true, ParameterSetName = FirstSet)]
        [ValidateRange(1, 10000)]
        public int First { get; set; }

        /// <summary>Only events of these environments (latest and oldest).</summary>
        [Parameter(ParameterSetName = LatestSet)]
        [Parameter(ParameterSetName = OldestSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        protected override void ProcessRecord()
        {
            string? id = ResolveIssueId(IssueId);
            if (id is null) return;

            if (ParameterSetName == FirstSet)
            {
                WriteNewest(id);
                return;
            }

            string which = ParameterSetName == OldestSet ? "oldest" : ParameterSetName == IdSet ? EventId!.Replace("-", string.Empty).ToLowerInvariant() : "latest";
            if (TryCall((api, ct) => api.GetIssueEventAsync(id, which, Environment ?? Array.Empty<string>(), ct), IssueId, out SentryEvent sentryEvent))
            {
                WriteObject(sentryEvent);
            }
        }

        private void WriteNewest(string id)
        {
            int written = 0;
            Uri? next = null;
            do
            {
                Uri? current = next;
                int wanted = First - written;
                if (!TryCall((api, ct) => api.GetIssueEventPageAsync(id, wanted, current, ct), IssueId, out SentryPage<SentryEvent> page)) return;
                foreach (SentryEvent sentryEvent in page.Items)
                {
                    WriteObject(sentryEvent);
                    if (++written >= First) return;
                }

                next = page.Next != null && page.Next == current ? null : page.Next;
            }
            while (next != null);
        }
    }
}

using System;
using System.Management.Automation;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Gets releases, newest first, or one release by version, with its last deploy and new issues.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryRelease", DefaultParameterSetName = ListSet, SupportsPaging = true)]
    [OutputType(typeof(SentryRelease))]
    public sealed class GetSentryReleaseCommand : SentryApiCmdlet
    {
        private const string ListSet = "List";
        private const string VersionSet = "ByVersion";

        /// <summary>Exact release versions, such as web@2.4.1.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = VersionSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Release")]
        [ValidateNotNullOrEmpty]
        public string[] Version { get; set; } = Array.Empty<string>();

        /// <summary>Only releases of this project. Default: the connection's project.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProjectCompleter))]
        public string? Project { get; set; }

        /// <summary>Versions containing this text.</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateNotNullOrEmpty]
        public string? Query { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != VersionSet) return;
            foreach (string version in Version)
            {
                if (TryCall((api, ct) => api.GetReleaseAsync(version, ct), version, out SentryRelease release)) WriteObject(release);
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != ListSet) return;
            string? project = Project ?? ResolvedConnection.Project;
            ulong skip = PagingParameters.Skip, first = PagingParameters.First, seen = 0, written = 0;
            Uri? next = null;
            do
            {
                Uri? current = next;
                SentryPage<SentryRelease> page = Call((api, ct) => api.GetReleasePageAsync(project, Query, current, ct));
                foreach (SentryRelease release in page.Items)
                {
                    if (seen++ < skip) continue;
                    WriteObject(release);
                    if (++written >= first) return;
                }

                next = page.Next != null && page.Next == current ? null : page.Next;
            }
            while (next != null);
        }
    }
}

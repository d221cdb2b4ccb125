using System;
using System.Management.Automation;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
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
            ulong skip = PagingParameters.Skip, first = PagingParameters.First, seen = 0, written = 0;
            bool includeTotal = PagingParameters.IncludeTotalCount;
            if (first == 0 && !includeTotal) return; // -First 0 asks for nothing: Sentry is not asked either

            string? project = Project ?? ResolvedConnection.Project;
            var progress = new ProgressRecord(5, "Get-SentryRelease", "Listing releases" + (project is null ? string.Empty : " of " + project));
            bool progressShown = false;
            int pages = 0;
            Uri? next = null;
            try
            {
                do
                {
                    Uri? current = next;
                    SentryPage<SentryRelease> page = Call((api, ct) => api.GetReleasePageAsync(project, Query, current, ct));
                    pages++;
                    next = page.Next != null && page.Next == current ? null : page.Next;
                    if (pages == 1 && includeTotal) WriteObject(TotalCount(page, next));

                    foreach (SentryRelease release in page.Items)
                    {
                        if (written >= first) return;
                        if (seen++ < skip) continue;
                        WriteObject(release);
                        written++;
                    }

                    if (written >= first) return;
                    if (next != null)
                    {
                        progress.StatusDescription = $"{written} release(s) from {pages} page(s)";
                        WriteProgress(progress);
                        progressShown = true;
                    }
                }
                while (next != null);
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, (object?)Query ?? project);
            }
            finally
            {
                if (progressShown) CompleteProgress(progress);
            }
        }

        /// <summary>
        /// -IncludeTotalCount: Sentry's X-Hits where it sends one; the page's own count when it is the only page;
        /// otherwise unknown (accuracy 0), rather than reading every page just to count them.
        /// </summary>
        private PSObject TotalCount(SentryPage<SentryRelease> page, Uri? next)
        {
            if (page.TotalHits is long hits) return PagingParameters.NewTotalCount((ulong)Math.Max(0, hits), 1.0);
            return next is null ? PagingParameters.NewTotalCount((ulong)page.Items.Count, 1.0) : PagingParameters.NewTotalCount(0, 0.0);
        }
    }
}

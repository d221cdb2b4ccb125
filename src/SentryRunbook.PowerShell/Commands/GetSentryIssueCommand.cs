using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SentryRunbook.Abstractions;
using SentryRunbook.Actions;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Gets issues by id, short id or URL, or searches them with Sentry's query syntax, streaming the
    /// results page by page.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SentryIssue", DefaultParameterSetName = QuerySet, SupportsPaging = true)]
    [OutputType(typeof(SentryIssue))]
    public sealed class GetSentryIssueCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        private const string QuerySet = "ByQuery";

        /// <summary>Numeric ids, short ids (WEB-1A) or issue URLs.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("IssueId")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>Sentry search syntax; an empty string lists every status.</summary>
        [Parameter(ParameterSetName = QuerySet)]
        [AllowEmptyString]
        public string Query { get; set; } = "is:unresolved";

        /// <summary>Project slugs or ids. Default: the connection's project, else all projects.</summary>
        [Parameter(ParameterSetName = QuerySet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ProjectCompleter))]
        public string[]? Project { get; set; }

        [Parameter(ParameterSetName = QuerySet)]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        /// <summary>The search window: issues seen within it, such as 24h or 14d. Default: Sentry's 90 days.</summary>
        [Parameter(ParameterSetName = QuerySet)]
        [ValidatePeriod]
        [ArgumentCompleter(typeof(PeriodCompleter))]
        public string? StatsPeriod { get; set; }

        [Parameter(ParameterSetName = QuerySet)]
        [ValidateSet("date", "new", "freq", "user", "trends", "inbox", "recommended")]
        public string? Sort { get; set; }

        /// <summary>
        /// Read each issue's details (with its first and last release) even when many ids are given; otherwise more
        /// than five numeric ids are read 100 to a request from the issue list, whose rows have no releases.
        /// </summary>
        [Parameter(ParameterSetName = IdSet)]
        public SwitchParameter Detailed { get; set; }

        private readonly List<(string Input, string Id)> _pending = new List<(string, string)>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == IdSet)
            {
                foreach (string input in Id)
                {
                    string? id = ResolveIssueId(input);
                    if (id is null) continue;
                    if (id.All(c => c >= '0' && c <= '9'))
                    {
                        _pending.Add((input, id));
                        if (_pending.Count >= StatusPlanner.IssuesPerRead) WritePending();
                    }
                    else
                    {
                        WritePending(); // keeps the output in input order
                        WriteIssue(input, id);
                    }
                }
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == QuerySet) Search();
            else WritePending();
        }

        private void WriteIssue(string input, string id)
        {
            if (TryCall((api, ct) => api.GetIssueAsync(id, ct), input, out SentryIssue issue))
            {
                SentrySession.Remember(issue);
                WriteObject(issue);
            }
        }

        /// <summary>
        /// Numeric ids waiting: a few are read one by one (Sentry allows 5 detail reads a second, and details carry
        /// the releases); more are read 100 to a request from the issue list, in input order.
        /// </summary>
        private void WritePending()
        {
            if (_pending.Count == 0) return;
            var pending = _pending.ToList();
            _pending.Clear();
            if (Detailed || pending.Count <= StatusPlanner.SingleRouteMax)
            {
                foreach ((string input, string id) in pending) WriteIssue(input, id);
                return;
            }

            foreach ((object _, string _, SentryIssue issue) in ReadIssues(pending.Select(p => ((object)p.Input, p.Id)).ToList()))
            {
                SentrySession.Remember(issue);
                WriteObject(issue);
            }
        }

        private void Search()
        {
            ulong skip = PagingParameters.Skip;
            ulong first = PagingParameters.First;
            if (first == 0) return;

            var query = new IssueQuery
            {
                Query = Query,
                Projects = Project ?? (ResolvedConnection.Project is string p ? new[] { p } : Array.Empty<string>()),
                Environments = Environment ?? Array.Empty<string>(),
                StatsPeriod = StatsPeriod,
                Sort = Sort,
                // First defaults to ulong.MaxValue: add without overflowing.
                Limit = first > 100 || skip > 100 ? 100 : (int)Math.Min(100UL, skip + first),
            };

            var progress = new ProgressRecord(1, "Get-SentryIssue", $"Searching issues: {(Query.Length == 0 ? "(all)" : Query)}");
            ulong written = 0, seen = 0;
            int page = 0;
            Uri? next = null;
            try
            {
                do
                {
                    page++;
                    Uri? current = next;
                    SentryPage<SentryIssue> result = Call((api, ct) => api.GetIssuePageAsync(query, current, ct));
                    if (page == 1 && PagingParameters.IncludeTotalCount)
                    {
                        WriteObject(PagingParameters.NewTotalCount((ulong)(result.TotalHits ?? result.Items.Count), result.TotalHits.HasValue ? 0.9 : 1.0));
                    }

                    foreach (SentryIssue issue in result.Items)
                    {
                        if (seen++ < skip) continue;
                        SentrySession.Remember(issue);
                        WriteObject(issue);
                        if (++written >= first) return;
                    }

                    // A server that hands back the page just read would loop forever.
                    next = result.Next != null && result.Next == current ? null : result.Next;
                    progress.StatusDescription = $"{written} issues from {page} page(s)" + (result.TotalHits is long hits ? $" of about {hits}" : string.Empty);
                    if (result.TotalHits is long total && total > 0) progress.PercentComplete = (int)Math.Min(100, seen * 100 / (ulong)total);
                    WriteProgress(progress);
                }
                while (next != null);
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, Query);
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }
}

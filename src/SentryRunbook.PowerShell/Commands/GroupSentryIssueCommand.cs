using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Groups issues into incidents: one incident per set of issues tied by evidence that can be cited (first seen
    /// in the same release shortly after its deploy, the same failing upstream host, shared traces, the same
    /// transaction starting close together). Without input it takes the unresolved issues first seen or regressed
    /// in the last hour. Each incident has one severity (the highest member's) and one impact counted across its
    /// members by a single query.
    /// </summary>
    [Cmdlet(VerbsData.Group, "SentryIssue", DefaultParameterSetName = QuerySet)]
    [OutputType(typeof(SentryIncident))]
    public sealed class GroupSentryIssueCommand : SentryApiCmdlet
    {
        private const string QuerySet = "ByQuery";
        private const string IssueSet = "ByIssue";
        private const string TriageSet = "ByTriage";

        /// <summary>The searches used without input: new in the last hour, or regressed and firing in the last hour.</summary>
        public static readonly string[] DefaultQueries = { "is:unresolved firstSeen:-1h", "is:unresolved is:regressed lastSeen:-1h" };

        /// <summary>The most issues grouped in one run: beyond this the search is too broad to be one storm.</summary>
        public const int MaxIssues = 1000;

        private readonly List<SentryIssue> _issues = new List<SentryIssue>();
        private readonly Dictionary<string, TriageReport> _triage = new Dictionary<string, TriageReport>(StringComparer.Ordinal);

        [Parameter(Mandatory = true, ParameterSetName = IssueSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIssue[] Issue { get; set; } = Array.Empty<SentryIssue>();

        [Parameter(Mandatory = true, ParameterSetName = TriageSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public TriageReport[] Triage { get; set; } = Array.Empty<TriageReport>();

        /// <summary>Sentry search syntax; default: unresolved issues first seen or regressed in the last hour.</summary>
        [Parameter(Position = 0, ParameterSetName = QuerySet)]
        [ValidateNotNullOrEmpty]
        public string? Query { get; set; }

        [Parameter(ParameterSetName = QuerySet)]
        [ValidateNotNullOrEmpty]
        public string[]? Project { get; set; }

        [Parameter(ParameterSetName = QuerySet)]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file (IncidentDeployWindowMinutes, IncidentStartWindowMinutes, IncidentMinimumEvidence, IncidentMinimumSharedTraces, and the severity thresholds).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        protected override void ProcessRecord()
        {
            _issues.AddRange(Issue);
            foreach (TriageReport report in Triage)
            {
                _triage[report.Issue.Id] = report;
                _issues.Add(report.Issue);
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == QuerySet) _issues.AddRange(Search());
            var issues = _issues.GroupBy(i => i.Id, StringComparer.Ordinal).Select(g => g.First()).ToList();
            if (issues.Count == 0)
            {
                WriteVerbose("No issues to group.");
                return;
            }

            if (issues.Count > MaxIssues)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryIncidentTooManyIssues", $"{issues.Count} issues are too many to group at once (at most {MaxIssues}).", "Narrow the search with -Query, -Project or -Environment.", issues.Count));
            }

            WriteVerbose($"Grouping {issues.Count} issue(s)");
            IReadOnlyList<SentryIncident> incidents;
            try
            {
                incidents = Call((api, ct) => new IncidentGatherer(api, _policy, QueueVerbose).GroupAsync(issues, _triage, DateTimeOffset.UtcNow, ct));
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, null);
                throw;
            }

            foreach (SentryIncident incident in incidents) WriteObject(incident);
        }

        private IEnumerable<SentryIssue> Search()
        {
            var found = new List<SentryIssue>();
            foreach (string search in Query is null ? DefaultQueries : new[] { Query })
            {
                var query = new IssueQuery { Query = search, Projects = Project ?? Array.Empty<string>(), Environments = Environment ?? Array.Empty<string>(), StatsPeriod = "14d", Limit = 100 };
                Uri? next = null;
                do
                {
                    Uri? current = next;
                    SentryPage<SentryIssue> page;
                    try
                    {
                        page = Call((api, ct) => api.GetIssuePageAsync(query, current, ct));
                    }
                    catch (SentryApiException ex)
                    {
                        ThrowSentryError(ex, search);
                        throw;
                    }

                    found.AddRange(page.Items);
                    next = page.Next;
                }
                while (next != null && found.Count <= MaxIssues);
            }

            return found;
        }
    }
}

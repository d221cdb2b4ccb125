using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Actions;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Resolves (now, in the next release, in a release), unresolves or archives issues — only the issues
    /// named, each with Sentry's single-issue route. It reads them first, says what it will do, and refuses
    /// to resolve an issue that is still receiving events unless -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "SentryIssueStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IssueSet)]
    [OutputType(typeof(SentryIssue))]
    public sealed class SetSentryIssueStatusCommand : IssueBatchCmdlet
    {
        private const string IncidentSet = "ByIncident";

        /// <summary>Incidents from Group-SentryIssue: all their members are changed, read again first like any issue.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncidentSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIncident[] Incident { get; set; } = Array.Empty<SentryIncident>();

        private readonly Dictionary<string, string> _incidentOf = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Resolved, Unresolved, or Ignored (Archived is the same: Sentry's UI calls it that).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateSet("Resolved", "Unresolved", "Ignored", "Archived", IgnoreCase = true)]
        public string Status { get; set; } = "Resolved";

        [Parameter]
        public SwitchParameter InNextRelease { get; set; }

        /// <summary>A release version, or latest.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? InRelease { get; set; }

        [Parameter]
        public SwitchParameter UntilEscalating { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? IgnoreCount { get; set; }

        /// <summary>Minutes, at most 10080 (a week).</summary>
        [Parameter]
        [ValidateRange(1, StatusChange.MaxWindowMinutes)]
        public int? IgnoreWindow { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? IgnoreUserCount { get; set; }

        [Parameter]
        [ValidateRange(1, StatusChange.MaxWindowMinutes)]
        public int? IgnoreUserWindow { get; set; }

        /// <summary>Minutes.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? IgnoreDuration { get; set; }

        /// <summary>Why; also written as a note on each issue changed.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Reason { get; set; }

        /// <summary>Resolve issues that are still receiving events, and skip the confirmation of high-impact changes.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }


        /// <summary>The incident journal: one JSON line per issue changed, with its state before and after (for Undo-SentryIssueStatus).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private JournalFile? _journal;

        protected override void ProcessRecord()
        {
            CollectInputs(Issue, IssueId);
            foreach (SentryIncident incident in Incident)
            {
                foreach (SentryIssue member in incident.Issues)
                {
                    _incidentOf[member.Id] = incident.Id;
                    NamedInputs.Add((member.Id, member.Id));
                }
            }
        }

        protected override void EndProcessing()
        {
            StatusChange change = BuildChange();
            _journal = JournalFile.Open(this, Journal);
            if (!HasInputs) return;

            // Read every named issue first (unless piped in fresh): it proves each exists, and the plan needs its state and project.
            List<(string Input, SentryIssue Issue)> issues = ReadInputs();

            if (StatusPlanner.CheckSingleProject(issues.Select(i => i.Issue).ToList(), change) is string problem)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryReleaseResolutionMultipleProjects", problem, "Pipe the issues of one project at a time, or resolve without -InNextRelease/-InRelease.", null));
            }

            ChangeStatus(change, issues, Force, Reason, _journal, PassThru, _incidentOf);
        }

        private StatusChange BuildChange()
        {
            var change = new StatusChange
            {
                Status = Status.Equals("Archived", StringComparison.OrdinalIgnoreCase) ? "ignored" : Status.ToLowerInvariant(),
                InNextRelease = InNextRelease,
                InRelease = InRelease,
                UntilEscalating = UntilEscalating,
                IgnoreCount = IgnoreCount,
                IgnoreWindow = IgnoreWindow,
                IgnoreUserCount = IgnoreUserCount,
                IgnoreUserWindow = IgnoreUserWindow,
                IgnoreDuration = IgnoreDuration,
            };
            var errors = change.Validate();
            if (errors.Count > 0)
            {
                ThrowTerminatingError(ErrorRecords.Input(errors[0].ErrorId, string.Join(" ", errors.Select(e => e.Message)), "Get-Help Set-SentryIssueStatus -Examples shows each kind of change.", null));
            }

            return change;
        }
    }
}

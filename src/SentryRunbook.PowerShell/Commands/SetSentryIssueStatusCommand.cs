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

            var approved = new List<(string Input, SentryIssue Issue)>();
            foreach (PlannedChange planned in StatusPlanner.Plan(issues.Select(i => i.Issue).ToList(), change, DateTimeOffset.UtcNow, Force, FreshIds))
            {
                string input = issues.First(i => ReferenceEquals(i.Issue, planned.Issue)).Input;
                switch (planned.Action)
                {
                    case PlannedAction.AlreadyDone:
                        WriteVerbose(planned.Reason);
                        if (PassThru) WriteObject(planned.Issue);
                        break;
                    case PlannedAction.Refused:
                        WriteError(ErrorRecords.Input(planned.ErrorId!, planned.Reason, "Wait until the issue stops receiving events, or add -Force.", input, ErrorCategory.OperationStopped));
                        break;
                    default:
                        if (ShouldProcess($"{planned.Issue.ShortId} ({planned.Issue.Title})", change.Describe()))
                        {
                            approved.Add((input, planned.Issue));
                        }

                        break;
                }
            }

            if (approved.Count == 0) return;
            if (StatusPlanner.IsHighImpact(change, approved.Count) && !ConfirmHighImpact(change, approved.Count)) return;

            Apply(change, approved);
        }

        /// <summary>
        /// Archiving forever or changing many issues asks once more. -Confirm:$false or -Force answers it, so an
        /// unattended job (Azure Automation) can say yes without turning off the still-firing guard; a
        /// non-interactive session without either gets an error saying so rather than a hang.
        /// </summary>
        private bool ConfirmHighImpact(StatusChange change, int count)
        {
            bool confirmedAlready = Force || (MyInvocation.BoundParameters.TryGetValue("Confirm", out object? confirm) && confirm is SwitchParameter s && !s.IsPresent);
            if (confirmedAlready) return true;
            try
            {
                return ShouldContinue($"{Capitalize(change.Describe())}: {count} issue(s). Continue?", "High-impact change");
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowTerminatingError(ErrorRecords.Input(
                    "SentryHighImpactNotConfirmed",
                    $"{Capitalize(change.Describe())} for {count} issue(s) needs confirmation, and this session cannot ask ({ex.Message}).",
                    "Add -Confirm:$false to confirm it in a script (the still-firing guard stays on), or -Force.",
                    null,
                    ErrorCategory.PermissionDenied));
                return false;
            }
        }

        private void Apply(StatusChange change, List<(string Input, SentryIssue Issue)> approved)
        {
            var progress = new ProgressRecord(3, "Set-SentryIssueStatus", $"{Capitalize(change.Describe())}: {approved.Count} issue(s)");
            string? note = Reason is null ? null : $"{Capitalize(change.Describe())}: {Reason}";
            bool bulk = approved.Count > StatusPlanner.SingleRouteMax;
            WriteVerbose(bulk
                ? $"{Capitalize(change.Describe())}: {approved.Count} issues with Sentry's bulk route, one project per request, each request guarded so that only the ids it names can change; then read back"
                : $"{Capitalize(change.Describe())}: {approved.Count} issue(s) with Sentry's single-issue route");
            (SentryIssue? Issue, SentryApiException? Error)[] results;
            WriteProgress(progress);
            try
            {
                results = Call((api, ct) => bulk ? ChangeInBulkAsync(api, change, approved.Select(a => a.Issue).ToList(), progress, ct) : ChangeOneByOneAsync(api, change, approved.Select(a => a.Issue).ToList(), progress, ct));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            // Notes only on issues that changed; a failed note does not undo or hide the change that was made.
            SentryApiException?[] noteErrors = note is null
                ? new SentryApiException?[results.Length]
                : Call((api, ct) => Task.WhenAll(results.Select(async r =>
                {
                    if (r.Issue is null) return null;
                    try
                    {
                        await api.AddNoteAsync(r.Issue.Id, note, ct).ConfigureAwait(false);
                        return null;
                    }
                    catch (SentryApiException ex)
                    {
                        return ex;
                    }
                })));

            _journal?.Write(this, JournalEntries(change, approved, results));

            // Every result is written before a failure that stops the command, so no change already made goes unreported.
            SentryApiException? fatal = null;
            for (int i = 0; i < results.Length; i++)
            {
                if (results[i].Issue is SentryIssue updated)
                {
                    if (PassThru) WriteObject(updated);
                    if (noteErrors[i] is SentryApiException noteError)
                    {
                        WriteError(ErrorRecords.Input(
                            "SentryIssueNoteFailed",
                            $"{updated.ShortId} was changed, but the note with the reason could not be written: {noteError.Message}",
                            "Add it with Add-SentryIssueNote; notes need a token with event:write bound to a user or an internal integration.",
                            approved[i].Input,
                            ErrorCategory.WriteError));
                    }
                }
                else if (results[i].Error is SentryApiException error)
                {
                    if (error.IsFatal) fatal ??= error;
                    else WriteSentryError(error, approved[i].Input);
                }
            }

            if (fatal != null) ThrowSentryError(fatal, null);
        }

        private List<JournalEntry> JournalEntries(StatusChange change, List<(string Input, SentryIssue Issue)> approved, (SentryIssue? Issue, SentryApiException? Error)[] results)
        {
            var entries = new List<JournalEntry>();
            string user = JournalEntry.CurrentUser();
            for (int i = 0; i < results.Length; i++)
            {
                if (!(results[i].Issue is SentryIssue updated)) continue;
                SentryIssue before = approved[i].Issue;
                entries.Add(new JournalEntry(DateTimeOffset.UtcNow, user, JournalActions.SetStatus, updated.Id, updated.ShortId, updated.Project,
                    change.Describe(), Reason, IssueState.Of(before), IssueState.Of(updated), incident: _incidentOf.TryGetValue(updated.Id, out string? incident) ? incident : null));
            }

            return entries;
        }

        /// <summary>Few issues: one single-issue PUT each, which answers with the changed issue.</summary>
        private async Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeOneByOneAsync(ISentryApi api, StatusChange change, List<SentryIssue> issues, ProgressRecord progress, CancellationToken ct)
        {
            int done = 0;
            return await Task.WhenAll(issues.Select(async issue =>
            {
                (SentryIssue? Issue, SentryApiException? Error) outcome = await Settle(api.UpdateIssueStatusAsync(issue.Id, change, ct)).ConfigureAwait(false);
                int finished = Interlocked.Increment(ref done);
                QueueVerbose($"{finished}/{issues.Count}: {issue.ShortId} {(outcome.Error is null ? "done" : "failed")}");
                QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, $"{finished} of {issues.Count} done, the last {issue.ShortId}") { PercentComplete = finished * 100 / issues.Count });
                return outcome;
            })).ConfigureAwait(false);
        }

        /// <summary>Many issues: the bulk route per project with the ids just read, then one batched read to learn what Sentry did.</summary>
        private Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeInBulkAsync(ISentryApi api, StatusChange change, List<SentryIssue> issues, ProgressRecord progress, CancellationToken ct) =>
            ChangeInBulkAsync(
                api,
                issues,
                (project, ids) => api.UpdateIssueStatusesAsync(project, ids, change, ct),
                change.HasTakenEffect,
                updated => new SentryApiException(
                    SentryErrorKind.InvalidRequest,
                    "SentryIssueNotChanged",
                    $"Sentry accepted the change, but {updated.ShortId} is {updated.Status}{(updated.Substatus is null ? string.Empty : $" ({updated.Substatus})")} afterwards.",
                    "Read it with Get-SentryIssue; change it alone with Set-SentryIssueStatus to see Sentry's answer.",
                    null, null, "PUT", null),
                progress,
                ct);

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

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}

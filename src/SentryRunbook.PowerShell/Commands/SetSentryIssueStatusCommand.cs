using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
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
    [Cmdlet(VerbsCommon.Set, "SentryIssueStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SentryIssue))]
    public sealed class SetSentryIssueStatusCommand : SentryApiCmdlet
    {
        private readonly List<(string Input, string Id)> _inputs = new List<(string, string)>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string[] IssueId { get; set; } = Array.Empty<string>();

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

        /// <summary>Output the issues as Sentry has them after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string input in IssueId)
            {
                string? id = ResolveIssueId(input);
                if (id != null) _inputs.Add((input, id));
            }
        }

        protected override void EndProcessing()
        {
            StatusChange change = BuildChange();
            if (_inputs.Count == 0) return;

            // Read every named issue first: it proves each exists, and the plan needs its state and project.
            (SentryIssue? Issue, SentryApiException? Error)[] read = Call((api, ct) => Task.WhenAll(_inputs.Select(i => Settle(api.GetIssueAsync(i.Id, ct)))));
            var issues = new List<(string Input, SentryIssue Issue)>();
            for (int i = 0; i < read.Length; i++)
            {
                if (read[i].Issue is SentryIssue issue) issues.Add((_inputs[i].Input, issue));
                else ReportFailure(read[i].Error!, _inputs[i].Input);
            }

            if (StatusPlanner.CheckSingleProject(issues.Select(i => i.Issue).ToList(), change) is string problem)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryReleaseResolutionMultipleProjects", problem, "Pipe the issues of one project at a time, or resolve without -InNextRelease/-InRelease.", null));
            }

            var approved = new List<(string Input, SentryIssue Issue)>();
            foreach (PlannedChange planned in StatusPlanner.Plan(issues.Select(i => i.Issue).ToList(), change, DateTimeOffset.UtcNow, Force))
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
            int done = 0;
            string? note = Reason is null ? null : $"{Capitalize(change.Describe())}: {Reason}";
            (SentryIssue? Issue, SentryApiException? Error, SentryApiException? NoteError)[] results;
            WriteProgress(progress);
            try
            {
                results = Call((api, ct) =>
                {
                    // Bounded by the connection's concurrency limit; each issue's change and note stay together.
                    return Task.WhenAll(approved.Select(async item =>
                    {
                        var outcome = await ChangeOneAsync(api, item.Issue, change, note, ct).ConfigureAwait(false);
                        int finished = Interlocked.Increment(ref done);
                        QueueVerbose($"{finished}/{approved.Count}: {item.Issue.ShortId} {(outcome.Error is null ? "done" : "failed")}");
                        QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, $"{finished} of {approved.Count} done, the last {item.Issue.ShortId}") { PercentComplete = finished * 100 / approved.Count });
                        return outcome;
                    }));
                });
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            // Every result is written before a failure that stops the command, so no change already made goes unreported.
            SentryApiException? fatal = null;
            for (int i = 0; i < results.Length; i++)
            {
                if (results[i].Issue is SentryIssue updated)
                {
                    if (PassThru) WriteObject(updated);
                    if (results[i].NoteError is SentryApiException noteError)
                    {
                        WriteError(ErrorRecords.Input(
                            "SentryIssueNoteFailed",
                            $"{updated.ShortId} was changed, but the note with the reason could not be written: {noteError.Message}",
                            "Add it with Add-SentryIssueNote; notes need a token with event:write bound to a user or an internal integration.",
                            approved[i].Input,
                            ErrorCategory.WriteError));
                    }
                }
                else if (IsFatal(results[i].Error!))
                {
                    fatal ??= results[i].Error;
                }
                else
                {
                    WriteSentryError(results[i].Error!, approved[i].Input);
                }
            }

            if (fatal != null) ThrowSentryError(fatal, null);
        }

        /// <summary>The change and its note: a failed note does not undo or hide the change that was made.</summary>
        private async Task<(SentryIssue? Issue, SentryApiException? Error, SentryApiException? NoteError)> ChangeOneAsync(SentryRunbook.Abstractions.ISentryApi api, SentryIssue issue, StatusChange change, string? note, CancellationToken ct)
        {
            SentryIssue updated;
            try
            {
                updated = await api.UpdateIssueStatusAsync(issue.Id, change, ct).ConfigureAwait(false);
            }
            catch (SentryApiException ex)
            {
                return (null, ex, null);
            }

            if (note is null) return (updated, null, null);
            try
            {
                await IdempotentWrites.AddNoteOnceAsync(api, issue.Id, note, QueueVerbose, ct).ConfigureAwait(false);
                return (updated, null, null);
            }
            catch (SentryApiException ex)
            {
                return (updated, null, ex);
            }
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

        private void ReportFailure(SentryApiException error, string input)
        {
            if (IsFatal(error)) ThrowSentryError(error, input);
            WriteSentryError(error, input);
        }

        private static async Task<(SentryIssue? Issue, SentryApiException? Error)> Settle(Task<SentryIssue> task)
        {
            try
            {
                return (await task.ConfigureAwait(false), null);
            }
            catch (SentryApiException ex)
            {
                return (null, ex);
            }
        }

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SentryRunbook.Actions;
using SentryRunbook.Errors;
using SentryRunbook.Journal;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Puts issues back in the state the incident journal recorded before Set-SentryIssueStatus changed them — for the
    /// 3 a.m. bulk resolve that was wrong. An issue that changed after the journal's last change is left alone, with an
    /// error saying so. The change goes the way Set-SentryIssueStatus sends one (single route for a few issues, the
    /// guarded bulk route and a read-back for many), and is recorded in the same journal.
    /// </summary>
    [Cmdlet(VerbsCommon.Undo, "SentryIssueStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SentryIssue))]
    public sealed class UndoSentryIssueStatusCommand : SentryApiCmdlet
    {
        /// <summary>The journal written by -Journal on Set-SentryIssueStatus; the undo is appended to it.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Path")]
        public string Journal { get; set; } = string.Empty;

        /// <summary>Only changes made at or after this time; default: every status change in the journal.</summary>
        [Parameter]
        public DateTimeOffset? Since { get; set; }

        /// <summary>Put back a resolution even if the issue is still receiving events, and skip the confirmation of many issues.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Output the issues as Sentry has them afterwards (also those already as before).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            JournalFile journal = JournalFile.Open(this, Journal)!;
            if (Since is DateTimeOffset since && since > DateTimeOffset.UtcNow)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryJournalSinceInFuture", $"-Since {since:u} is in the future, so no change in the journal can be after it.", "Pass a time in the past, e.g. -Since (Get-Date).AddHours(-1).", since));
            }

            IReadOnlyList<JournalEntry> entries = JournalFile.Read(this, journal.Path);
            var changed = StatusRestore.Collect(entries, Since?.ToUniversalTime());
            // Set-SentryIssue's lines (priority, assignee) are not statuses: they are left as they are, and said so.
            int notStatuses = entries.Count(e => e.Action == JournalActions.SetIssue && (Since is null || e.Time >= Since.Value.ToUniversalTime()));
            if (notStatuses > 0) WriteVerbose($"The journal records {notStatuses} priority or assignee change(s) (Set-SentryIssue): not undone, Undo-SentryIssueStatus puts back statuses only; their Detail says what each was before");
            if (changed.Count == 0)
            {
                WriteWarning($"The journal '{journal.Path}' records no status change{(Since is null ? string.Empty : $" since {Since:u}")}: nothing to undo.");
                return;
            }

            WriteVerbose($"The journal records status changes of {changed.Count} issue(s); reading them ({(changed.Count + StatusPlanner.IssuesPerRead - 1) / StatusPlanner.IssuesPerRead} batched read(s))");
            IReadOnlyList<SentryIssue> current;
            try
            {
                current = Call((api, ct) => api.GetIssuesAsync(changed.Select(c => c.IssueId).ToList(), ct));
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, null);
                throw;
            }

            var byId = current.ToDictionary(i => i.Id, StringComparer.Ordinal);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var approved = new List<(SentryIssue Issue, RestorePlan Plan)>();
            foreach ((string id, JournalEntry first, JournalEntry last) in changed)
            {
                if (!byId.TryGetValue(id, out SentryIssue? issue))
                {
                    WriteError(ErrorRecords.Input("SentryIssueNotFound", $"Issue {last.ShortId ?? id} ({id}) from the journal was not found (deleted, merged, or in a project the token cannot see).", "Check it with Get-SentryIssue.", id, ErrorCategory.ObjectNotFound));
                    continue;
                }

                RestorePlan plan = StatusRestore.Decide(first, last, issue, now);
                switch (plan.Action)
                {
                    case RestoreAction.AlreadyRestored:
                        WriteVerbose(plan.Reason);
                        if (PassThru) WriteObject(issue);
                        continue;
                    case RestoreAction.ChangedSince:
                        WriteError(ErrorRecords.Input(plan.ErrorId!, plan.Reason, "Look at its activity (Get-SentryIssueActivity) and set it by hand with Set-SentryIssueStatus if it still should change.", issue.Id, ErrorCategory.ResourceUnavailable));
                        continue;
                    case RestoreAction.CannotRestore:
                        WriteError(ErrorRecords.Input(plan.ErrorId!, plan.Reason, "Set it by hand with Set-SentryIssueStatus or in Sentry.", issue.Id, ErrorCategory.NotImplemented));
                        continue;
                }

                PlannedChange guard = StatusPlanner.Plan(new[] { issue }, plan.Change!, now, Force)[0];
                if (guard.Action == PlannedAction.Refused)
                {
                    WriteError(ErrorRecords.Input(guard.ErrorId!, guard.Reason, "Wait until the issue stops receiving events, or add -Force.", issue.Id, ErrorCategory.OperationStopped));
                    continue;
                }

                if (ShouldProcess($"{issue.ShortId} ({issue.Title})", $"Put back to {plan.Before} (it is {IssueState.Of(issue)}, as the journal left it at {last.Time:u})"))
                {
                    approved.Add((issue, plan));
                }
            }

            if (approved.Count == 0) return;
            if (approved.Count > StatusPlanner.ManyIssues && !ConfirmMany(approved.Count)) return;
            Restore(journal, approved);
        }

        /// <summary>Issues going back to the same state go together, so a bulk resolve of 200 is undone in a few requests.</summary>
        private void Restore(JournalFile journal, List<(SentryIssue Issue, RestorePlan Plan)> approved)
        {
            string user = JournalEntry.CurrentUser();
            var entries = new List<JournalEntry>();
            var groups = approved.GroupBy(a => a.Plan.Change!.Describe() + "\n" + (a.Plan.Change!.IsReleaseBased ? a.Issue.Project : string.Empty), StringComparer.Ordinal).ToList();
            WriteVerbose($"Putting back {approved.Count} issue(s) in {groups.Count} group(s) of the same earlier state");
            foreach (var group in groups)
            {
                StatusChange change = group.First().Plan.Change!;
                var issues = group.Select(g => g.Issue).ToList();
                (SentryIssue? Issue, SentryApiException? Error)[] results = Call((api, ct) => StatusApplier.ApplyAsync(api, change, issues, QueueVerbose, ct));
                SentryApiException? fatal = null;
                for (int i = 0; i < results.Length; i++)
                {
                    if (results[i].Issue is SentryIssue updated)
                    {
                        entries.Add(new JournalEntry(DateTimeOffset.UtcNow, user, JournalActions.UndoStatus, updated.Id, updated.ShortId, updated.Project,
                            change.Describe(), "undo of the journal's change", IssueState.Of(issues[i]), IssueState.Of(updated)));
                        if (PassThru) WriteObject(updated);
                    }
                    else if (results[i].Error is SentryApiException error)
                    {
                        if (error.IsFatal) fatal ??= error;
                        else WriteSentryError(error, issues[i].Id);
                    }
                }

                if (fatal != null)
                {
                    journal.Write(this, entries);
                    ThrowSentryError(fatal, null);
                }
            }

            journal.Write(this, entries);
        }

        private bool ConfirmMany(int count)
        {
            bool confirmedAlready = Force || (MyInvocation.BoundParameters.TryGetValue("Confirm", out object? confirm) && confirm is SwitchParameter s && !s.IsPresent);
            if (confirmedAlready) return true;
            try
            {
                return ShouldContinue($"Put {count} issues back to their earlier state. Continue?", "High-impact change");
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowTerminatingError(ErrorRecords.Input(
                    "SentryHighImpactNotConfirmed",
                    $"Putting back {count} issues needs confirmation, and this session cannot ask ({ex.Message}).",
                    "Add -Confirm:$false to confirm it in a script, or -Force.",
                    null,
                    ErrorCategory.PermissionDenied));
                return false;
            }
        }
    }
}

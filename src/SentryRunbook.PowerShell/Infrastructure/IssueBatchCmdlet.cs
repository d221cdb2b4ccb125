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

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// The batch safety that every command changing many issues shares: named issues are read first (100 to a
    /// request), fresh piped issues are taken as they are, and many changes go to Sentry's bulk route one project
    /// per request with a guard that only the ids just read can change, then are read back.
    /// </summary>
    public abstract class IssueBatchCmdlet : SentryApiCmdlet
    {
        protected const string IdSet = "ById";
        // The default set of every command deriving from this one: PowerShell tries the default set's parameters
        // first, and a piped issue must bind as an issue, not by its IssueId property, to be changed without another read.
        protected const string IssueSet = "ByIssue";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string[] IssueId { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Issues from Get-SentryIssue: read within the last minute, they are changed as they are, without another
        /// read; older copies are read again first.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = IssueSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIssue[] Issue { get; set; } = Array.Empty<SentryIssue>();

        /// <summary>Output the issues as Sentry has them after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Issues named by id (or piped but too old to trust), with what the user typed.</summary>
        protected List<(string Input, string Id)> NamedInputs { get; } = new List<(string, string)>();

        /// <summary>Piped issues read within <see cref="StatusPlanner.FreshFor"/>: changed as they are, without another read.</summary>
        protected List<(string Input, SentryIssue Issue)> FreshInputs { get; } = new List<(string, SentryIssue)>();

        /// <summary>Ids of the fresh piped copies: their status may be out of date, so "already so" is not trusted for them.</summary>
        protected ISet<string> FreshIds => new HashSet<string>(FreshInputs.Select(f => f.Issue.Id), StringComparer.Ordinal);

        protected bool HasInputs => NamedInputs.Count > 0 || FreshInputs.Count > 0;

        protected void CollectInputs(IEnumerable<SentryIssue> issues, IEnumerable<string> ids)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            foreach (SentryIssue issue in issues)
            {
                if (issue.RetrievedAt is DateTimeOffset read && now - read < StatusPlanner.FreshFor && now >= read) FreshInputs.Add((issue.Id, issue));
                else NamedInputs.Add((issue.Id, issue.Id));
            }

            foreach (string input in ids)
            {
                string? id = ResolveIssueId(input);
                if (id != null) NamedInputs.Add((input, id));
            }
        }

        /// <summary>Every input as an issue: the named ones read (an issue named twice appears once), then the fresh piped ones.</summary>
        protected List<(string Input, SentryIssue Issue)> ReadInputs()
        {
            List<(string Input, SentryIssue Issue)> issues = NamedInputs.Count == 0 ? new List<(string, SentryIssue)>() : ReadNamedIssues();
            if (FreshInputs.Count > 0) WriteVerbose($"{FreshInputs.Count} piped issue(s) read within the last {StatusPlanner.FreshFor.TotalSeconds:0} s: not read again");
            var known = new HashSet<string>(issues.Select(i => i.Issue.Id), StringComparer.Ordinal);
            issues.AddRange(FreshInputs.Where(f => known.Add(f.Issue.Id)));
            return issues;
        }

        /// <summary>
        /// Numeric ids are read together, 100 to a request, through the issue list; short ids one by one on the
        /// detail route, which resolves them. An issue named twice is changed once.
        /// </summary>
        protected List<(string Input, SentryIssue Issue)> ReadNamedIssues()
        {
            var numeric = NamedInputs.Where(i => IsNumeric(i.Id)).ToList();
            var named = NamedInputs.Where(i => !IsNumeric(i.Id)).ToList();
            WriteVerbose($"Reading {NamedInputs.Count} issue(s): {(numeric.Count + StatusPlanner.IssuesPerRead - 1) / StatusPlanner.IssuesPerRead} batched read(s) of numeric ids, {named.Count} short id(s) one by one");
            (IReadOnlyList<SentryIssue> Batch, (SentryIssue? Issue, SentryApiException? Error)[] Single) read;
            try
            {
                read = Call(async (api, ct) =>
                {
                    Task<IReadOnlyList<SentryIssue>> batch = numeric.Count == 0
                        ? Task.FromResult<IReadOnlyList<SentryIssue>>(Array.Empty<SentryIssue>())
                        : api.GetIssuesAsync(numeric.Select(i => i.Id).ToList(), ct);
                    Task<(SentryIssue?, SentryApiException?)[]> single = Task.WhenAll(named.Select(i => Settle(api.GetIssueAsync(i.Id, ct))));
                    await Task.WhenAll(batch, single).ConfigureAwait(false);
                    return (batch.Result, single.Result);
                });
            }
            catch (SentryApiException ex)
            {
                // Without the read nothing can be checked, so nothing is changed.
                ThrowSentryError(ex, null);
                throw;
            }

            var byId = read.Batch.ToDictionary(i => i.Id, StringComparer.Ordinal);
            var issues = new List<(string Input, SentryIssue Issue)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int next = 0;
            foreach ((string input, string id) in NamedInputs)
            {
                SentryIssue? issue;
                if (IsNumeric(id))
                {
                    if (!byId.TryGetValue(id, out issue))
                    {
                        WriteError(NotFound(input, id, "was not found"));
                        continue;
                    }
                }
                else
                {
                    (SentryIssue? found, SentryApiException? error) = read.Single[next++];
                    if (found is null)
                    {
                        ReportFailure(error!, input);
                        continue;
                    }

                    issue = found;
                }

                if (seen.Add(issue.Id)) issues.Add((input, issue));
            }

            return issues;
        }

        /// <summary>Many issues: the one bulk path (<see cref="StatusApplier.InBulkAsync"/>), reporting its progress and what it sent.</summary>
        protected Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeInBulkAsync(
            ISentryApi api,
            List<SentryIssue> issues,
            Func<string, IReadOnlyList<string>, Task<IReadOnlyList<BulkChangeOutcome>>> send,
            Func<SentryIssue, bool> hasTakenEffect,
            Func<SentryIssue, SentryApiException> notChanged,
            ProgressRecord progress,
            CancellationToken ct) =>
            StatusApplier.InBulkAsync(api, issues, send, hasTakenEffect, notChanged,
                id => NotFoundError(id, "was deleted or merged after it was read, so nothing was changed for it"),
                QueueVerbose,
                (status, percent) => QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, status) { PercentComplete = percent }),
                ct);

        /// <summary>
        /// A high-impact change (archiving forever, more than <see cref="StatusPlanner.ManyIssues"/> issues) asks once more.
        /// -Confirm:$false or <paramref name="force"/> answers it, so an unattended job (Azure Automation) can say yes;
        /// a non-interactive session without either gets an error saying so (<paramref name="fix"/>) rather than a hang.
        /// </summary>
        protected bool ConfirmHighImpact(string change, int count, bool force, string fix)
        {
            bool confirmedAlready = force || (MyInvocation.BoundParameters.TryGetValue("Confirm", out object? confirm) && confirm is SwitchParameter s && !s.IsPresent);
            if (confirmedAlready) return true;
            try
            {
                return ShouldContinue($"{change}: {count} issue(s). Continue?", "High-impact change");
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowTerminatingError(ErrorRecords.Input(
                    "SentryHighImpactNotConfirmed",
                    $"{change} for {count} issue(s) needs confirmation, and this session cannot ask ({ex.Message}).",
                    fix,
                    null,
                    ErrorCategory.PermissionDenied));
                return false;
            }
        }

        /// <summary>
        /// The guarded status change every command that resolves issues shares (Set-SentryIssueStatus, Watch-SentryIncident
        /// -ResolveOnRecovery): plans it per issue before anything is sent (already so: no request; still receiving events:
        /// refused unless <paramref name="force"/>), asks ShouldProcess per issue and once more for a high-impact change,
        /// applies it with the single-issue route or, for many, the guarded bulk route, writes the reason as a note and
        /// the journal, and reports every outcome. Returns the issues Sentry changed, as it has them afterwards.
        /// </summary>
        private protected List<SentryIssue> ChangeStatus(StatusChange change, List<(string Input, SentryIssue Issue)> issues, bool force, string? reason, JournalFile? journal, bool passThru, IReadOnlyDictionary<string, string>? incidentOf = null)
        {
            var approved = new List<(string Input, SentryIssue Issue)>();
            foreach (PlannedChange planned in StatusPlanner.Plan(issues.Select(i => i.Issue).ToList(), change, DateTimeOffset.UtcNow, force, FreshIds))
            {
                string input = issues.First(i => ReferenceEquals(i.Issue, planned.Issue)).Input;
                switch (planned.Action)
                {
                    case PlannedAction.AlreadyDone:
                        WriteVerbose(planned.Reason);
                        if (passThru) WriteObject(planned.Issue);
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

            if (approved.Count == 0) return new List<SentryIssue>();
            if (StatusPlanner.IsHighImpact(change, approved.Count)
                && !ConfirmHighImpact(Capitalize(change.Describe()), approved.Count, force, "Add -Confirm:$false to confirm it in a script (the still-firing guard stays on), or -Force.")) return new List<SentryIssue>();

            return ApplyStatus(change, approved, reason, journal, passThru, incidentOf);
        }

        private List<SentryIssue> ApplyStatus(StatusChange change, List<(string Input, SentryIssue Issue)> approved, string? reason, JournalFile? journal, bool passThru, IReadOnlyDictionary<string, string>? incidentOf)
        {
            var progress = new ProgressRecord(3, MyInvocation.MyCommand.Name, $"{Capitalize(change.Describe())}: {approved.Count} issue(s)");
            string? note = reason is null ? null : $"{Capitalize(change.Describe())}: {reason}";
            bool bulk = approved.Count > StatusPlanner.SingleRouteMax;
            WriteVerbose(bulk
                ? $"{Capitalize(change.Describe())}: {approved.Count} issues with Sentry's bulk route, one project per request, each request guarded so that only the ids it names can change; then read back"
                : $"{Capitalize(change.Describe())}: {approved.Count} issue(s) with Sentry's single-issue route");
            (SentryIssue? Issue, SentryApiException? Error)[] results;
            WriteProgress(progress);
            try
            {
                results = Call((api, ct) => bulk ? ChangeStatusInBulkAsync(api, change, approved.Select(a => a.Issue).ToList(), progress, ct) : ChangeStatusOneByOneAsync(api, change, approved.Select(a => a.Issue).ToList(), progress, ct));
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

            journal?.Write(this, StatusJournalEntries(change, approved, results, reason, incidentOf));

            // Every result is written before a failure that stops the command, so no change already made goes unreported.
            SentryApiException? fatal = null;
            var changed = new List<SentryIssue>();
            for (int i = 0; i < results.Length; i++)
            {
                if (results[i].Issue is SentryIssue updated)
                {
                    changed.Add(updated);
                    if (passThru) WriteObject(updated);
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
            return changed;
        }

        private static List<JournalEntry> StatusJournalEntries(StatusChange change, List<(string Input, SentryIssue Issue)> approved, (SentryIssue? Issue, SentryApiException? Error)[] results, string? reason, IReadOnlyDictionary<string, string>? incidentOf)
        {
            var entries = new List<JournalEntry>();
            string user = JournalEntry.CurrentUser();
            for (int i = 0; i < results.Length; i++)
            {
                if (!(results[i].Issue is SentryIssue updated)) continue;
                SentryIssue before = approved[i].Issue;
                entries.Add(new JournalEntry(DateTimeOffset.UtcNow, user, JournalActions.SetStatus, updated.Id, updated.ShortId, updated.Project,
                    change.Describe(), reason, IssueState.Of(before), IssueState.Of(updated), incident: incidentOf != null && incidentOf.TryGetValue(updated.Id, out string? incident) ? incident : null));
            }

            return entries;
        }

        /// <summary>Few issues: one single-issue PUT each, which answers with the changed issue.</summary>
        private async Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeStatusOneByOneAsync(ISentryApi api, StatusChange change, List<SentryIssue> issues, ProgressRecord progress, CancellationToken ct)
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
        private Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeStatusInBulkAsync(ISentryApi api, StatusChange change, List<SentryIssue> issues, ProgressRecord progress, CancellationToken ct) =>
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

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        protected static SentryApiException NotFoundError(string id, string what) =>
            (SentryApiException)ErrorRecords.IssueNotFound(id, what, null).Exception;

        protected static ErrorRecord NotFound(string input, string id, string what) => ErrorRecords.IssueNotFound(id, what, input);

        protected static bool IsNumeric(string id) => id.Length > 0 && id.All(c => c >= '0' && c <= '9');

        protected void ReportFailure(SentryApiException error, string input)
        {
            if (error.IsFatal) ThrowSentryError(error, input);
            WriteSentryError(error, input);
        }

        protected static async Task<(SentryIssue? Issue, SentryApiException? Error)> Settle(Task<SentryIssue> task)
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
    }
}

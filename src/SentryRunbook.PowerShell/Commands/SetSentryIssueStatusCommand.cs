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
    [Cmdlet(VerbsCommon.Set, "SentryIssueStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
    [OutputType(typeof(SentryIssue))]
    public sealed class SetSentryIssueStatusCommand : SentryApiCmdlet
    {
        private const string IdSet = "ById";
        private const string IssueSet = "ByIssue";
        private const string IncidentSet = "ByIncident";
        private readonly List<(string Input, string Id)> _inputs = new List<(string, string)>();
        private readonly List<(string Input, SentryIssue Issue)> _fresh = new List<(string, SentryIssue)>();

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        [IncidentMembers]
        public string[] IssueId { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Issues from Get-SentryIssue: read within the last minute, they are changed as they are, without another
        /// read; older copies are read again first.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = IssueSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIssue[] Issue { get; set; } = Array.Empty<SentryIssue>();

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

        /// <summary>Output the issues as Sentry has them after the change.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The incident journal: one JSON line per issue changed, with its state before and after (for Undo-SentryIssueStatus).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private JournalFile? _journal;

        protected override void ProcessRecord()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            foreach (SentryIssue issue in Issue)
            {
                if (issue.RetrievedAt is DateTimeOffset read && now - read < StatusPlanner.FreshFor && now >= read) _fresh.Add((issue.Id, issue));
                else _inputs.Add((issue.Id, issue.Id));
            }

            foreach (SentryIncident incident in Incident)
            {
                foreach (SentryIssue member in incident.Issues)
                {
                    _incidentOf[member.Id] = incident.Id;
                    _inputs.Add((member.Id, member.Id));
                }
            }

            string? pipedIncident = IncidentMembersAttribute.IncidentOf(IssueId);
            foreach (string input in IssueId)
            {
                string? id = ResolveIssueId(input);
                if (id != null) _inputs.Add((input, id));
                if (id != null && pipedIncident != null) _incidentOf[id] = pipedIncident;
            }
        }

        protected override void EndProcessing()
        {
            StatusChange change = BuildChange();
            _journal = JournalFile.Open(this, Journal);
            if (_inputs.Count == 0 && _fresh.Count == 0) return;

            // Read every named issue first (unless piped in fresh): it proves each exists, and the plan needs its state and project.
            List<(string Input, SentryIssue Issue)> issues = _inputs.Count == 0 ? new List<(string, SentryIssue)>() : ReadNamedIssues();
            if (_fresh.Count > 0) WriteVerbose($"{_fresh.Count} piped issue(s) read within the last {StatusPlanner.FreshFor.TotalSeconds:0} s: not read again");
            var known = new HashSet<string>(issues.Select(i => i.Issue.Id), StringComparer.Ordinal);
            issues.AddRange(_fresh.Where(f => known.Add(f.Issue.Id)));

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
        /// Numeric ids are read together, 100 to a request, through the issue list; short ids one by one on the
        /// detail route, which resolves them. An issue named twice is changed once.
        /// </summary>
        private List<(string Input, SentryIssue Issue)> ReadNamedIssues()
        {
            var numeric = _inputs.Where(i => IsNumeric(i.Id)).ToList();
            var named = _inputs.Where(i => !IsNumeric(i.Id)).ToList();
            WriteVerbose($"Reading {_inputs.Count} issue(s): {(numeric.Count + StatusPlanner.IssuesPerRead - 1) / StatusPlanner.IssuesPerRead} batched read(s) of numeric ids, {named.Count} short id(s) one by one");
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
            foreach ((string input, string id) in _inputs)
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
                        await IdempotentWrites.AddNoteOnceAsync(api, r.Issue.Id, note, QueueVerbose, ct).ConfigureAwait(false);
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
                    if (IsFatal(error)) fatal ??= error;
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

        /// <summary>
        /// Many issues: the bulk route per project with the ids just read, then one batched read to learn what
        /// Sentry did. An id that vanished between the read and the write changes nothing (the request's guard
        /// query matches only its own ids) and is reported as not found.
        /// </summary>
        private async Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeInBulkAsync(ISentryApi api, StatusChange change, List<SentryIssue> issues, ProgressRecord progress, CancellationToken ct)
        {
            var projects = issues.GroupBy(i => i.ProjectId ?? i.Project, StringComparer.Ordinal).ToList();
            QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, $"sending the change for {issues.Count} issues in {projects.Count} project(s)") { PercentComplete = 10 });
            IReadOnlyList<BulkChangeOutcome>[] sent = await Task.WhenAll(projects.Select(p => api.UpdateIssueStatusesAsync(p.Key, p.Select(i => i.Id).ToList(), change, ct))).ConfigureAwait(false);
            var outcomes = new Dictionary<string, BulkChangeOutcome>(StringComparer.Ordinal);
            foreach (BulkChangeOutcome outcome in sent.SelectMany(o => o))
            {
                foreach (string id in outcome.IssueIds) outcomes[id] = outcome;
                QueueVerbose($"bulk request for {outcome.IssueIds.Count} issue(s): " + (outcome.Error != null ? "failed: " + outcome.Error.Message : outcome.Matched ? "Sentry changed them" : "none of them exists any more (204)"));
            }

            // Only ids whose request matched are read back: a 204 says none of its ids exists.
            var toRead = issues.Where(i => outcomes.TryGetValue(i.Id, out BulkChangeOutcome? o) && o.Error is null && o.Matched).Select(i => i.Id).ToList();
            QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, $"reading back {toRead.Count} issue(s)") { PercentComplete = 60 });
            IReadOnlyList<SentryIssue> after = toRead.Count == 0 ? Array.Empty<SentryIssue>() : await api.GetIssuesAsync(toRead, ct).ConfigureAwait(false);
            var afterById = after.ToDictionary(i => i.Id, StringComparer.Ordinal);
            QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, $"{afterById.Count} of {issues.Count} read back") { PercentComplete = 100 });

            return issues.Select(issue =>
            {
                BulkChangeOutcome? outcome = outcomes.TryGetValue(issue.Id, out BulkChangeOutcome? o) ? o : null;
                if (outcome?.Error is SentryApiException error) return ((SentryIssue?)null, (SentryApiException?)error);
                if (outcome is null || !outcome.Matched || !afterById.TryGetValue(issue.Id, out SentryIssue? updated))
                {
                    return (null, NotFoundError(issue.Id, $"was deleted or merged after it was read, so nothing was changed for it"));
                }

                return change.HasTakenEffect(updated)
                    ? (updated, null)
                    : ((SentryIssue?)null, new SentryApiException(
                        SentryErrorKind.InvalidRequest,
                        "SentryIssueNotChanged",
                        $"Sentry accepted the change, but {updated.ShortId} is {updated.Status}{(updated.Substatus is null ? string.Empty : $" ({updated.Substatus})")} afterwards.",
                        "Read it with Get-SentryIssue; change it alone with Set-SentryIssueStatus to see Sentry's answer.",
                        null, null, "PUT", null));
            }).ToArray();
        }

        private static SentryApiException NotFoundError(string id, string what) =>
            new SentryApiException(
                SentryErrorKind.NotFound,
                "SentryIssueNotFound",
                $"Issue '{id}' {what} (it may be deleted, merged into another issue, or in a project the token cannot see).",
                "Check the id with Get-SentryIssue, and that you are connected to the right organization.",
                null, null, "GET", null);

        private static ErrorRecord NotFound(string input, string id, string what) => ErrorRecords.From(NotFoundError(id, what), input);

        private static bool IsNumeric(string id) => id.Length > 0 && id.All(c => c >= '0' && c <= '9');

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

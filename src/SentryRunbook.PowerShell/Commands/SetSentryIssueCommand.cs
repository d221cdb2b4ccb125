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
    /// Sets issues' priority and assignee (or unassigns them), with the batch safety of Set-SentryIssueStatus: the
    /// issues are read first, those already so are left alone, many go to Sentry's guarded bulk route per project.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "SentryIssue", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IssueSet)]
    [OutputType(typeof(SentryIssue))]
    public sealed class SetSentryIssueCommand : IssueBatchCmdlet
    {
        [Parameter]
        [ValidateSet("high", "medium", "low", IgnoreCase = true)]
        public string? Priority { get; set; }

        /// <summary>An e-mail, user:ID, team:SLUG (or #SLUG), or me.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AssignedTo { get; set; }

        [Parameter]
        public SwitchParameter Unassign { get; set; }

        /// <summary>The incident journal: one JSON line per issue changed, with its priority and assignee before and after.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private JournalFile? _journal;

        protected override void BeginProcessing()
        {
            if (Priority is null && AssignedTo is null && !Unassign)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryIssueNothingToSet", "Set-SentryIssue was given nothing to change.", "Add -Priority high|medium|low, -AssignedTo <e-mail|user:id|team:slug|me>, or -Unassign.", null));
            }

            if (AssignedTo != null && Unassign)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryAssigneeConflict", "-AssignedTo and -Unassign were both given.", "Use one of them.", AssignedTo));
            }

            if (AssignedTo != null && AssigneeParser.Parse(AssignedTo, out _) is string problem)
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryAssigneeInvalid", problem, "Use an e-mail, user:<id>, team:<slug> (or #<slug>), or me.", AssignedTo));
            }
        }

        protected override void ProcessRecord() => CollectInputs(Issue, IssueId);

        protected override void EndProcessing()
        {
            _journal = JournalFile.Open(this, Journal);
            if (!HasInputs) return;
            var change = new IssueChange { Priority = Priority?.ToLowerInvariant(), AssignedTo = Unassign ? IssueAssignee.Nobody : AssignedTo is null ? null : ResolveAssignee(AssignedTo) };

            List<(string Input, SentryIssue Issue)> issues = ReadInputs();
            var approved = new List<(string Input, SentryIssue Issue)>();
            foreach ((string input, SentryIssue issue) in issues)
            {
                // A piped copy may be out of date: "already so" is only believed from a read just made.
                if (change.HasTakenEffect(issue) && !FreshIds.Contains(issue.Id))
                {
                    WriteVerbose($"{issue.ShortId}: already so ({change.Describe()}), nothing sent");
                    if (PassThru) WriteObject(issue);
                }
                else if (ShouldProcess($"{issue.ShortId} ({issue.Title})", change.Describe()))
                {
                    approved.Add((input, issue));
                }
            }

            if (approved.Count == 0) return;
            // The same second question as Set-SentryIssueStatus for more than StatusPlanner.ManyIssues issues.
            if (approved.Count > StatusPlanner.ManyIssues && !ConfirmHighImpact(Capitalize(change.Describe()), approved.Count, false, "Add -Confirm:$false to confirm it in a script.")) return;
            Apply(change, approved);
        }

        /// <summary>Sentry takes users by id or e-mail and teams by id only: a team slug and "me" are looked up first.</summary>
        private IssueAssignee ResolveAssignee(string text)
        {
            AssigneeParser.Parse(text, out (string Kind, string Value) parsed);
            switch (parsed.Kind)
            {
                case "me":
                    SentryActor me = CallOrStop((api, ct) => api.GetCurrentUserAsync(ct), text);
                    WriteVerbose($"me is {me.Email ?? me.Name} (user:{me.Id})");
                    return IssueAssignee.User(me.Id ?? string.Empty, me.Email ?? me.Name);
                case "team":
                    IReadOnlyList<SentryActor> teams = CallOrStop((api, ct) => api.GetTeamsAsync(ct), text);
                    SentryActor? team = teams.FirstOrDefault(t => string.Equals(t.Name, parsed.Value, StringComparison.OrdinalIgnoreCase))
                        ?? teams.FirstOrDefault(t => t.Id == parsed.Value);
                    if (team?.Id is null)
                    {
                        ThrowTerminatingError(ErrorRecords.Input(
                            "SentryTeamNotFound",
                            $"The organization has no team '{parsed.Value}' that this token can see.",
                            "Check the slug in Sentry's Settings > Teams" + (teams.Count > 0 ? " (teams: " + string.Join(", ", teams.Take(20).Select(t => t.Name)) + ")" : string.Empty) + ".",
                            text));
                    }

                    return IssueAssignee.Team(team!.Id!, team.Name);
                case "email":
                    return IssueAssignee.UserByEmail(parsed.Value);
                default:
                    return IssueAssignee.User(parsed.Value);
            }
        }

        private T CallOrStop<T>(Func<ISentryApi, CancellationToken, Task<T>> call, string target)
        {
            try
            {
                return Call(call);
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, target);
                throw;
            }
        }

        private void Apply(IssueChange change, List<(string Input, SentryIssue Issue)> approved)
        {
            var progress = new ProgressRecord(4, "Set-SentryIssue", $"{change.Describe()}: {approved.Count} issue(s)");
            bool bulk = approved.Count > StatusPlanner.SingleRouteMax;
            WriteVerbose(bulk
                ? $"{change.Describe()}: {approved.Count} issues with Sentry's bulk route, one project per request, each request guarded so that only the ids it names can change; then read back"
                : $"{change.Describe()}: {approved.Count} issue(s) with Sentry's single-issue route");
            List<SentryIssue> targets = approved.Select(a => a.Issue).ToList();
            (SentryIssue? Issue, SentryApiException? Error)[] results;
            WriteProgress(progress);
            try
            {
                results = Call((api, ct) => bulk
                    ? ChangeInBulkAsync(api, targets, (project, ids) => api.UpdateIssuesAsync(project, ids, change, ct), change.HasTakenEffect, updated => NotChanged(change, updated), progress, ct)
                    : ChangeOneByOneAsync(api, change, targets, ct));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            _journal?.Write(this, JournalEntries(change, approved, results));

            // Every result is written before a failure that stops the command, so no change already made goes unreported.
            SentryApiException? fatal = null;
            for (int i = 0; i < results.Length; i++)
            {
                if (results[i].Issue is SentryIssue updated)
                {
                    if (PassThru) WriteObject(updated);
                }
                else if (results[i].Error is SentryApiException error)
                {
                    if (error.IsFatal) fatal ??= error;
                    else WriteSentryError(error, approved[i].Input);
                }
            }

            if (fatal != null) ThrowSentryError(fatal, null);
        }

        /// <summary>One line per issue Sentry changed; its status is untouched, so Before and After stay empty and Undo-SentryIssueStatus passes it by.</summary>
        private static List<JournalEntry> JournalEntries(IssueChange change, List<(string Input, SentryIssue Issue)> approved, (SentryIssue? Issue, SentryApiException? Error)[] results)
        {
            var entries = new List<JournalEntry>();
            string user = JournalEntry.CurrentUser();
            for (int i = 0; i < results.Length; i++)
            {
                if (!(results[i].Issue is SentryIssue updated)) continue;
                entries.Add(new JournalEntry(DateTimeOffset.UtcNow, user, JournalActions.SetIssue, updated.Id, updated.ShortId, updated.Project,
                    change.Describe(), detail: change.Transition(approved[i].Issue, updated)));
            }

            return entries;
        }

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static async Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeOneByOneAsync(ISentryApi api, IssueChange change, List<SentryIssue> issues, CancellationToken ct) =>
            await Task.WhenAll(issues.Select(async issue =>
            {
                (SentryIssue? updated, SentryApiException? error) = await Settle(api.UpdateIssueAsync(issue.Id, change, ct)).ConfigureAwait(false);
                return updated is null || change.HasTakenEffect(updated) ? (updated, error) : (null, NotChanged(change, updated));
            })).ConfigureAwait(false);

        private static SentryApiException NotChanged(IssueChange change, SentryIssue updated) =>
            new SentryApiException(
                SentryErrorKind.InvalidRequest,
                "SentryIssueNotChanged",
                $"Sentry accepted the change ({change.Describe()}), but afterwards {updated.ShortId}'s {change.Difference(updated)}.",
                "Read it with Get-SentryIssue; change it alone with Set-SentryIssue to see Sentry's answer.",
                null, null, "PUT", null);
    }
}

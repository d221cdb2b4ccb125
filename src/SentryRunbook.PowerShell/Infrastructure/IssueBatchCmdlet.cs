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

        /// <summary>
        /// Many issues: the bulk route per project with the ids just read, then one batched read to learn what
        /// Sentry did. An id that vanished between the read and the write changes nothing (the request's guard
        /// query matches only its own ids) and is reported as not found; an issue Sentry did not change as asked
        /// is reported with <paramref name="notChanged"/>.
        /// </summary>
        protected async Task<(SentryIssue? Issue, SentryApiException? Error)[]> ChangeInBulkAsync(
            ISentryApi api,
            List<SentryIssue> issues,
            Func<string, IReadOnlyList<string>, Task<IReadOnlyList<BulkChangeOutcome>>> send,
            Func<SentryIssue, bool> hasTakenEffect,
            Func<SentryIssue, SentryApiException> notChanged,
            ProgressRecord progress,
            CancellationToken ct)
        {
            var projects = issues.GroupBy(i => i.ProjectId ?? i.Project, StringComparer.Ordinal).ToList();
            QueueProgress(new ProgressRecord(progress.ActivityId, progress.Activity, $"sending the change for {issues.Count} issues in {projects.Count} project(s)") { PercentComplete = 10 });
            IReadOnlyList<BulkChangeOutcome>[] sent = await Task.WhenAll(projects.Select(p => send(p.Key, p.Select(i => i.Id).ToList()))).ConfigureAwait(false);
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

                return hasTakenEffect(updated) ? (updated, null) : ((SentryIssue?)null, notChanged(updated));
            }).ToArray();
        }

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

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Actions
{
    /// <summary>
    /// Sends one status change to issues already read and approved, the way Set-SentryIssueStatus does: up to
    /// <see cref="StatusPlanner.SingleRouteMax"/> issues one single-issue PUT each; more with the bulk route, one
    /// project per request, each request guarded so only its own ids can change, then one batched read-back.
    /// </summary>
    public static class StatusApplier
    {
        /// <summary>Per issue, in input order: the issue as Sentry has it afterwards, or why it was not changed.</summary>
        public static Task<(SentryIssue? Issue, SentryApiException? Error)[]> ApplyAsync(ISentryApi api, StatusChange change, IReadOnlyList<SentryIssue> issues, Action<string> log, CancellationToken cancellationToken) =>
            issues.Count > StatusPlanner.SingleRouteMax
                ? InBulkAsync(api, change, issues, log, cancellationToken)
                : OneByOneAsync(api, change, issues, log, cancellationToken);

        private static async Task<(SentryIssue? Issue, SentryApiException? Error)[]> OneByOneAsync(ISentryApi api, StatusChange change, IReadOnlyList<SentryIssue> issues, Action<string> log, CancellationToken ct)
        {
            int done = 0;
            return await Task.WhenAll(issues.Select(async issue =>
            {
                (SentryIssue? Issue, SentryApiException? Error) outcome = await Settle(api.UpdateIssueStatusAsync(issue.Id, change, ct)).ConfigureAwait(false);
                if (outcome.Issue != null && !change.HasTakenEffect(outcome.Issue)) outcome = (null, NotChanged(outcome.Issue));
                log($"{Interlocked.Increment(ref done)}/{issues.Count}: {issue.ShortId} {(outcome.Error is null ? "done" : "failed")}");
                return outcome;
            })).ConfigureAwait(false);
        }

        private static Task<(SentryIssue? Issue, SentryApiException? Error)[]> InBulkAsync(ISentryApi api, StatusChange change, IReadOnlyList<SentryIssue> issues, Action<string> log, CancellationToken ct) =>
            InBulkAsync(api, issues, (project, ids) => api.UpdateIssueStatusesAsync(project, ids, change, ct), change.HasTakenEffect, NotChanged, Vanished, log, null, ct);

        /// <summary>
        /// Many issues: the bulk route per project with the ids just read (<paramref name="send"/>), then one batched
        /// read to learn what Sentry did. An id that vanished between the read and the write changes nothing (each
        /// request's guard query matches only its own ids) and gets <paramref name="vanished"/>; an issue Sentry did not
        /// change as asked gets <paramref name="notChanged"/>. The one bulk path of every command that changes issues.
        /// </summary>
        public static async Task<(SentryIssue? Issue, SentryApiException? Error)[]> InBulkAsync(
            ISentryApi api,
            IReadOnlyList<SentryIssue> issues,
            Func<string, IReadOnlyList<string>, Task<IReadOnlyList<BulkChangeOutcome>>> send,
            Func<SentryIssue, bool> hasTakenEffect,
            Func<SentryIssue, SentryApiException> notChanged,
            Func<string, SentryApiException> vanished,
            Action<string> log,
            Action<string, int>? progress,
            CancellationToken ct)
        {
            var projects = issues.GroupBy(i => i.ProjectId ?? i.Project, StringComparer.Ordinal).ToList();
            progress?.Invoke($"sending the change for {issues.Count} issues in {projects.Count} project(s)", 10);
            IReadOnlyList<BulkChangeOutcome>[] sent = await Task.WhenAll(projects.Select(p => send(p.Key, p.Select(i => i.Id).ToList()))).ConfigureAwait(false);
            var outcomes = new Dictionary<string, BulkChangeOutcome>(StringComparer.Ordinal);
            foreach (BulkChangeOutcome outcome in sent.SelectMany(o => o))
            {
                foreach (string id in outcome.IssueIds) outcomes[id] = outcome;
                log($"bulk request for {outcome.IssueIds.Count} issue(s): " + (outcome.Error != null ? "failed: " + outcome.Error.Message : outcome.Matched ? "Sentry changed them" : "none of them exists any more (204)"));
            }

            // Only ids whose request matched are read back: a 204 says none of its ids exists.
            var toRead = issues.Where(i => outcomes.TryGetValue(i.Id, out BulkChangeOutcome? o) && o.Error is null && o.Matched).Select(i => i.Id).ToList();
            progress?.Invoke($"reading back {toRead.Count} issue(s)", 60);
            IReadOnlyList<SentryIssue> after = toRead.Count == 0 ? Array.Empty<SentryIssue>() : await api.GetIssuesAsync(toRead, ct).ConfigureAwait(false);
            var afterById = after.ToDictionary(i => i.Id, StringComparer.Ordinal);
            progress?.Invoke($"{afterById.Count} of {issues.Count} read back", 100);
            return issues.Select(issue =>
            {
                BulkChangeOutcome? outcome = outcomes.TryGetValue(issue.Id, out BulkChangeOutcome? o) ? o : null;
                if (outcome?.Error is SentryApiException error) return ((SentryIssue?)null, (SentryApiException?)error);
                if (outcome is null || !outcome.Matched || !afterById.TryGetValue(issue.Id, out SentryIssue? updated)) return (null, vanished(issue.Id));
                return hasTakenEffect(updated) ? (updated, null) : ((SentryIssue?)null, notChanged(updated));
            }).ToArray();
        }

        private static SentryApiException Vanished(string id) => new SentryApiException(
            SentryErrorKind.NotFound,
            "SentryIssueNotFound",
            $"Issue '{id}' was deleted or merged after it was read, so nothing was changed for it.",
            "Check the id with Get-SentryIssue, and that you are connected to the right organization.",
            null, null, "GET", null);

        private static SentryApiException NotChanged(SentryIssue updated) => new SentryApiException(
            SentryErrorKind.InvalidRequest,
            "SentryIssueNotChanged",
            $"Sentry accepted the change, but {updated.ShortId} is {updated.Status}{(updated.Substatus is null ? string.Empty : $" ({updated.Substatus})")} afterwards.",
            "Read it with Get-SentryIssue; change it alone with Set-SentryIssueStatus to see Sentry's answer.",
            null, null, "PUT", null);

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
    }
}

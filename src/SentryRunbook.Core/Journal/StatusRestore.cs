using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;

namespace SentryRunbook.Journal
{
    public enum RestoreAction
    {
        /// <summary>Put the issue back with <see cref="RestorePlan.Change"/>.</summary>
        Restore,
        /// <summary>It is already as it was before the journal's first change: nothing to send.</summary>
        AlreadyRestored,
        /// <summary>Someone or something changed it after the journal's last change: left alone.</summary>
        ChangedSince,
        /// <summary>The earlier state cannot be sent back to Sentry (a resolution in a commit, an archive that has run out).</summary>
        CannotRestore,
    }

    /// <summary>What Undo-SentryIssueStatus does for one issue, decided before anything is sent.</summary>
    public sealed class RestorePlan
    {
        public RestorePlan(string issueId, IssueState before, IssueState expected, RestoreAction action, StatusChange? change, string reason, string? errorId)
        {
            IssueId = issueId;
            Before = before;
            Expected = expected;
            Action = action;
            Change = change;
            Reason = reason;
            ErrorId = errorId;
        }

        public string IssueId { get; }
        /// <summary>The state the journal recorded before its first change in the window: what the issue goes back to.</summary>
        public IssueState Before { get; }
        /// <summary>The state the journal recorded after its last change: what the issue must still be in to be undone.</summary>
        public IssueState Expected { get; }
        public RestoreAction Action { get; }
        public StatusChange? Change { get; }
        public string Reason { get; }
        public string? ErrorId { get; }
    }

    /// <summary>
    /// Turns the journal's status changes back: per issue, the state before the first change since a time, provided
    /// the issue is still in the state after the last one (otherwise someone acted since, and undoing would overwrite it).
    /// </summary>
    public static class StatusRestore
    {
        /// <summary>The issues the journal changed at or after <paramref name="since"/>: the first change's before and the last change's after, in journal order.</summary>
        public static IReadOnlyList<(string IssueId, JournalEntry First, JournalEntry Last)> Collect(IReadOnlyList<JournalEntry> entries, DateTimeOffset? since)
        {
            var order = new List<string>();
            var byIssue = new Dictionary<string, (JournalEntry First, JournalEntry Last)>(StringComparer.Ordinal);
            foreach (JournalEntry entry in entries.Where(e => e.Action == JournalActions.SetStatus && e.Before != null && e.After != null && (since is null || e.Time >= since)).OrderBy(e => e.Time))
            {
                if (byIssue.TryGetValue(entry.Target, out var seen)) byIssue[entry.Target] = (seen.First, entry);
                else
                {
                    order.Add(entry.Target);
                    byIssue[entry.Target] = (entry, entry);
                }
            }

            return order.Select(id => (id, byIssue[id].First, byIssue[id].Last)).ToList();
        }

        public static RestorePlan Decide(JournalEntry first, JournalEntry last, SentryIssue current, DateTimeOffset now)
        {
            IssueState before = first.Before!;
            IssueState expected = last.After!;
            IssueState state = IssueState.Of(current);
            if (state.SameAs(before))
            {
                return new RestorePlan(current.Id, before, expected, RestoreAction.AlreadyRestored, null, $"{current} is already {state}, as before {first.Time:u}: no request sent", null);
            }

            if (!state.SameAs(expected))
            {
                return new RestorePlan(current.Id, before, expected, RestoreAction.ChangedSince, null,
                    $"{current} is {state} now, but the journal left it {expected} at {last.Time:u}: it changed since, so it was not put back to {before}.",
                    "SentryIssueChangedSinceJournal");
            }

            StatusChange? change = ChangeFor(before, now, out string? problem);
            return change is null
                ? new RestorePlan(current.Id, before, expected, RestoreAction.CannotRestore, null, $"{current} cannot be put back to {before}: {problem}", "SentryIssueStateNotRestorable")
                : new RestorePlan(current.Id, before, expected, RestoreAction.Restore, change, $"Put {current} back to {before}", null);
        }

        /// <summary>The change that brings an issue back to a recorded state; null with the reason when Sentry offers none.</summary>
        public static StatusChange? ChangeFor(IssueState state, DateTimeOffset now, out string? problem)
        {
            problem = null;
            SentryStatusDetails d = state.StatusDetails;
            switch (state.Status.ToLowerInvariant())
            {
                case "unresolved":
                    return new StatusChange { Status = "unresolved", Substatus = StatusChange.UnresolvedSubstatuses.Contains(state.Substatus ?? string.Empty) ? state.Substatus : null };
                case "resolved":
                    if (d.InCommit != null)
                    {
                        problem = $"it was resolved in commit {d.InCommit}, which only the commit (or Sentry's UI) can do again";
                        return null;
                    }

                    return new StatusChange { Status = "resolved", InNextRelease = d.InNextRelease, InRelease = d.InRelease };
                case "ignored":
                    if (d.IgnoreUntilEscalating || state.Substatus == "archived_until_escalating") return new StatusChange { Status = "ignored", UntilEscalating = true };
                    if (d.IgnoreCount is int count) return new StatusChange { Status = "ignored", IgnoreCount = count, IgnoreWindow = d.IgnoreWindow };
                    if (d.IgnoreUserCount is int users) return new StatusChange { Status = "ignored", IgnoreUserCount = users, IgnoreUserWindow = d.IgnoreUserWindow };
                    if (d.IgnoreUntil is DateTimeOffset until)
                    {
                        double minutes = Math.Ceiling((until - now).TotalMinutes);
                        if (minutes < 1)
                        {
                            problem = $"its archive ran until {until.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}, which has passed";
                            return null;
                        }

                        // Sentry takes a duration, not an end: the restored end is within a minute of the recorded one.
                        return new StatusChange { Status = "ignored", IgnoreDuration = (int)Math.Min(int.MaxValue, minutes) };
                    }

                    return new StatusChange { Status = "ignored" };
                default:
                    problem = $"'{state.Status}' is not a status Sentry can be asked for";
                    return null;
            }
        }
    }
}

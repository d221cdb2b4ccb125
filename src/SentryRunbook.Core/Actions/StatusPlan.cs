using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;

namespace SentryRunbook.Actions
{
    /// <summary>What will happen to one issue: changed, left alone (already so), or refused (with why).</summary>
    public enum PlannedAction
    {
        Apply,
        AlreadyDone,
        Refused,
    }

    public sealed class PlannedChange
    {
        public PlannedChange(SentryIssue issue, PlannedAction action, string reason, string? errorId = null)
        {
            Issue = issue;
            Action = action;
            Reason = reason;
            ErrorId = errorId;
        }

        public SentryIssue Issue { get; }
        public PlannedAction Action { get; }
        public string Reason { get; }
        public string? ErrorId { get; }
    }

    /// <summary>
    /// Decides, before anything is sent, what a status change does to each named issue: the runbook's
    /// safety rules (an issue still receiving events is not resolved without -Force; an issue already in
    /// that state gets no request) and Sentry's (a release-based resolution only for one project).
    /// </summary>
    public static class StatusPlanner
    {
        /// <summary>An issue with an event this recent is still firing: resolving it would hide a live incident.</summary>
        public static readonly TimeSpan StillFiringWindow = TimeSpan.FromMinutes(15);

        /// <summary>More issues than this in one command is a high-impact change that asks for confirmation.</summary>
        public const int ManyIssues = 10;

        /// <summary>
        /// Up to this many issues are changed one request each on the single-issue route, which answers with the issue
        /// (Sentry allows 5 a second there); more go to the bulk route and are read back.
        /// </summary>
        public const int SingleRouteMax = 5;

        /// <summary>
        /// An issue piped in that was read from Sentry this recently is changed as it is, without reading it again;
        /// an older copy is read again, so the still-firing guard never decides on a stale last-seen time.
        /// </summary>
        public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(60);

        /// <summary>Issues read by id in one request (the issue list's group= parameter).</summary>
        public const int IssuesPerRead = 100;

        // unconfirmedStatus: ids of copies not read just now (piped in). Their status may be out of date, so
        // "already so" is not trusted for them and the change is sent (Sentry leaves an issue already so as it is).
        public static IReadOnlyList<PlannedChange> Plan(IReadOnlyList<SentryIssue> issues, StatusChange change, DateTimeOffset now, bool force, ICollection<string>? unconfirmedStatus = null)
        {
            var plan = new List<PlannedChange>(issues.Count);
            foreach (SentryIssue issue in issues)
            {
                if (change.IsAlreadyApplied(issue) && !(unconfirmedStatus?.Contains(issue.Id) ?? false))
                {
                    plan.Add(new PlannedChange(issue, PlannedAction.AlreadyDone, $"{issue} is already {issue.Status}{(issue.Substatus is null ? string.Empty : $" ({issue.Substatus})")}: no request sent"));
                    continue;
                }

                if (change.Status == "resolved" && !force && issue.LastSeen is DateTimeOffset last && now - last < StillFiringWindow)
                {
                    plan.Add(new PlannedChange(
                        issue,
                        PlannedAction.Refused,
                        $"{issue} received an event {Minutes(now - last)} ago (within {StillFiringWindow.TotalMinutes:0} minutes): the alert is still firing, so it was not resolved. Use -Force to resolve it anyway.",
                        "SentryIssueStillFiring"));
                    continue;
                }

                plan.Add(new PlannedChange(issue, PlannedAction.Apply, $"{Capitalize(change.Describe())} {issue}"));
            }

            return plan;
        }

        /// <summary>Sentry refuses a release-based resolution for issues of more than one project; say so before sending anything.</summary>
        public static string? CheckSingleProject(IReadOnlyList<SentryIssue> issues, StatusChange change)
        {
            if (!change.IsReleaseBased) return null;
            var projects = issues.Select(i => i.Project).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            return projects.Count > 1
                ? $"A resolution in a release applies to issues of one project, and these are from {string.Join(", ", projects)}. Run the command once per project."
                : null;
        }

        public static bool IsHighImpact(StatusChange change, int issueCount) => change.IsArchiveForever || issueCount > ManyIssues;

        private static string Minutes(TimeSpan span) =>
            span.TotalMinutes < 1 ? $"{Math.Max(0, span.TotalSeconds):0} s" : $"{span.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min";

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}

using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>The status an issue should get, in the runbook's terms; validated before anything is sent.</summary>
    public sealed class StatusChange
    {
        /// <summary>Sentry accepts ignore windows of at most a week (REFERENCE.md §2.4).</summary>
        public const int MaxWindowMinutes = 10080;

        /// <summary><c>resolved</c>, <c>unresolved</c> or <c>ignored</c> (archived in the UI).</summary>
        public string Status { get; set; } = "resolved";
        public bool InNextRelease { get; set; }
        /// <summary>A release version, or <c>latest</c>.</summary>
        public string? InRelease { get; set; }
        public bool UntilEscalating { get; set; }
        public int? IgnoreCount { get; set; }
        public int? IgnoreWindow { get; set; }
        public int? IgnoreUserCount { get; set; }
        public int? IgnoreUserWindow { get; set; }
        /// <summary>Minutes.</summary>
        public int? IgnoreDuration { get; set; }

        /// <summary>
        /// For an unresolve only: the substatus to set (<c>new</c>, <c>ongoing</c>, <c>regressed</c>, <c>escalating</c>),
        /// so that an undo puts back the one the issue had; null lets Sentry infer it (usually <c>ongoing</c>).
        /// </summary>
        public string? Substatus { get; set; }

        /// <summary>The substatuses an unresolved issue can be given (REFERENCE.md §2.4).</summary>
        public static readonly IReadOnlyList<string> UnresolvedSubstatuses = new[] { "new", "ongoing", "regressed", "escalating" };

        /// <summary>Resolved in a release (next or named): Sentry refuses it for issues of more than one project.</summary>
        public bool IsReleaseBased => Status == "resolved" && (InNextRelease || InRelease != null);

        /// <summary>Ignored with no condition: the issue stays archived whatever happens.</summary>
        public bool IsArchiveForever => Status == "ignored" && !UntilEscalating && IgnoreCount is null && IgnoreUserCount is null && IgnoreDuration is null;

        /// <summary>What is wrong with the change, with a stable id; empty when it can be sent.</summary>
        public IReadOnlyList<(string ErrorId, string Message)> Validate()
        {
            var errors = new List<(string, string)>();
            if (Status != "resolved" && Status != "unresolved" && Status != "ignored")
            {
                errors.Add(("SentryStatusInvalid", $"'{Status}' is not a status: use Resolved, Unresolved or Ignored (Archived)."));
                return errors;
            }

            bool resolveOptions = InNextRelease || InRelease != null;
            int ignoreConditions = (UntilEscalating ? 1 : 0) + (IgnoreCount != null ? 1 : 0) + (IgnoreUserCount != null ? 1 : 0) + (IgnoreDuration != null ? 1 : 0);

            if (resolveOptions && Status != "resolved")
                errors.Add(("SentryResolveOptionWithoutResolve", "-InNextRelease and -InRelease go with -Status Resolved."));
            if (InNextRelease && InRelease != null)
                errors.Add(("SentryResolveOptionsConflict", "Use -InNextRelease or -InRelease, not both."));
            if (InRelease != null && InRelease.Trim().Length == 0)
                errors.Add(("SentryReleaseEmpty", "-InRelease needs a version, or 'latest'."));
            if ((ignoreConditions > 0 || IgnoreWindow != null || IgnoreUserWindow != null) && Status != "ignored")
                errors.Add(("SentryIgnoreOptionWithoutIgnore", "-UntilEscalating and the -Ignore* conditions go with -Status Ignored."));
            if (ignoreConditions > 1)
                errors.Add(("SentryIgnoreConditionsConflict", "Sentry keeps one archive condition at a time: use one of -UntilEscalating, -IgnoreCount, -IgnoreUserCount and -IgnoreDuration."));
            if (IgnoreWindow != null && IgnoreCount is null)
                errors.Add(("SentryIgnoreWindowWithoutCount", "-IgnoreWindow goes with -IgnoreCount."));
            if (IgnoreUserWindow != null && IgnoreUserCount is null)
                errors.Add(("SentryIgnoreWindowWithoutCount", "-IgnoreUserWindow goes with -IgnoreUserCount."));
            if (Substatus != null && (Status != "unresolved" || Array.IndexOf((string[])UnresolvedSubstatuses, Substatus) < 0))
                errors.Add(("SentrySubstatusInvalid", $"The substatus '{Substatus}' goes only with an unresolve, and is one of {string.Join(", ", UnresolvedSubstatuses)}."));
            CheckPositive(errors, "IgnoreCount", IgnoreCount, int.MaxValue);
            CheckPositive(errors, "IgnoreUserCount", IgnoreUserCount, int.MaxValue);
            CheckPositive(errors, "IgnoreDuration", IgnoreDuration, int.MaxValue);
            CheckPositive(errors, "IgnoreWindow", IgnoreWindow, MaxWindowMinutes);
            CheckPositive(errors, "IgnoreUserWindow", IgnoreUserWindow, MaxWindowMinutes);
            return errors;
        }

        private static void CheckPositive(List<(string, string)> errors, string name, int? value, int max)
        {
            if (value is int v && (v < 1 || v > max))
            {
                errors.Add(max == MaxWindowMinutes
                    ? ("SentryIgnoreWindowOutOfRange", $"-{name} is {v} minutes; Sentry takes 1 to {MaxWindowMinutes} (a week).")
                    : ("SentryIgnoreValueOutOfRange", $"-{name} must be at least 1, not {v}."));
            }
        }

        /// <summary>True when the issue already has this status, so no request is needed.</summary>
        public bool IsAlreadyApplied(SentryIssue issue)
        {
            if (!string.Equals(issue.Status, Status, StringComparison.OrdinalIgnoreCase)) return false;

            // A plain resolve or unresolve of an issue already in that state changes nothing; a resolve in a
            // release or an archive condition may differ from the one in force, so it is sent again.
            return (Status == "unresolved" && (Substatus is null || Substatus == issue.Substatus)) || (Status == "resolved" && !IsReleaseBased) || (Status == "ignored" && IsArchiveForever && issue.Substatus == "archived_forever");
        }

        /// <summary>
        /// Whether an issue read after the change shows it: the status, and for an archive the kind Sentry infers
        /// (archived_forever, archived_until_escalating, archived_until_condition_met) when it reports one.
        /// </summary>
        public bool HasTakenEffect(SentryIssue issue)
        {
            if (!string.Equals(issue.Status, Status, StringComparison.OrdinalIgnoreCase)) return false;
            if (Status == "unresolved" && Substatus != null) return issue.Substatus == Substatus;
            if (Status != "ignored" || issue.Substatus is null) return true;
            string expected = IsArchiveForever ? "archived_forever" : UntilEscalating ? "archived_until_escalating" : "archived_until_condition_met";
            return issue.Substatus == expected;
        }

        /// <summary>In words, for -WhatIf and notes: "resolve in the next release", "archive until 100 more events in 60 minutes".</summary>
        public string Describe()
        {
            switch (Status)
            {
                case "unresolved":
                    return Substatus is null ? "unresolve" : $"unresolve ({Substatus})";
                case "resolved":
                    return InNextRelease ? "resolve in the next release" : InRelease != null ? $"resolve in release {InRelease}" : "resolve";
                default:
                    if (UntilEscalating) return "archive until it escalates";
                    if (IgnoreCount is int count) return $"archive until {count} more events" + (IgnoreWindow is int w ? $" within {w} minutes" : string.Empty);
                    if (IgnoreUserCount is int users) return $"archive until {users} more users are affected" + (IgnoreUserWindow is int uw ? $" within {uw} minutes" : string.Empty);
                    if (IgnoreDuration is int minutes) return $"archive for {minutes} minutes";
                    return "archive forever";
            }
        }
    }
}

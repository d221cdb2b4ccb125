using System;
using System.Collections.Generic;
using System.Globalization;

namespace SentryRunbook.Models
{
    /// <summary>
    /// How an issue holds its status (REFERENCE.md §2.1 <c>statusDetails</c>): resolved in the next release, in a
    /// release or in a commit; archived until a count, a number of users, a time, or escalation. Empty for a plain
    /// status. Kept so that a change can be put back exactly.
    /// </summary>
    public sealed class SentryStatusDetails
    {
        public static readonly SentryStatusDetails None = new SentryStatusDetails();

        public SentryStatusDetails(
            bool inNextRelease = false,
            string? inRelease = null,
            string? inCommit = null,
            string? inCommitRepository = null,
            DateTimeOffset? ignoreUntil = null,
            int? ignoreCount = null,
            int? ignoreWindow = null,
            int? ignoreUserCount = null,
            int? ignoreUserWindow = null,
            bool ignoreUntilEscalating = false,
            string? actor = null)
        {
            InNextRelease = inNextRelease;
            InRelease = inRelease;
            InCommit = inCommit;
            InCommitRepository = inCommitRepository;
            IgnoreUntil = ignoreUntil;
            IgnoreCount = ignoreCount;
            IgnoreWindow = ignoreWindow;
            IgnoreUserCount = ignoreUserCount;
            IgnoreUserWindow = ignoreUserWindow;
            IgnoreUntilEscalating = ignoreUntilEscalating;
            Actor = actor;
        }

        public bool InNextRelease { get; }
        public string? InRelease { get; }
        /// <summary>The commit id of a resolution in a commit.</summary>
        public string? InCommit { get; }
        public string? InCommitRepository { get; }
        public DateTimeOffset? IgnoreUntil { get; }
        public int? IgnoreCount { get; }
        public int? IgnoreWindow { get; }
        public int? IgnoreUserCount { get; }
        public int? IgnoreUserWindow { get; }
        public bool IgnoreUntilEscalating { get; }
        /// <summary>Who set the status, as Sentry names them; not part of the state compared by <see cref="SameState"/>.</summary>
        public string? Actor { get; }

        public bool IsEmpty => !InNextRelease && InRelease is null && InCommit is null && IgnoreUntil is null && IgnoreCount is null
            && IgnoreWindow is null && IgnoreUserCount is null && IgnoreUserWindow is null && !IgnoreUntilEscalating;

        /// <summary>The same resolution or archive condition; who set it does not matter.</summary>
        public bool SameState(SentryStatusDetails? other)
        {
            other ??= None;
            return InNextRelease == other.InNextRelease && InRelease == other.InRelease && InCommit == other.InCommit
                && IgnoreUntil == other.IgnoreUntil && IgnoreCount == other.IgnoreCount && IgnoreWindow == other.IgnoreWindow
                && IgnoreUserCount == other.IgnoreUserCount && IgnoreUserWindow == other.IgnoreUserWindow
                && IgnoreUntilEscalating == other.IgnoreUntilEscalating;
        }

        /// <summary>The keys Sentry sent, in words: <c>inNextRelease</c>, <c>ignoreCount=100 ignoreWindow=60</c>; empty for none.</summary>
        public override string ToString()
        {
            var parts = new List<string>();
            if (InNextRelease) parts.Add("inNextRelease");
            if (InRelease != null) parts.Add("inRelease=" + InRelease);
            if (InCommit != null) parts.Add("inCommit=" + InCommit);
            if (IgnoreUntil is DateTimeOffset until) parts.Add("ignoreUntil=" + until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            if (IgnoreCount is int count) parts.Add("ignoreCount=" + count.ToString(CultureInfo.InvariantCulture));
            if (IgnoreWindow is int window) parts.Add("ignoreWindow=" + window.ToString(CultureInfo.InvariantCulture));
            if (IgnoreUserCount is int users) parts.Add("ignoreUserCount=" + users.ToString(CultureInfo.InvariantCulture));
            if (IgnoreUserWindow is int userWindow) parts.Add("ignoreUserWindow=" + userWindow.ToString(CultureInfo.InvariantCulture));
            if (IgnoreUntilEscalating) parts.Add("ignoreUntilEscalating");
            return string.Join(" ", parts);
        }
    }

    /// <summary>An issue's status as Sentry reported it at one moment: what the journal records before and after a change.</summary>
    public sealed class IssueState
    {
        public IssueState(string status, string? substatus, SentryStatusDetails? statusDetails)
        {
            Status = status ?? "unresolved";
            Substatus = substatus;
            StatusDetails = statusDetails ?? SentryStatusDetails.None;
        }

        public string Status { get; }
        public string? Substatus { get; }
        public SentryStatusDetails StatusDetails { get; }

        public static IssueState Of(SentryIssue issue) => new IssueState(issue.Status, issue.Substatus, issue.StatusDetails);

        /// <summary>Status, substatus and status details all equal (the actor aside).</summary>
        public bool SameAs(IssueState? other) =>
            other != null && string.Equals(Status, other.Status, StringComparison.OrdinalIgnoreCase) && Substatus == other.Substatus && StatusDetails.SameState(other.StatusDetails);

        public override string ToString()
        {
            string details = StatusDetails.ToString();
            return Status + (Substatus is null ? string.Empty : $" ({Substatus})") + (details.Length == 0 ? string.Empty : $" [{details}]");
        }
    }
}

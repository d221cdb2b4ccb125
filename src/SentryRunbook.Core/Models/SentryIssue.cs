using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>A Sentry issue (a group of events), as the issue list and issue detail endpoints describe it.</summary>
    public sealed class SentryIssue
    {
        public SentryIssue(
            string id,
            string shortId,
            string title,
            string? culprit,
            string level,
            string status,
            string? substatus,
            string project,
            string? projectId,
            string? platform,
            DateTimeOffset? firstSeen,
            DateTimeOffset? lastSeen,
            long count,
            long userCount,
            string? permalink,
            string? firstRelease,
            string? lastRelease,
            bool isUnhandled,
            SentryActor? assignedTo,
            IReadOnlyList<IssueStatPoint> stats,
            bool hasReleaseDetails = true,
            DateTimeOffset? retrievedAt = null,
            string? priority = null,
            string? issueCategory = null,
            double? seerFixabilityScore = null,
            SentryStatusDetails? statusDetails = null,
            string? issueType = null)
        {
            Id = id ?? throw new ArgumentNullException(nameof(id));
            ShortId = shortId ?? string.Empty;
            Title = title ?? string.Empty;
            Culprit = culprit;
            Level = level ?? "unknown";
            Status = status ?? "unresolved";
            Substatus = substatus;
            Project = project ?? string.Empty;
            ProjectId = projectId;
            Platform = platform;
            FirstSeen = firstSeen;
            LastSeen = lastSeen;
            Count = count;
            UserCount = userCount;
            Permalink = permalink;
            FirstRelease = firstRelease;
            LastRelease = lastRelease;
            IsUnhandled = isUnhandled;
            AssignedTo = assignedTo;
            Stats = stats ?? Array.Empty<IssueStatPoint>();
            HasReleaseDetails = hasReleaseDetails;
            RetrievedAt = retrievedAt;
            Priority = priority;
            IssueCategory = issueCategory;
            SeerFixabilityScore = seerFixabilityScore;
            StatusDetails = statusDetails ?? SentryStatusDetails.None;
            IssueType = issueType;
        }

        /// <summary>Numeric issue id, as a string (Sentry sends it as a string).</summary>
        public string Id { get; }
        /// <summary>Alias of <see cref="Id"/> so that issues bind by property name to -IssueId.</summary>
        public string IssueId => Id;
        public string ShortId { get; }
        public string Title { get; }
        public string? Culprit { get; }
        public string Level { get; }
        public string Status { get; }
        public string? Substatus { get; }
        /// <summary>How the issue holds its status: the release or commit of a resolution, the condition of an archive.</summary>
        public SentryStatusDetails StatusDetails { get; }
        /// <summary>Project slug.</summary>
        public string Project { get; }
        public string? ProjectId { get; }
        public string? Platform { get; }
        public DateTimeOffset? FirstSeen { get; }
        public DateTimeOffset? LastSeen { get; }
        /// <summary>Events in the issue (Sentry sends a string that can exceed 2^31).</summary>
        public long Count { get; }
        public long UserCount { get; }
        public string? Permalink { get; }
        public string? FirstRelease { get; }
        public string? LastRelease { get; }
        public bool IsUnhandled { get; }
        public SentryActor? AssignedTo { get; }
        /// <summary>Sentry's priority: <c>high</c>, <c>medium</c>, <c>low</c>; null when Sentry does not send one (older self-hosted).</summary>
        public string? Priority { get; }
        /// <summary><c>error</c>, <c>performance</c>, <c>cron</c>, <c>uptime</c>, <c>feedback</c>, ...; null when Sentry does not send it.</summary>
        public string? IssueCategory { get; }
        /// <summary>The group type's slug: <c>error</c>, <c>monitor_check_in_failure</c>, <c>uptime_domain_failure</c>, ...; null when Sentry does not send it.</summary>
        public string? IssueType { get; }
        /// <summary>Seer's estimate (0..1) of how fixable the issue is; null unless the organization has Seer and it scored the issue.</summary>
        public double? SeerFixabilityScore { get; }
        /// <summary>Hourly event counts over the last 24 hours, oldest first.</summary>
        public IReadOnlyList<IssueStatPoint> Stats { get; }

        /// <summary>
        /// False for an issue read from a list (search or batch read): Sentry sends the first and last release only
        /// with the issue's details, so <see cref="FirstRelease"/> and <see cref="LastRelease"/> are unknown, not absent.
        /// </summary>
        public bool HasReleaseDetails { get; }

        /// <summary>When this copy was read from Sentry (UTC); null when it was not read from Sentry. Decisions that need a fresh state re-read an old copy.</summary>
        public DateTimeOffset? RetrievedAt { get; }

        /// <summary>The same issue with its first and last release known (from its oldest and latest events).</summary>
        public SentryIssue WithReleases(string? firstRelease, string? lastRelease) =>
            new SentryIssue(Id, ShortId, Title, Culprit, Level, Status, Substatus, Project, ProjectId, Platform, FirstSeen, LastSeen, Count, UserCount, Permalink, firstRelease, lastRelease, IsUnhandled, AssignedTo, Stats, hasReleaseDetails: true, retrievedAt: RetrievedAt, priority: Priority, issueCategory: IssueCategory, seerFixabilityScore: SeerFixabilityScore, statusDetails: StatusDetails, issueType: IssueType);

        public override string ToString() => string.IsNullOrEmpty(ShortId) ? Id : ShortId;
    }

    /// <summary>One bucket of an issue's event histogram.</summary>
    public sealed class IssueStatPoint
    {
        public IssueStatPoint(DateTimeOffset time, long count)
        {
            Time = time;
            Count = count;
        }

        public DateTimeOffset Time { get; }
        public long Count { get; }

        public override string ToString() => Time.ToString("u") + " " + Count;
    }

    /// <summary>A user or team an issue is assigned to.</summary>
    public sealed class SentryActor
    {
        public SentryActor(string type, string? id, string? name, string? email)
        {
            Type = type ?? "user";
            Id = id;
            Name = name;
            Email = email;
        }

        /// <summary><c>user</c> or <c>team</c>.</summary>
        public string Type { get; }
        public string? Id { get; }
        public string? Name { get; }
        public string? Email { get; }

        public override string ToString() => Type == "team" ? "#" + Name : (Name ?? Email ?? Id ?? string.Empty);
    }
}

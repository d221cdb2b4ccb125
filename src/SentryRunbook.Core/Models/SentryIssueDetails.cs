using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>One tag key of an issue with its most common values.</summary>
    public sealed class SentryIssueTag
    {
        public SentryIssueTag(string issueId, string key, string? name, long totalValues, long? uniqueValues, IReadOnlyList<SentryTagValue> topValues)
        {
            IssueId = issueId;
            Key = key;
            Name = name;
            TotalValues = totalValues;
            UniqueValues = uniqueValues;
            TopValues = topValues;
        }

        public string IssueId { get; }
        public string Key { get; }
        public string? Name { get; }
        /// <summary>Events that carry this tag.</summary>
        public long TotalValues { get; }
        public long? UniqueValues { get; }
        public IReadOnlyList<SentryTagValue> TopValues { get; }

        public override string ToString() => Key;
    }

    public sealed class SentryTagValue
    {
        public SentryTagValue(string value, string? name, long count, double percent, DateTimeOffset? firstSeen, DateTimeOffset? lastSeen)
        {
            Value = value;
            Name = name;
            Count = count;
            Percent = percent;
            FirstSeen = firstSeen;
            LastSeen = lastSeen;
        }

        public string Value { get; }
        public string? Name { get; }
        public long Count { get; }
        /// <summary>Share of the tag's events, 0–100.</summary>
        public double Percent { get; }
        public DateTimeOffset? FirstSeen { get; }
        public DateTimeOffset? LastSeen { get; }

        public override string ToString() => $"{Value} ({Percent:0.#}%)";
    }

    public sealed class SentryRelease
    {
        public SentryRelease(string version, string? shortVersion, DateTimeOffset? dateCreated, DateTimeOffset? dateReleased, SentryDeploy? lastDeploy, long newGroups, IReadOnlyList<string> projects, DateTimeOffset? firstEvent, DateTimeOffset? lastEvent, long commitCount)
        {
            Version = version;
            ShortVersion = shortVersion;
            DateCreated = dateCreated;
            DateReleased = dateReleased;
            LastDeploy = lastDeploy;
            NewGroups = newGroups;
            Projects = projects;
            FirstEvent = firstEvent;
            LastEvent = lastEvent;
            CommitCount = commitCount;
        }

        public string Version { get; }
        /// <summary>Alias of <see cref="Version"/>, so releases bind by property name to -Release.</summary>
        public string Release => Version;
        public string? ShortVersion { get; }
        public DateTimeOffset? DateCreated { get; }
        /// <summary>Null until the release is finalized.</summary>
        public DateTimeOffset? DateReleased { get; }
        public SentryDeploy? LastDeploy { get; }
        /// <summary>Issues first seen in this release.</summary>
        public long NewGroups { get; }
        public IReadOnlyList<string> Projects { get; }
        public DateTimeOffset? FirstEvent { get; }
        public DateTimeOffset? LastEvent { get; }
        public long CommitCount { get; }

        public override string ToString() => Version;
    }

    public sealed class SentryDeploy
    {
        public SentryDeploy(string? id, string release, string environment, string? name, string? url, DateTimeOffset? dateStarted, DateTimeOffset? dateFinished)
        {
            Id = id;
            Release = release;
            Environment = environment;
            Name = name;
            Url = url;
            DateStarted = dateStarted;
            DateFinished = dateFinished;
        }

        public string? Id { get; }
        public string Release { get; }
        public string Environment { get; }
        public string? Name { get; }
        public string? Url { get; }
        public DateTimeOffset? DateStarted { get; }
        public DateTimeOffset? DateFinished { get; }

        public override string ToString() => $"{Release} -> {Environment}";
    }

    /// <summary>A commit Sentry suspects of causing an event (repository integration and release commits).</summary>
    public sealed class SuspectCommit
    {
        public SuspectCommit(string id, string? message, string? author, string? authorEmail, string? repository, DateTimeOffset? dateCreated, string? suspectType, string? pullRequestUrl)
        {
            Id = id;
            Message = message;
            Author = author;
            AuthorEmail = authorEmail;
            Repository = repository;
            DateCreated = dateCreated;
            SuspectType = suspectType;
            PullRequestUrl = pullRequestUrl;
        }

        public string Id { get; }
        public string? Message { get; }
        public string? Author { get; }
        public string? AuthorEmail { get; }
        public string? Repository { get; }
        public DateTimeOffset? DateCreated { get; }
        /// <summary><c>via SCM integration</c> or <c>via commit in release</c>.</summary>
        public string? SuspectType { get; }
        public string? PullRequestUrl { get; }

        public override string ToString() => Id.Length > 12 ? Id.Substring(0, 12) : Id;
    }

    /// <summary>An entry of an issue's activity: status changes, assignments, regressions, notes, deploys.</summary>
    public sealed class SentryActivity
    {
        public SentryActivity(string? id, string issueId, string type, DateTimeOffset? dateCreated, string? user, IReadOnlyDictionary<string, string> data)
        {
            Id = id;
            IssueId = issueId;
            Type = type;
            DateCreated = dateCreated;
            User = user;
            Data = data;
        }

        public string? Id { get; }
        public string IssueId { get; }
        /// <summary>Sentry's activity type: <c>note</c>, <c>set_resolved</c>, <c>set_regression</c>, <c>assigned</c>, ...</summary>
        public string Type { get; }
        public DateTimeOffset? DateCreated { get; }
        /// <summary>Who acted; null for Sentry itself.</summary>
        public string? User { get; }
        public IReadOnlyDictionary<string, string> Data { get; }
        /// <summary>The text of a note.</summary>
        public string? Text => Data.TryGetValue("text", out string? text) ? text : null;

        public override string ToString() => Type;
    }
}

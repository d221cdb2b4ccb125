using System;
using System.Collections.Generic;
using System.Linq;
using SentryRunbook.Models;

namespace SentryRunbook.Abstractions
{
    /// <summary>
    /// Who an issue goes to, as Sentry's <c>assignedTo</c> takes it (REFERENCE.md §2.4): a user by id or e-mail, a
    /// team by id (Sentry takes no team slug: resolve it first), or nobody.
    /// </summary>
    public sealed class IssueAssignee
    {
        private IssueAssignee(string kind, string? id, string? email, string display)
        {
            Kind = kind;
            Id = id;
            Email = email;
            Display = display;
        }

        /// <summary><c>user</c>, <c>team</c> or <c>none</c>.</summary>
        public string Kind { get; }
        public string? Id { get; }
        public string? Email { get; }
        /// <summary>What to call the assignee in messages: <c>#backend</c>, <c>ada@example.com</c>, <c>nobody</c>.</summary>
        public string Display { get; }

        public static IssueAssignee Nobody { get; } = new IssueAssignee("none", null, null, "nobody");

        public static IssueAssignee User(string id, string? display = null) => new IssueAssignee("user", id, null, display ?? "user:" + id);

        public static IssueAssignee UserByEmail(string email) => new IssueAssignee("user", null, email, email);

        public static IssueAssignee Team(string id, string? slug = null) => new IssueAssignee("team", id, null, slug is null ? "team:" + id : "#" + slug);

        /// <summary>The <c>assignedTo</c> value: <c>user:ID</c>, <c>team:ID</c>, the e-mail, or <c>""</c> to unassign.</summary>
        public string WireValue => Kind switch
        {
            "none" => string.Empty,
            "team" => "team:" + Id,
            _ => Id != null ? "user:" + Id : Email!,
        };

        /// <summary>Whether the issue is assigned to exactly this assignee already.</summary>
        public bool Matches(SentryActor? actor) => Kind switch
        {
            "none" => actor is null,
            "team" => actor != null && actor.Type == "team" && actor.Id == Id,
            _ => actor != null && actor.Type == "user" && (Id != null ? actor.Id == Id : string.Equals(actor.Email, Email, StringComparison.OrdinalIgnoreCase)),
        };

        public override string ToString() => Display;
    }

    /// <summary>A change of an issue's priority and/or assignee (Set-SentryIssue); only what is set is sent.</summary>
    public sealed class IssueChange
    {
        public static readonly string[] Priorities = { "high", "medium", "low" };

        /// <summary><c>high</c>, <c>medium</c>, <c>low</c>, or null to leave it.</summary>
        public string? Priority { get; set; }
        /// <summary>The new assignee (<see cref="IssueAssignee.Nobody"/> unassigns), or null to leave it.</summary>
        public IssueAssignee? AssignedTo { get; set; }

        public bool IsEmpty => Priority is null && AssignedTo is null;

        /// <summary>In words for -WhatIf and verbose lines: "set priority high and assign to #backend".</summary>
        public string Describe()
        {
            var parts = new List<string>();
            if (Priority != null) parts.Add("set priority " + Priority);
            if (AssignedTo != null) parts.Add(AssignedTo.Kind == "none" ? "unassign" : "assign to " + AssignedTo.Display);
            return string.Join(" and ", parts);
        }

        /// <summary>Whether the issue already is as asked (then nothing is sent for it).</summary>
        public bool HasTakenEffect(SentryIssue issue) =>
            (Priority is null || string.Equals(issue.Priority, Priority, StringComparison.Ordinal))
            && (AssignedTo is null || AssignedTo.Matches(issue.AssignedTo));

        /// <summary>
        /// For the journal: what the change did to one issue, "priority medium -> high; assignee nobody -> team:9 (#backend)",
        /// naming users and teams by id so that a later reader can tell two namesakes apart.
        /// </summary>
        public string Transition(SentryIssue before, SentryIssue after)
        {
            var parts = new List<string>();
            if (Priority != null) parts.Add($"priority {before.Priority ?? "none"} -> {after.Priority ?? "none"}");
            if (AssignedTo != null) parts.Add($"assignee {Actor(before.AssignedTo)} -> {Actor(after.AssignedTo)}");
            return string.Join("; ", parts);
        }

        private static string Actor(SentryActor? actor) => actor is null ? "nobody" : $"{actor.Type}:{actor.Id} ({actor})";

        /// <summary>What is not yet so, for a message: "priority is medium, assigned to #web".</summary>
        public string Difference(SentryIssue issue)
        {
            var parts = new List<string>();
            if (Priority != null && !string.Equals(issue.Priority, Priority, StringComparison.Ordinal)) parts.Add("priority is " + (issue.Priority ?? "not set"));
            if (AssignedTo != null && !AssignedTo.Matches(issue.AssignedTo)) parts.Add(issue.AssignedTo is null ? "unassigned" : "assigned to " + issue.AssignedTo);
            return parts.Count == 0 ? "as asked" : string.Join(", ", parts);
        }
    }
}

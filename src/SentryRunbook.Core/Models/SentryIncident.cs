using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace SentryRunbook.Models
{
    /// <summary>
    /// One incident made of many issues (Group-SentryIssue): the members, why each belongs, one severity and one
    /// impact for all of them, and the incident's start.
    /// </summary>
    public sealed class SentryIncident
    {
        public SentryIncident(
            IReadOnlyList<SentryIssue> issues,
            string title,
            SentryIssue primaryIssue,
            string? severity,
            string? severityIssue,
            string? severityReason,
            string? pattern,
            IReadOnlyList<IncidentMemberReason> reasons,
            IReadOnlyList<string> releases,
            IReadOnlyList<string> environments,
            IncidentImpact? impact)
        {
            if (issues is null || issues.Count == 0) throw new ArgumentException("An incident has at least one issue.", nameof(issues));
            Issues = issues;
            Id = IdOf(issues.Select(i => i.Id));
            Title = title;
            PrimaryIssue = primaryIssue;
            Severity = severity;
            SeverityIssue = severityIssue;
            SeverityReason = severityReason;
            Pattern = pattern;
            Reasons = reasons;
            Start = issues.Where(i => i.FirstSeen.HasValue).Select(i => i.FirstSeen!.Value).DefaultIfEmpty(DateTimeOffset.MinValue).Min();
            Projects = issues.Select(i => i.Project).Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(p => p, StringComparer.OrdinalIgnoreCase).ToList();
            Releases = releases;
            Environments = environments;
            Impact = impact;
        }

        /// <summary>INC- and 10 hex digits of the SHA-256 of the sorted member ids: the same members always give the same id.</summary>
        public string Id { get; }
        public string Title { get; }
        /// <summary>The member that best stands for the incident: the one that set its severity (ties: the most events).</summary>
        public SentryIssue PrimaryIssue { get; }
        public IReadOnlyList<SentryIssue> Issues { get; }
        /// <summary>P0..P3: the highest of the members'.</summary>
        public string? Severity { get; }
        /// <summary>The short id of the member that set the severity.</summary>
        public string? SeverityIssue { get; }
        /// <summary>Why that member is at that level.</summary>
        public string? SeverityReason { get; }
        /// <summary>DeploymentRegression, ThirdPartyFailure, or null when the members share something else.</summary>
        public string? Pattern { get; }
        /// <summary>Per member, the evidence that tied it in.</summary>
        public IReadOnlyList<IncidentMemberReason> Reasons { get; }
        /// <summary>The earliest first seen of the members.</summary>
        public DateTimeOffset Start { get; }
        public IReadOnlyList<string> Projects { get; }
        public IReadOnlyList<string> Releases { get; }
        public IReadOnlyList<string> Environments { get; }
        /// <summary>Events and unique users across all members, counted by one query (never summed per issue).</summary>
        public IncidentImpact? Impact { get; }
        /// <summary>
        /// The members' numeric ids. Not named IssueId on purpose: an incident piped into Set-SentryIssueStatus must bind
        /// as an incident (all members, recorded with the incident's id), not by property name to -IssueId.
        /// </summary>
        public IReadOnlyList<string> IssueIds => Issues.Select(i => i.Id).ToList();

        /// <summary>The same incident (members, title, severity, reasons) with the members and the impact read again.</summary>
        public SentryIncident WithFreshData(IReadOnlyList<SentryIssue> issues, IncidentImpact? impact)
        {
            if (!IdOf(issues.Select(i => i.Id)).Equals(Id, StringComparison.Ordinal)) throw new ArgumentException("The fresh issues are not the incident's members.", nameof(issues));
            SentryIssue primary = issues.FirstOrDefault(i => i.Id == PrimaryIssue.Id) ?? PrimaryIssue;
            return new SentryIncident(issues, Title, primary, Severity, SeverityIssue, SeverityReason, Pattern, Reasons, Releases, Environments, impact ?? Impact);
        }

        public static string IdOf(IEnumerable<string> issueIds)
        {
            string joined = string.Join(",", issueIds.Distinct(StringComparer.Ordinal).OrderBy(id => id, StringComparer.Ordinal));
            using (SHA256 sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(joined));
                var hex = new StringBuilder("INC-");
                for (int i = 0; i < 5; i++) hex.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                return hex.ToString();
            }
        }

        public override string ToString() => $"{Id} {Title}";
    }

    /// <summary>Why one issue is part of an incident: the kinds of evidence and what they cite.</summary>
    public sealed class IncidentMemberReason
    {
        public IncidentMemberReason(string issueId, string shortId, IReadOnlyList<string> kinds, IReadOnlyList<string> evidence)
        {
            IssueId = issueId;
            ShortId = shortId;
            Kinds = kinds;
            Evidence = evidence;
        }

        public string IssueId { get; }
        public string ShortId { get; }
        /// <summary>Deploy, Upstream, Trace, Transaction, CloseStart; empty for an issue on its own.</summary>
        public IReadOnlyList<string> Kinds { get; }
        public IReadOnlyList<string> Evidence { get; }

        public override string ToString() => $"{ShortId}: {string.Join("; ", Evidence)}";
    }
}

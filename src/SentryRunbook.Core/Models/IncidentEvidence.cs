using System;
using System.Collections.Generic;
using System.Linq;

namespace SentryRunbook.Models
{
    /// <summary>
    /// Everything the runbook fetched for one incident, as Sentry answered it: each request's path and the raw
    /// response. Analysis replays it offline, so a postmortem can be rebuilt after Sentry's retention has
    /// dropped the events. It records where and when it was fetched and a SHA-256 of its content; never a token.
    /// </summary>
    public sealed class IncidentEvidence
    {
        /// <summary>The newest schema this version reads. A bundle of one issue is written as schema 1, so older versions keep reading it; an incident's bundle is schema 2.</summary>
        public const int CurrentSchemaVersion = 2;
        public const int IssueSchemaVersion = 1;
        public const int IncidentSchemaVersion = 2;

        public IncidentEvidence(int schemaVersion, string sentryHost, string organization, string issueId, string? shortId, DateTimeOffset fetchedAt, string statsPeriod, IReadOnlyList<RecordedExchange> exchanges, string sha256, bool verified, string? path, IncidentRecord? incident = null)
        {
            Incident = incident;
            SchemaVersion = schemaVersion;
            SentryHost = sentryHost;
            Organization = organization;
            IssueId = issueId;
            ShortId = shortId;
            FetchedAt = fetchedAt;
            StatsPeriod = statsPeriod;
            Exchanges = exchanges;
            Sha256 = sha256;
            Verified = verified;
            Path = path;
        }

        public int SchemaVersion { get; }
        /// <summary>Scheme, host and path prefix of the Sentry it came from.</summary>
        public string SentryHost { get; }
        public string Organization { get; }
        /// <summary>The issue, or an incident's primary issue.</summary>
        public string IssueId { get; }
        public string? ShortId { get; }
        /// <summary>The incident the bundle was saved for (Save-IncidentEvidence -Incident): what the runbook concluded when it grouped the members; null for one issue.</summary>
        public IncidentRecord? Incident { get; }
        /// <summary>When it was fetched (UTC): the "now" of every analysis replayed from it.</summary>
        public DateTimeOffset FetchedAt { get; }
        /// <summary>The impact window it was fetched for.</summary>
        public string StatsPeriod { get; }
        public IReadOnlyList<RecordedExchange> Exchanges { get; }
        public int ExchangeCount => Exchanges.Count;
        /// <summary>Lower-case hex SHA-256 of the bundle's content (everything but this field).</summary>
        public string Sha256 { get; }
        /// <summary>False when the content no longer matches its SHA-256: it was changed after it was saved.</summary>
        public bool Verified { get; }
        public string? Path { get; }

        public override string ToString() => $"{Incident?.Id ?? ShortId ?? IssueId} @ {FetchedAt:u} ({Exchanges.Count} responses)";
    }

    /// <summary>
    /// An incident as Group-SentryIssue concluded it, kept with its evidence: the members and why each belongs, the
    /// severity and the title. Sentry's answers about the members are in the exchanges; this is the runbook's reading.
    /// </summary>
    public sealed class IncidentRecord
    {
        public IncidentRecord(string id, string title, IReadOnlyList<string> issueIds, string primaryIssueId, string? severity, string? severityIssue, string? severityReason, string? pattern,
            IReadOnlyList<string> releases, IReadOnlyList<string> environments, IReadOnlyList<IncidentMemberReason> reasons)
        {
            Id = id;
            Title = title;
            IssueIds = issueIds;
            PrimaryIssueId = primaryIssueId;
            Severity = severity;
            SeverityIssue = severityIssue;
            SeverityReason = severityReason;
            Pattern = pattern;
            Releases = releases;
            Environments = environments;
            Reasons = reasons;
        }

        public static IncidentRecord Of(SentryIncident incident) => new IncidentRecord(incident.Id, incident.Title, incident.IssueIds, incident.PrimaryIssue.Id, incident.Severity, incident.SeverityIssue,
            incident.SeverityReason, incident.Pattern, incident.Releases, incident.Environments, incident.Reasons);

        public string Id { get; }
        public string Title { get; }
        public IReadOnlyList<string> IssueIds { get; }
        public string PrimaryIssueId { get; }
        public string? Severity { get; }
        public string? SeverityIssue { get; }
        public string? SeverityReason { get; }
        public string? Pattern { get; }
        public IReadOnlyList<string> Releases { get; }
        public IReadOnlyList<string> Environments { get; }
        public IReadOnlyList<IncidentMemberReason> Reasons { get; }

        public override string ToString() => $"{Id} {Title}";

        /// <summary>The incident again over its members as read (from Sentry or from the evidence); the impact is measured by the dossier.</summary>
        public SentryIncident ToIncident(IReadOnlyList<SentryIssue> members)
        {
            var byId = members.GroupBy(i => i.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var missing = IssueIds.Where(id => !byId.ContainsKey(id)).ToList();
            if (missing.Count > 0) throw new InvalidOperationException($"The evidence has no answer for member issue(s) {string.Join(", ", missing)} of {Id}.");
            var issues = IssueIds.Select(id => byId[id]).ToList();
            return new SentryIncident(issues, Title, byId[PrimaryIssueId], Severity, SeverityIssue, SeverityReason, Pattern, Reasons, Releases, Environments, null);
        }
    }

    /// <summary>One request and Sentry's answer.</summary>
    public sealed class RecordedExchange
    {
        public RecordedExchange(string method, string pathAndQuery, int status, IReadOnlyDictionary<string, string> headers, string body)
        {
            Method = method;
            PathAndQuery = pathAndQuery;
            Status = status;
            Headers = headers;
            Body = body;
        }

        public string Method { get; }
        /// <summary>Relative to the Sentry host: <c>api/0/organizations/acme/issues/1/</c> with its query.</summary>
        public string PathAndQuery { get; }
        public int Status { get; }
        /// <summary>Only the headers analysis reads (Link, X-Hits).</summary>
        public IReadOnlyDictionary<string, string> Headers { get; }
        public string Body { get; }
    }
}

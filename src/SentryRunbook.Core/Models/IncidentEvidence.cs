using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>
    /// Everything the runbook fetched for one incident, as Sentry answered it: each request's path and the raw
    /// response. Analysis replays it offline, so a postmortem can be rebuilt after Sentry's retention has
    /// dropped the events. It records where and when it was fetched and a SHA-256 of its content; never a token.
    /// </summary>
    public sealed class IncidentEvidence
    {
        public const int CurrentSchemaVersion = 1;

        public IncidentEvidence(int schemaVersion, string sentryHost, string organization, string issueId, string? shortId, DateTimeOffset fetchedAt, string statsPeriod, IReadOnlyList<RecordedExchange> exchanges, string sha256, bool verified, string? path)
        {
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
        public string IssueId { get; }
        public string? ShortId { get; }
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

        public override string ToString() => $"{ShortId ?? IssueId} @ {FetchedAt:u} ({Exchanges.Count} responses)";
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

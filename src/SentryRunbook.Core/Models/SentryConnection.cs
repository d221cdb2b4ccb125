using System;
using SentryRunbook.Abstractions;

namespace SentryRunbook.Models
{
    /// <summary>
    /// Where the module talks to: a Sentry host, an organization and an optional default project.
    /// The token stays inside the API client; this object never carries it.
    /// </summary>
    public sealed class SentryConnection
    {
        internal SentryConnection(Uri baseUri, string organization, string? project, string? region, ISentryApi api, IncidentEvidence? evidence = null)
        {
            BaseUri = baseUri;
            Organization = organization;
            Project = project;
            Region = region;
            Api = api;
            Evidence = evidence;
        }

        /// <summary>The API host, without <c>/api/0/</c>.</summary>
        public Uri BaseUri { get; }
        public string Organization { get; }
        public string? Project { get; }
        /// <summary><c>us</c> or <c>de</c> on sentry.io; null for self-hosted.</summary>
        public string? Region { get; }

        internal ISentryApi Api { get; }

        /// <summary>Set when the connection replays an evidence bundle offline instead of calling Sentry.</summary>
        public IncidentEvidence? Evidence { get; }

        /// <summary>The analysis clock: the fetch time of replayed evidence, so that its windows stay the ones recorded.</summary>
        internal DateTimeOffset Now => Evidence?.FetchedAt ?? DateTimeOffset.UtcNow;

        public override string ToString() => Organization + " @ " + BaseUri.GetLeftPart(UriPartial.Authority);
    }
}

using System;
using SentryRunbook.Client;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// The one place the cmdlets touch SentryRunbook.Client types, so the private load context is entered
    /// from here only and no client type leaks into a cmdlet's signature.
    /// </summary>
    internal static partial class ClientFactory
    {
        private static readonly Lazy<WebhookSender> Sender = new Lazy<WebhookSender>(() => new WebhookSender { Log = VerboseRelay.Write });

        /// <summary>One sender (one HttpClient) for every message the process sends.</summary>
        public static SentryRunbook.Abstractions.IMessageSender MessageSender => Sender.Value;

        public static Uri NormalizeBaseUri(string? value) => SentryHosts.NormalizeBaseUri(value);

        public static Uri ForRegion(string region) => SentryHosts.ForRegion(region);

        public static Uri? RegionHostToUse(Uri configured, Uri? organizationRegionUrl) => SentryHosts.RegionHostToUse(configured, organizationRegionUrl);

        public static SentryConnection Create(Uri baseUri, string organization, string? project, string token)
        {
            var options = new SentryClientOptions(baseUri, organization, token)
            {
                Log = VerboseRelay.Write,
            };
            var api = new SentryApiClient(options);
            return new SentryConnection(options.BaseUri, options.Organization, string.IsNullOrWhiteSpace(project) ? null : project!.Trim(), SentryHosts.RegionOf(options.BaseUri), api);
        }

        /// <summary>A connection like <paramref name="live"/> whose answers are recorded; <paramref name="recorded"/> returns them.</summary>
        public static SentryConnection Recording(SentryConnection live, out Func<System.Collections.Generic.IReadOnlyList<RecordedExchange>> recorded)
        {
            if (!(live.Api is SentryApiClient client)) throw new InvalidOperationException("Evidence can only be recorded from a live Sentry connection.");
            SentryApiClient recording = client.CreateRecording(out recorded);
            return new SentryConnection(live.BaseUri, live.Organization, live.Project, live.Region, recording);
        }

        /// <summary>An offline connection that replays an evidence bundle.</summary>
        public static SentryConnection Replay(IncidentEvidence evidence)
        {
            SentryApiClient replay = SentryApiClient.CreateReplay(evidence, VerboseRelay.Write);
            return new SentryConnection(replay.BaseUri, evidence.Organization, null, SentryHosts.RegionOf(replay.BaseUri), replay, evidence);
        }

        public static string Serialize(IncidentEvidence evidence, out string sha256) => EvidenceStore.Serialize(evidence, out sha256);

        public static IncidentEvidence Deserialize(string json, string path) => EvidenceStore.Deserialize(json, path);

        /// <summary>The incident journal's entries; an InvalidDataException names a line that is not one.</summary>
        public static System.Collections.Generic.IReadOnlyList<JournalEntry> ReadJournal(System.IO.TextReader reader) => SentryRunbook.Client.Json.JournalReader.Read(reader);

        /// <summary>A connection from SENTRY_URL, SENTRY_ORG, SENTRY_PROJECT and SENTRY_AUTH_TOKEN, or null when they are not set.</summary>
        public static SentryConnection? FromEnvironment() =>
            SentrySession.FromEnvironment(() => Create(
                SentryHosts.NormalizeBaseUri(Environment.GetEnvironmentVariable("SENTRY_URL")),
                Environment.GetEnvironmentVariable("SENTRY_ORG")!,
                Environment.GetEnvironmentVariable("SENTRY_PROJECT"),
                Environment.GetEnvironmentVariable("SENTRY_AUTH_TOKEN")!));
    }
}

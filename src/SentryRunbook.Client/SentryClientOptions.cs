using System;
using System.Net.Http;

namespace SentryRunbook.Client
{
    /// <summary>How to reach one Sentry organization, and how patiently.</summary>
    public sealed class SentryClientOptions
    {
        public SentryClientOptions(Uri baseUri, string organization, string token)
        {
            BaseUri = SentryHosts.NormalizeBaseUri(baseUri.ToString());
            Organization = string.IsNullOrWhiteSpace(organization)
                ? throw new ArgumentException("An organization slug is required.", nameof(organization))
                : organization.Trim();
            Token = string.IsNullOrWhiteSpace(token)
                ? throw new ArgumentException("A token is required.", nameof(token))
                : token.Trim();
        }

        public Uri BaseUri { get; }
        public string Organization { get; }
        internal string Token { get; }

        /// <summary>
        /// Requests in flight at once to one Sentry endpoint (route and method). Sentry bounds concurrency per
        /// caller and endpoint (25 observed on sentry.io, fewer on some routes; a lower ConcurrentLimit header
        /// narrows it further); waiting for one endpoint never holds up another.
        /// </summary>
        public int MaxConcurrency { get; set; } = 10;

        /// <summary>Retries after the first attempt, for 429, 5xx and transient network faults.</summary>
        public int MaxRetries { get; set; } = 4;

        /// <summary>First back-off delay; later ones grow exponentially, with jitter.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>No single wait is longer, whatever a rate-limit header asks for.</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Time allowed for one attempt; a timeout counts as a transient fault.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Receives one line per request and per retry, with the token redacted. May be called from any thread.</summary>
        public Action<string>? Log { get; set; }

        public string UserAgent { get; set; } = "SentryRunbook/" + typeof(SentryClientOptions).Assembly.GetName().Version?.ToString(3);

        /// <summary>For tests: the transport under the client.</summary>
        internal HttpMessageHandler? Handler { get; set; }

        /// <summary>For tests: the clock that retries wait on.</summary>
        internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;
    }
}

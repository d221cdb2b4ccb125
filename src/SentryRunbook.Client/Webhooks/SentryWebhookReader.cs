using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.Text;

namespace SentryRunbook.Client.Webhooks
{
    /// <summary>What to demand of a delivery before it becomes an alert.</summary>
    public sealed class WebhookCheck
    {
        /// <summary>The integration's client secret; required unless <see cref="SkipSignature"/>.</summary>
        public string? Secret { get; set; }
        public bool SkipSignature { get; set; }
        /// <summary>The oldest (and furthest in the future, for clock skew) a Sentry-Hook-Timestamp may be.</summary>
        public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>The replay store's file, or null for none.</summary>
        public string? SeenStorePath { get; set; }
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Verifies a delivery in the order that leaks least: the signature first (nothing unsigned is parsed or
    /// remembered), then freshness, then the payload, then replay. Any failure throws
    /// <see cref="SentryWebhookException"/> and yields no alert.
    /// </summary>
    public static class SentryWebhookReader
    {
        /// <summary>How much of a header or delivery id an error message echoes.</summary>
        private const int EchoLength = 83;

        public const string SignatureHeader = "Sentry-Hook-Signature";
        public const string TimestampHeader = "Sentry-Hook-Timestamp";
        public const string ResourceHeader = "Sentry-Hook-Resource";
        public const string RequestIdHeader = "Request-ID";

        /// <param name="body">The body exactly as received; its UTF-8 bytes are what Sentry signed.</param>
        /// <param name="headers">The request headers; looked up case-insensitively whatever the dictionary's comparer.</param>
        public static SentryAlert Read(string body, IEnumerable<KeyValuePair<string, string?>> headers, WebhookCheck check)
        {
            var named = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, string?> header in headers) named[header.Key.Trim()] = header.Value;
            string? Header(string name) => named.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value!.Trim() : null;

            byte[] bytes = Encoding.UTF8.GetBytes(body);
            if (!check.SkipSignature)
            {
                if (string.IsNullOrEmpty(check.Secret))
                {
                    throw new SentryWebhookException(
                        SentryWebhookException.SecretMissing,
                        "No client secret to verify the delivery's signature with.",
                        "Pass -ClientSecret (the internal integration's Client Secret) or -ClientSecretUri (a Key Vault secret read with the managed identity), or set SENTRY_CLIENT_SECRET.");
                }

                string? signature = Header(SignatureHeader);
                if (signature is null)
                {
                    throw new SentryWebhookException(
                        SentryWebhookException.SignatureInvalid,
                        "The delivery has no Sentry-Hook-Signature header: it was not signed by Sentry.",
                        "Only act on deliveries from Sentry's integration platform; check that the webhook URL is not exposed elsewhere.");
                }

                if (!WebhookSignature.Matches(bytes, check.Secret!, signature))
                {
                    throw new SentryWebhookException(
                        SentryWebhookException.SignatureInvalid,
                        "The Sentry-Hook-Signature does not match the body: the body was changed on the way, or it was signed with another client secret.",
                        "Check that the client secret is the one of the integration that sends to this URL (Settings > Developer Settings > your integration > Client Secret), and that the body is passed exactly as received, not re-serialized.");
                }
            }

            DateTimeOffset? sentAt = null;
            string? timestamp = Header(TimestampHeader);
            if (timestamp != null)
            {
                if (!double.TryParse(timestamp, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > 253402300799)
                    throw SentryWebhookParser.Malformed($"Sentry-Hook-Timestamp '{Formats.Clip(timestamp, EchoLength)}' is not Unix seconds.");
                sentAt = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            }
            else if (!check.SkipSignature)
            {
                throw SentryWebhookParser.Malformed("The Sentry-Hook-Timestamp header is missing.");
            }

            if (sentAt is DateTimeOffset sent && check.MaxAge > TimeSpan.Zero)
            {
                TimeSpan age = check.Now - sent;
                if (age > check.MaxAge || -age > check.MaxAge)
                {
                    string when = age >= TimeSpan.Zero ? $"{FormatSpan(age)} ago" : $"{FormatSpan(-age)} in the future";
                    throw new SentryWebhookException(
                        SentryWebhookException.Expired,
                        $"The delivery was sent {when} ({sent.UtcDateTime:u}), more than -MaxAge {FormatSpan(check.MaxAge)}: it may be a replay of an old request.",
                        "Act on deliveries as they arrive; if the runbook queue really is slow, raise -MaxAge. Check the clock of this machine if every delivery is refused.");
                }
            }

            string? requestId = Header(RequestIdHeader);
            SentryAlert alert = SentryWebhookParser.Parse(body, Header(ResourceHeader), requestId, sentAt, verified: !check.SkipSignature);

            if (check.SeenStorePath != null)
            {
                var keys = new List<string>();
                if (requestId != null) keys.Add("request/" + requestId);
                keys.Add(Clean(SentryWebhookParser.AlertKey(alert) ?? "body/" + Sha256(bytes)));
                for (int i = 0; i < keys.Count; i++) keys[i] = Clean(keys[i]);

                string? seen = new WebhookReplayStore(check.SeenStorePath).CheckAndRecord(keys, check.Now);
                if (seen != null)
                {
                    throw new SentryWebhookException(
                        SentryWebhookException.Replayed,
                        $"This delivery was handled before ({Formats.Clip(seen, EchoLength)} is in the seen store): a retry by Sentry or a replay. Nothing is done twice.",
                        "Nothing to do: the first delivery ran the runbook. To handle it again on purpose, run without -SeenStore.");
                }
            }

            return alert;
        }

        private static string Sha256(byte[] bytes)
        {
            using var sha = SHA256.Create();
            var hex = new StringBuilder(64);
            foreach (byte b in sha.ComputeHash(bytes)) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }

        /// <summary>Keys come partly from headers: keep them on one line of the store.</summary>
        private static string Clean(string key)
        {
            var text = new StringBuilder(key.Length);
            foreach (char c in key) text.Append(char.IsControl(c) ? ' ' : c);
            return text.Length > 300 ? text.ToString(0, 300) : text.ToString();
        }

        private static string FormatSpan(TimeSpan span) =>
            span.TotalDays >= 1 ? $"{span.TotalDays:0.#} d"
            : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h"
            : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min"
            : $"{span.TotalSeconds:0} s";
    }
}

using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Client.Azure;
using SentryRunbook.Client.Webhooks;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>Webhook deliveries and Key Vault secrets: the client types stay behind these members too.</summary>
    internal static partial class ClientFactory
    {
        /// <summary>Checks a webhook URI now, before any call, so a bad one fails without touching the identity endpoint.</summary>
        public static Uri ParseKeyVaultSecretUri(string text) => KeyVaultSecretReader.ParseSecretUri(text);

        /// <summary>Reads a Key Vault secret with the managed identity; errors are SentryApiException with Azure* ids.</summary>
        public static async Task<string> ReadKeyVaultSecretAsync(Uri secretUri, CancellationToken cancellationToken)
        {
            using var reader = new KeyVaultSecretReader { Log = VerboseRelay.Write };
            return await reader.GetSecretAsync(secretUri, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Verifies and parses a delivery; throws SentryWebhookException on any problem.</summary>
        public static SentryAlert ReadWebhook(string body, IEnumerable<KeyValuePair<string, string?>> headers, string? secret, bool skipSignature, TimeSpan maxAge, string? seenStorePath) =>
            SentryWebhookReader.Read(body, headers, new WebhookCheck
            {
                Secret = secret,
                SkipSignature = skipSignature,
                MaxAge = maxAge,
                SeenStorePath = seenStorePath,
                Now = DateTimeOffset.UtcNow,
            });

        public static (string? WebhookName, string? RequestBody, Dictionary<string, string?> Headers) ParseAutomationWebhookData(string json) =>
            AutomationWebhookData.Parse(json);
    }
}

using System.Collections.Generic;
using System.Text.Json;
using SentryRunbook.Client.Json;

namespace SentryRunbook.Client.Webhooks
{
    /// <summary>
    /// Azure Automation's $WebhookData when it arrives as a JSON string (the PowerShell 7 runtime passes it that
    /// way): {"WebhookName": ..., "RequestBody": "the body as received", "RequestHeader": {name: value}}.
    /// </summary>
    public static class AutomationWebhookData
    {
        public static (string? WebhookName, string? RequestBody, Dictionary<string, string?> Headers) Parse(string json)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                throw SentryWebhookParser.Malformed($"-WebhookData is a string but not JSON ({ex.Message}).", ex);
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw SentryWebhookParser.Malformed("-WebhookData is not an object with WebhookName, RequestBody and RequestHeader.");
                var headers = new Dictionary<string, string?>(System.StringComparer.OrdinalIgnoreCase);
                if (root.Property("RequestHeader") is JsonElement header && header.ValueKind == JsonValueKind.Object)
                {
                    foreach (JsonProperty property in header.EnumerateObject())
                        headers[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
                }

                string? body = null;
                if (root.Property("RequestBody") is JsonElement requestBody)
                {
                    // The signature covers the bytes Sentry sent; a body already turned into an object cannot be checked.
                    if (requestBody.ValueKind != JsonValueKind.String)
                        throw SentryWebhookParser.Malformed("-WebhookData.RequestBody is a parsed object, not the body as received, so its signature cannot be checked.");
                    body = requestBody.GetString();
                }

                return (root.String("WebhookName"), body, headers);
            }
        }
    }
}

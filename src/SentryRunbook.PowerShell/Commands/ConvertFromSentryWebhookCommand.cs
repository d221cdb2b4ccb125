using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Security;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Turns a Sentry integration-platform webhook delivery into a <see cref="SentryAlert"/>, after checking that
    /// Sentry signed it, that it is fresh and that it was not handled before. Takes the raw body and headers, Azure
    /// Automation's $WebhookData (object or JSON string), or an Azure Functions HTTP request. On any failure it
    /// stops with a stable error id and outputs nothing, so a runbook never acts on an unverified alert.
    /// </summary>
    [Cmdlet(VerbsData.ConvertFrom, "SentryWebhook", DefaultParameterSetName = BodySet)]
    [OutputType(typeof(SentryAlert))]
    public sealed class ConvertFromSentryWebhookCommand : SentryCmdlet
    {
        private const string BodySet = "Body";
        private const string WebhookDataSet = "WebhookData";
        private const string RequestSet = "Request";

        /// <summary>The request body exactly as received: the signature covers its bytes.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = BodySet)]
        [AllowEmptyString]
        public string Body { get; set; } = string.Empty;

        /// <summary>The request headers; names are matched case-insensitively.</summary>
        [Parameter(Mandatory = true, ParameterSetName = BodySet)]
        [ValidateNotNull]
        public IDictionary? Headers { get; set; }

        /// <summary>Azure Automation's webhook parameter: an object with WebhookName, RequestBody, RequestHeader, or the same as a JSON string.</summary>
        [Parameter(Mandatory = true, ParameterSetName = WebhookDataSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public object? WebhookData { get; set; }

        /// <summary>An Azure Functions HTTP trigger's request ($Request): RawBody (or a string Body) and Headers.</summary>
        [Parameter(Mandatory = true, ParameterSetName = RequestSet)]
        [ValidateNotNull]
        public object? Request { get; set; }

        /// <summary>The internal integration's Client Secret. Default: SENTRY_CLIENT_SECRET.</summary>
        [Parameter]
        [ValidateNotNull]
        public SecureString? ClientSecret { get; set; }

        /// <summary>A Key Vault secret holding the Client Secret, read with the managed identity.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ClientSecretUri { get; set; }

        /// <summary>How old (or far in the future) Sentry-Hook-Timestamp may be. Default: 5 minutes.</summary>
        [Parameter]
        public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>A file of deliveries already handled; a delivery found there is refused as a replay.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SeenStore { get; set; }

        /// <summary>Do not check the signature (local tests only): anyone who knows the URL could start the runbook.</summary>
        [Parameter]
        public SwitchParameter SkipSignatureCheck { get; set; }

        protected override void ProcessRecord()
        {
            (string? body, List<KeyValuePair<string, string?>> headers, string? target) = Delivery();
            if (body is null)
            {
                Refuse(new SentryWebhookException(
                    SentryWebhookException.Malformed,
                    "The delivery has no body.",
                    "Pass the request body as received: -Body, -WebhookData with its RequestBody, or -Request with its RawBody."), target);
                return;
            }

            string? secret = null;
            if (SkipSignatureCheck)
            {
                WriteWarning("The signature of this delivery is not checked (-SkipSignatureCheck): anyone who knows the URL can start this runbook with any content. Use it for local tests only.");
            }
            else
            {
                secret = ResolveSecret();
            }

            string? seenStore = SeenStore is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SeenStore);
            SentryAlert alert;
            try
            {
                alert = ClientFactory.ReadWebhook(body, headers, secret, SkipSignatureCheck, MaxAge, seenStore);
            }
            catch (SentryWebhookException ex)
            {
                Refuse(ex, target);
                return;
            }

            WriteVerbose($"Sentry delivery {alert.Resource}.{alert.Action}{(alert.IssueId is null ? string.Empty : " for issue " + alert.IssueId)} {(alert.Verified ? "verified" : "NOT verified")} (Request-ID {alert.RequestId ?? "none"}).");
            WriteObject(alert);
        }

        private (string? Body, List<KeyValuePair<string, string?>> Headers, string? Target) Delivery()
        {
            switch (ParameterSetName)
            {
                case WebhookDataSet:
                    return FromWebhookData(WebhookData!);
                case RequestSet:
                    return FromFunctionsRequest(Request!);
                default:
                    List<KeyValuePair<string, string?>> headers = HeaderList(Headers);
                    return (Body, headers, RequestIdOf(headers));
            }
        }

        private (string?, List<KeyValuePair<string, string?>>, string?) FromWebhookData(object input)
        {
            object value = input is PSObject wrapped ? wrapped.BaseObject : input;
            if (value is string json)
            {
                (string? name, string? requestBody, Dictionary<string, string?> parsed) = Guard(() => ClientFactory.ParseAutomationWebhookData(json), null);
                var headers = new List<KeyValuePair<string, string?>>(parsed);
                WriteVerbose($"Webhook '{name}' (WebhookData as a JSON string).");
                return (requestBody, headers, RequestIdOf(headers) ?? name);
            }

            var data = PSObject.AsPSObject(input);
            object? bodyValue = Property(data, "RequestBody");
            if (bodyValue != null && !(bodyValue is string))
            {
                Refuse(new SentryWebhookException(
                    SentryWebhookException.Malformed,
                    "-WebhookData.RequestBody is a parsed object, not the body as received, so its signature cannot be checked.",
                    "Pass $WebhookData exactly as Azure Automation hands it to the runbook."), null);
            }

            List<KeyValuePair<string, string?>> list = HeaderList(Property(data, "RequestHeader"));
            string? webhookName = Property(data, "WebhookName") as string;
            return ((string?)bodyValue, list, RequestIdOf(list) ?? webhookName);
        }

        private (string?, List<KeyValuePair<string, string?>>, string?) FromFunctionsRequest(object input)
        {
            var request = PSObject.AsPSObject(input);
            // The Functions worker turns a JSON body into a hashtable; RawBody keeps the bytes Sentry signed.
            object? raw = Property(request, "RawBody");
            object? body = raw ?? Property(request, "Body");
            if (body != null && !(body is string))
            {
                Refuse(new SentryWebhookException(
                    SentryWebhookException.Malformed,
                    "The request's Body was parsed into an object and it has no RawBody, so the signature cannot be checked.",
                    "Use a Functions PowerShell worker that provides $Request.RawBody, or pass -Body with the raw request body."), null);
            }

            List<KeyValuePair<string, string?>> headers = HeaderList(Property(request, "Headers"));
            return ((string?)body, headers, RequestIdOf(headers));
        }

        private static object? Property(PSObject value, string name)
        {
            if (value.BaseObject is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (string.Equals(entry.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase)) return Unwrap(entry.Value);
                }

                return null;
            }

            return Unwrap(value.Properties[name]?.Value);
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;

        /// <summary>Headers from a dictionary or an object's properties (Automation hands a PSCustomObject); array values are joined as HTTP joins them.</summary>
        private static List<KeyValuePair<string, string?>> HeaderList(object? headers)
        {
            var list = new List<KeyValuePair<string, string?>>();
            if (headers is null) return list;
            if (headers is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject)) headers = wrapped.BaseObject;
            if (headers is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary) list.Add(new KeyValuePair<string, string?>(entry.Key?.ToString() ?? string.Empty, HeaderValue(entry.Value)));
            }
            else
            {
                foreach (PSPropertyInfo property in PSObject.AsPSObject(headers).Properties) list.Add(new KeyValuePair<string, string?>(property.Name, HeaderValue(property.Value)));
            }

            return list;
        }

        private static string? HeaderValue(object? value)
        {
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            if (value is null) return null;
            if (value is string text) return text;
            if (value is IEnumerable many)
            {
                var parts = new List<string>();
                foreach (object? item in many) parts.Add(Convert.ToString(item is PSObject p ? p.BaseObject : item, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                return string.Join(",", parts);
            }

            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        private static string? RequestIdOf(List<KeyValuePair<string, string?>> headers)
        {
            foreach (KeyValuePair<string, string?> header in headers)
            {
                if (string.Equals(header.Key, "Request-ID", StringComparison.OrdinalIgnoreCase)) return header.Value;
            }

            return null;
        }

        private string? ResolveSecret()
        {
            if (ClientSecret != null) return new NetworkCredential(string.Empty, ClientSecret).Password;
            if (ClientSecretUri != null)
            {
                try
                {
                    Uri uri = ClientFactory.ParseKeyVaultSecretUri(ClientSecretUri);
                    WriteVerbose($"Reading the client secret from Key Vault secret {uri.GetLeftPart(UriPartial.Path)} with the managed identity.");
                    // A secret pasted into Key Vault often keeps a trailing newline; it would change every HMAC.
                    return Await(ct => ClientFactory.ReadKeyVaultSecretAsync(uri, ct)).Trim();
                }
                catch (SentryApiException ex)
                {
                    ThrowSentryError(ex, ClientSecretUri);
                }
            }

            string? fromEnvironment = Environment.GetEnvironmentVariable("SENTRY_CLIENT_SECRET");
            return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment!.Trim();
        }

        private T Guard<T>(Func<T> read, string? target)
        {
            try
            {
                return read();
            }
            catch (SentryWebhookException ex)
            {
                Refuse(ex, target);
                throw; // not reached
            }
        }

        private void Refuse(SentryWebhookException error, string? target)
        {
            var record = new ErrorRecord(error, error.ErrorId, Category(error.ErrorId), target);
            record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = error.RecommendedAction };
            ThrowTerminatingError(record);
        }

        private static ErrorCategory Category(string errorId) => errorId switch
        {
            SentryWebhookException.SignatureInvalid => ErrorCategory.SecurityError,
            SentryWebhookException.Expired => ErrorCategory.SecurityError,
            SentryWebhookException.Replayed => ErrorCategory.ResourceExists,
            SentryWebhookException.SecretMissing => ErrorCategory.InvalidArgument,
            _ => ErrorCategory.InvalidData,
        };
    }
}

using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Client.Json;
using SentryRunbook.Errors;

namespace SentryRunbook.Client.Azure
{
    /// <summary>
    /// Reads a Key Vault secret with the managed identity of the Azure host it runs on, without the Az modules:
    /// a token from the identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER in Automation, Functions and App
    /// Service; IMDS on VMs), then GET {secret}?api-version=7.4. Neither the token nor the secret ever reaches a
    /// log line or an error message.
    /// </summary>
    public sealed class KeyVaultSecretReader : IDisposable
    {
        private const string KeyVaultApiVersion = "7.4";
        private const string IdentityApiVersion = "2019-08-01";
        private const string ImdsApiVersion = "2018-02-01";
        /// <summary>Azure's instance metadata service: link-local, the same on every VM.</summary>
        public static readonly Uri DefaultImdsEndpoint = new Uri("http://169.254.169.254/metadata/identity/oauth2/token");

        private readonly HttpClient _http;
        private readonly Func<string, string?> _environment;
        private readonly Uri _imdsEndpoint;
        private static readonly TimeSpan ImdsTimeout = TimeSpan.FromSeconds(5);

        /// <param name="environment">Reads environment variables; tests pass their own.</param>
        /// <param name="imdsEndpoint">Where IMDS answers; tests point it at a loopback stand-in.</param>
        public KeyVaultSecretReader(HttpMessageHandler? handler = null, Func<string, string?>? environment = null, Uri? imdsEndpoint = null)
        {
            _http = handler is null
                ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) }
                : new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
            _environment = environment ?? Environment.GetEnvironmentVariable;
            _imdsEndpoint = imdsEndpoint ?? DefaultImdsEndpoint;
        }

        /// <summary>One line per request: method, host and path, status. Never a token, a secret or a query string.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Checks that <paramref name="text"/> names a Key Vault secret: https://{vault}.vault.azure.net/secrets/{name}[/{version}].</summary>
        public static Uri ParseSecretUri(string text)
        {
            if (!Uri.TryCreate((text ?? string.Empty).Trim(), UriKind.Absolute, out Uri? uri)
                // The managed identity's vault token goes only to a vault host (or a loopback stand-in), never to any URL typed here.
                || !((uri.Scheme == Uri.UriSchemeHttps && uri.Host.IndexOf(".vault.", StringComparison.OrdinalIgnoreCase) > 0) || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
                || !string.IsNullOrEmpty(uri.Query)
                || !IsSecretPath(uri.AbsolutePath))
            {
                throw new SentryApiException(
                    SentryErrorKind.Configuration,
                    "AzureKeyVaultSecretUriInvalid",
                    $"'{text}' is not a Key Vault secret URI.",
                    "Pass the secret's identifier from the portal (Key Vault > Secrets > the secret), e.g. https://my-vault.vault.azure.net/secrets/sentry-token; add a version to pin one.");
            }

            return uri;
        }

        private static bool IsSecretPath(string path)
        {
            string[] parts = path.Trim('/').Split('/');
            return (parts.Length == 2 || parts.Length == 3) && parts[0] == "secrets" && parts[1].Length > 0;
        }

        /// <summary>The audience of a token for this vault: the vault host's cloud suffix (vault.azure.net, vault.azure.cn, vault.usgovcloudapi.net, ...).</summary>
        internal static string ResourceFor(Uri secretUri)
        {
            string host = secretUri.Host;
            int at = host.IndexOf(".vault.", StringComparison.OrdinalIgnoreCase);
            return at > 0 ? "https://" + host.Substring(at + 1) : "https://vault.azure.net";
        }

        public async Task<string> GetSecretAsync(Uri secretUri, CancellationToken cancellationToken)
        {
            string token = await GetTokenAsync(ResourceFor(secretUri), cancellationToken).ConfigureAwait(false);
            var uri = new Uri(secretUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "?api-version=" + KeyVaultApiVersion);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            (HttpStatusCode status, string body) = await SendAsync(request, "Key Vault", cancellationToken).ConfigureAwait(false);

            if (status == HttpStatusCode.OK)
            {
                string? value = null;
                try
                {
                    using JsonDocument document = JsonDocument.Parse(body);
                    value = document.RootElement.String("value");
                }
                catch (JsonException)
                {
                }

                if (!string.IsNullOrEmpty(value)) return value!;
                throw Failure("AzureKeyVaultSecretInvalid", SentryErrorKind.InvalidResponse, $"Key Vault answered for {Describe(secretUri)} without a secret value.", "Check that the secret has a value and is enabled.", (int)status);
            }

            string code = ErrorCode(body);
            throw status switch
            {
                HttpStatusCode.NotFound => Failure("AzureKeyVaultSecretNotFound", SentryErrorKind.NotFound, $"Key Vault has no secret {Describe(secretUri)} ({code}).", "Check the vault and secret names; a deleted or disabled secret is not readable.", (int)status),
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => Failure("AzureKeyVaultAccessDenied", SentryErrorKind.Permission, $"Key Vault refused the managed identity for {Describe(secretUri)} ({(int)status} {code}).", "Give the Automation account's or Function app's managed identity the 'Key Vault Secrets User' role on the vault (or a Get secret access policy), and allow its network if the vault has a firewall.", (int)status),
                _ => Failure("AzureKeyVaultFailed", SentryErrorKind.Server, $"Key Vault answered {(int)status} for {Describe(secretUri)} ({code}).", "Try again; if it persists, check the vault's health in the Azure portal.", (int)status),
            };
        }

        private async Task<string> GetTokenAsync(string resource, CancellationToken cancellationToken)
        {
            string? endpoint = _environment("IDENTITY_ENDPOINT");
            string? secretHeader = _environment("IDENTITY_HEADER");
            string? clientId = _environment("AZURE_CLIENT_ID");
            HttpRequestMessage request;
            string source;
            bool imds = false;
            if (!string.IsNullOrWhiteSpace(endpoint) && !string.IsNullOrWhiteSpace(secretHeader))
            {
                // Automation, Functions, App Service and Container Apps: a local endpoint guarded by a per-process header.
                source = "the managed identity endpoint (IDENTITY_ENDPOINT)";
                var query = "resource=" + Uri.EscapeDataString(resource) + "&api-version=" + IdentityApiVersion + (string.IsNullOrWhiteSpace(clientId) ? string.Empty : "&client_id=" + Uri.EscapeDataString(clientId!.Trim()));
                if (!Uri.TryCreate(endpoint!.Trim(), UriKind.Absolute, out Uri? baseUri))
                    throw Failure("AzureManagedIdentityUnavailable", SentryErrorKind.Configuration, "IDENTITY_ENDPOINT is not a URL.", "Run on an Azure host with a managed identity enabled, or use -Token/-Credential.", null);
                request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(baseUri) { Query = query }.Uri);
                request.Headers.TryAddWithoutValidation("X-IDENTITY-HEADER", secretHeader!.Trim());
            }
            else
            {
                // VMs and VM-hosted hybrid workers: the instance metadata service.
                source = "the Azure instance metadata service";
                imds = true;
                var query = "resource=" + Uri.EscapeDataString(resource) + "&api-version=" + ImdsApiVersion + (string.IsNullOrWhiteSpace(clientId) ? string.Empty : "&client_id=" + Uri.EscapeDataString(clientId!.Trim()));
                request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(_imdsEndpoint) { Query = query }.Uri);
            }

            request.Headers.TryAddWithoutValidation("Metadata", "true");
            HttpStatusCode status;
            string body;
            using (request)
            {
                try
                {
                    // Off Azure nothing answers at IMDS's link-local address: give up in seconds, not the HTTP timeout.
                    (status, body) = await SendAsync(request, "managed identity", cancellationToken, imds ? ImdsTimeout : (TimeSpan?)null).ConfigureAwait(false);
                }
                catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.Transport)
                {
                    throw Failure("AzureManagedIdentityUnavailable", SentryErrorKind.Configuration, $"No managed identity answered at {source}: {ex.Detail}.", "Enable the managed identity of the Automation account or Function app (Identity > System assigned > On); elsewhere, pass -Token or -Credential instead.", null, ex);
                }
            }

            if (status == HttpStatusCode.OK)
            {
                try
                {
                    using JsonDocument document = JsonDocument.Parse(body);
                    string? token = document.RootElement.String("access_token");
                    if (!string.IsNullOrEmpty(token)) return token!;
                }
                catch (JsonException)
                {
                }

                throw Failure("AzureManagedIdentityFailed", SentryErrorKind.InvalidResponse, $"{Capitalize(source)} answered without an access token.", "Check the managed identity in the Azure portal.", (int)status);
            }

            throw Failure("AzureManagedIdentityFailed", SentryErrorKind.Authentication, $"{Capitalize(source)} refused a token for {resource} ({(int)status} {ErrorCode(body)}).", "Enable the managed identity (Identity > System assigned > On); for a user-assigned identity set AZURE_CLIENT_ID to its client id.", (int)status);
        }

        private async Task<(HttpStatusCode, string)> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
        {
            string where = request.RequestUri!.GetLeftPart(UriPartial.Path);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout ?? _http.Timeout);
            try
            {
                using HttpResponseMessage response = await _http.SendAsync(request, limit.Token).ConfigureAwait(false);
                string body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                Log?.Invoke($"GET {where} ({what}) -> {(int)response.StatusCode} {response.ReasonPhrase}");
                return (response.StatusCode, body);
            }
            catch (HttpRequestException ex)
            {
                Log?.Invoke($"GET {where} ({what}) failed: {ex.GetBaseException().Message}");
                throw new SentryApiException(SentryErrorKind.Transport, "AzureTransport", ex.GetBaseException().Message, string.Empty, detail: ex.GetBaseException().Message, innerException: ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                string after = $"no answer within {(timeout ?? _http.Timeout).TotalSeconds:0} s";
                Log?.Invoke($"GET {where} ({what}) timed out");
                throw new SentryApiException(SentryErrorKind.Transport, "AzureTransport", after, string.Empty, detail: after, innerException: ex);
            }
        }

        /// <summary>Azure's error code and message only: never echo a whole body, which could in principle hold a token.</summary>
        private static string ErrorCode(string body)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                if (root.Property("error") is JsonElement error)
                {
                    if (error.ValueKind == JsonValueKind.String) return Clip(error.GetString() + (root.String("error_description") is string d ? ": " + d : string.Empty));
                    return Clip((error.String("code") ?? "error") + (error.String("message") is string m ? ": " + m : string.Empty));
                }
            }
            catch (JsonException)
            {
            }

            return "no error detail";
        }

        private static string Clip(string text) => text.Length > 200 ? text.Substring(0, 200) + "…" : text;

        private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static string Describe(Uri secretUri) => secretUri.GetLeftPart(UriPartial.Path);

        private static SentryApiException Failure(string id, SentryErrorKind kind, string message, string action, int? status, Exception? inner = null) =>
            new SentryApiException(kind, id, message, action, status, innerException: inner);

        public void Dispose() => _http.Dispose();
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Client.Json;
using SentryRunbook.Errors;
using SentryRunbook.Text;

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
        /// <summary>How much of Azure's error text a message quotes.</summary>
        private const int DetailLength = 203;

        private const string KeyVaultApiVersion = "7.4";
        private const string IdentityApiVersion = "2019-08-01";
        private const string ImdsApiVersion = "2018-02-01";
        private const string ArcApiVersion = "2020-06-01";
        /// <summary>Azure's instance metadata service: link-local, the same on every VM.</summary>
        public static readonly Uri DefaultImdsEndpoint = new Uri("http://169.254.169.254/metadata/identity/oauth2/token");

        private readonly HttpClient _http;
        private readonly Func<string, string?> _environment;
        private readonly Uri _imdsEndpoint;
        private readonly string _arcKeyFolder;
        private static readonly TimeSpan ImdsTimeout = TimeSpan.FromSeconds(5);

        /// <param name="environment">Reads environment variables; tests pass their own.</param>
        /// <param name="imdsEndpoint">Where IMDS answers; tests point it at a loopback stand-in.</param>
        /// <param name="arcKeyFolder">Where the Arc agent keeps its challenge keys; tests point it at a folder of their own.</param>
        public KeyVaultSecretReader(HttpMessageHandler? handler = null, Func<string, string?>? environment = null, Uri? imdsEndpoint = null, string? arcKeyFolder = null)
        {
            _arcKeyFolder = arcKeyFolder ?? (Path.DirectorySeparatorChar == '\\'
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "AzureConnectedMachineAgent", "Tokens")
                : "/var/opt/azcmagent/tokens");
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
            string clientQuery = string.IsNullOrWhiteSpace(clientId) ? string.Empty : "&client_id=" + Uri.EscapeDataString(clientId!.Trim());
            Uri target;
            string source;
            Action<HttpRequestMessage, string?> addHeaders;
            TimeSpan? timeout = null;
            bool arc = false;
            if (!string.IsNullOrWhiteSpace(endpoint))
            {
                if (!Uri.TryCreate(endpoint!.Trim(), UriKind.Absolute, out Uri? baseUri))
                    throw Failure("AzureManagedIdentityUnavailable", SentryErrorKind.Configuration, "IDENTITY_ENDPOINT is not a URL.", "Run on an Azure host with a managed identity enabled, or use -Token/-Credential.", null);
                if (!string.IsNullOrWhiteSpace(secretHeader))
                {
                    // Automation, Functions, App Service and Container Apps: a local endpoint guarded by a per-process header.
                    source = "the managed identity endpoint (IDENTITY_ENDPOINT)";
                    target = new UriBuilder(baseUri) { Query = "resource=" + Uri.EscapeDataString(resource) + "&api-version=" + IdentityApiVersion + clientQuery }.Uri;
                    addHeaders = (request, _) => request.Headers.TryAddWithoutValidation("X-IDENTITY-HEADER", secretHeader!.Trim());
                }
                else
                {
                    // Azure Arc-enabled servers (hybrid workers off Azure): the agent answers a first request with a
                    // challenge naming a key file only local administrators can read; the second request carries it.
                    source = "the Azure Arc agent (IDENTITY_ENDPOINT)";
                    arc = true;
                    target = new UriBuilder(baseUri) { Query = "api-version=" + ArcApiVersion + "&resource=" + Uri.EscapeDataString(resource) }.Uri;
                    addHeaders = (request, key) => { if (key != null) request.Headers.TryAddWithoutValidation("Authorization", "Basic " + key); };
                }
            }
            else
            {
                // VMs and VM-hosted hybrid workers: the instance metadata service. Off Azure nothing answers at its
                // link-local address: give up in seconds, not the HTTP timeout.
                source = "the Azure instance metadata service";
                target = new UriBuilder(_imdsEndpoint) { Query = "resource=" + Uri.EscapeDataString(resource) + "&api-version=" + ImdsApiVersion + clientQuery }.Uri;
                addHeaders = (_, _) => { };
                timeout = ImdsTimeout;
            }

            (HttpStatusCode status, string body, string? challenge) = await AskForTokenAsync(target, source, key: null, addHeaders, timeout, cancellationToken).ConfigureAwait(false);
            if (arc && status == HttpStatusCode.Unauthorized)
            {
                string key = ReadArcKey(challenge);
                (status, body, _) = await AskForTokenAsync(target, source, key, addHeaders, timeout, cancellationToken).ConfigureAwait(false);
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

        private async Task<(HttpStatusCode Status, string Body, string? Challenge)> AskForTokenAsync(Uri target, string source, string? key, Action<HttpRequestMessage, string?> addHeaders, TimeSpan? timeout, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            request.Headers.TryAddWithoutValidation("Metadata", "true");
            addHeaders(request, key);
            try
            {
                string? challenge = null;
                (HttpStatusCode status, string body) = await SendAsync(request, "managed identity", cancellationToken, timeout, response =>
                    // Raw values: the realm is an unquoted path, which the typed header parser may reject.
                    challenge = response.Headers.TryGetValues("WWW-Authenticate", out IEnumerable<string>? values) ? string.Join(",", values) : null).ConfigureAwait(false);
                return (status, body, challenge);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.Transport)
            {
                throw Failure("AzureManagedIdentityUnavailable", SentryErrorKind.Configuration, $"No managed identity answered at {source}: {ex.Detail}.", "Enable the managed identity of the Automation account or Function app (Identity > System assigned > On); elsewhere, pass -Token or -Credential instead.", null, ex);
            }
        }

        /// <summary>
        /// The Arc agent's challenge, <c>Basic realm=&lt;path&gt;</c>: read the key only from the agent's own token folder,
        /// with the .key extension and at most 4 KB, so a forged challenge cannot make us send any other file.
        /// </summary>
        private string ReadArcKey(string? challenge)
        {
            const string Prefix = "Basic realm=";
            string? path = challenge != null && challenge.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? challenge.Substring(Prefix.Length).Trim().Trim('"') : null;
            string folder = Path.GetFullPath(_arcKeyFolder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string? full = path is null ? null : Path.GetFullPath(path);
            if (full is null || !full.StartsWith(folder, StringComparison.OrdinalIgnoreCase) || !string.Equals(Path.GetExtension(full), ".key", StringComparison.OrdinalIgnoreCase)
                || !File.Exists(full) || new FileInfo(full).Length > 4096)
            {
                throw Failure("AzureManagedIdentityFailed", SentryErrorKind.Authentication, "The Azure Arc agent's challenge does not name a key file in its token folder.", "Run the runbook as a local administrator (or a member of the himds group on Linux) on the Arc-enabled server.", 401);
            }

            try
            {
                return File.ReadAllText(full).Trim();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw Failure("AzureManagedIdentityFailed", SentryErrorKind.Permission, $"The Azure Arc agent's key file cannot be read ({ex.GetType().Name}).", "Run the runbook as a local administrator (or a member of the himds group on Linux) on the Arc-enabled server.", 401, ex);
            }
        }

        private async Task<(HttpStatusCode, string)> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken, TimeSpan? timeout = null, Action<HttpResponseMessage>? inspect = null)
        {
            string where = request.RequestUri!.GetLeftPart(UriPartial.Path);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout ?? _http.Timeout);
            try
            {
                using HttpResponseMessage response = await _http.SendAsync(request, limit.Token).ConfigureAwait(false);
                string body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                Log?.Invoke($"GET {where} ({what}) -> {(int)response.StatusCode} {response.ReasonPhrase}");
                inspect?.Invoke(response);
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
                    if (error.ValueKind == JsonValueKind.String) return Formats.Clip(error.GetString() + (root.String("error_description") is string d ? ": " + d : string.Empty), DetailLength);
                    return Formats.Clip((error.String("code") ?? "error") + (error.String("message") is string m ? ": " + m : string.Empty), DetailLength);
                }
            }
            catch (JsonException)
            {
            }

            return "no error detail";
        }

        private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static string Describe(Uri secretUri) => secretUri.GetLeftPart(UriPartial.Path);

        private static SentryApiException Failure(string id, SentryErrorKind kind, string message, string action, int? status, Exception? inner = null) =>
            new SentryApiException(kind, id, message, action, status, innerException: inner);

        public void Dispose() => _http.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace SentryRunbook.Tests.Azure;

/// <summary>
/// Loopback stand-ins for Azure's managed identity endpoints and Key Vault, speaking their documented protocols:
/// the App Service/Automation/Functions endpoint (GET ?resource=&amp;api-version=2019-08-01, X-IDENTITY-HEADER),
/// IMDS (GET /metadata/identity/oauth2/token?api-version=2018-02-01, Metadata: true) and Key Vault
/// (GET /secrets/{name}[/{version}]?api-version=7.4 with a bearer token; 401 without one).
/// </summary>
internal sealed class LocalAzure : IDisposable
{
    public const string IdentityHeader = "per-process-identity-header-5f1e";
    public const string AccessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOi.local-vault-token.c2lnbmF0dXJl";
    private readonly HttpListener _listener;
    private readonly Task _loop;

    public LocalAzure()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }

        _loop = Task.Run(Serve);
    }

    public Uri BaseUri { get; }
    public Uri IdentityEndpoint => new(BaseUri, "msi/token");
    public Uri ArcEndpoint => new(BaseUri, "arc/token");
    /// <summary>The key file the Arc stand-in's challenge names, and its content.</summary>
    public string ArcChallengePath { get; set; } = "";
    public string ArcKey { get; set; } = "";
    public Uri ImdsEndpoint => new(BaseUri, "metadata/identity/oauth2/token");
    public Uri SecretUri(string name) => new(BaseUri, "secrets/" + name);

    /// <summary>Secrets by name.</summary>
    public ConcurrentDictionary<string, string> Secrets { get; } = new();
    /// <summary>Every request: method, path and query, and the headers that matter.</summary>
    public ConcurrentQueue<(string Method, string PathAndQuery, string? IdentityHeader, string? Metadata, string? Authorization)> Requests { get; } = new();
    public bool RefuseTokens { get; set; }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            try { Answer(context); }
            catch (Exception) { context.Response.Abort(); }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        string path = request.Url!.AbsolutePath;
        Requests.Enqueue((request.HttpMethod, request.Url.PathAndQuery, request.Headers["X-IDENTITY-HEADER"], request.Headers["Metadata"], request.Headers["Authorization"]));
        string? resource = request.QueryString["resource"];
        string? apiVersion = request.QueryString["api-version"];

        if (path == "/msi/token")
        {
            if (request.Headers["X-IDENTITY-HEADER"] != IdentityHeader) { Write(context, 400, "{\"statusCode\":400,\"message\":\"No X-IDENTITY-HEADER or a wrong one.\"}"); return; }
            if (apiVersion != "2019-08-01" || resource is null) { Write(context, 400, "{\"error\":\"invalid_request\",\"error_description\":\"api-version and resource are required\"}"); return; }
            Token(context, resource);
            return;
        }

        if (path == "/metadata/identity/oauth2/token")
        {
            if (request.Headers["Metadata"] != "true") { Write(context, 400, "{\"error\":\"invalid_request\",\"error_description\":\"Required metadata header not specified\"}"); return; }
            if (apiVersion is null || resource is null) { Write(context, 400, "{\"error\":\"invalid_request\",\"error_description\":\"api-version and resource are required\"}"); return; }
            Token(context, resource);
            return;
        }

        if (path == "/arc/token")
        {
            // The Azure Arc agent: a challenge naming a key file first, the token once the key comes back.
            if (request.Headers["Metadata"] != "true" || apiVersion != "2020-06-01" || resource is null) { Write(context, 400, "{\"error\":\"invalid_request\"}"); return; }
            if (request.Headers["Authorization"] is not string authorization)
            {
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=" + ArcChallengePath);
                Write(context, 401, "{\"error\":\"unauthorized_client\"}");
                return;
            }
            if (authorization != "Basic " + ArcKey) { Write(context, 401, "{\"error\":\"invalid_client\"}"); return; }
            Token(context, resource);
            return;
        }

        if (path.StartsWith("/secrets/", StringComparison.Ordinal))
        {
            if (request.Headers["Authorization"] != "Bearer " + AccessToken)
            {
                context.Response.AddHeader("WWW-Authenticate", "Bearer authorization=\"https://login.microsoftonline.com/tenant\", resource=\"https://vault.azure.net\"");
                Write(context, 401, "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10000: Request is missing a Bearer or PoP token.\"}}");
                return;
            }

            if (apiVersion != "7.4") { Write(context, 400, "{\"error\":{\"code\":\"BadParameter\",\"message\":\"The api-version is missing or not supported.\"}}"); return; }
            string name = path.Substring("/secrets/".Length).Split('/')[0];
            if (!Secrets.TryGetValue(name, out string? value)) { Write(context, 404, "{\"error\":{\"code\":\"SecretNotFound\",\"message\":\"A secret with (name/id) " + name + " was not found in this key vault.\"}}"); return; }
            Write(context, 200, "{\"value\":\"" + value + "\",\"id\":\"" + new Uri(BaseUri, path) + "/0123456789abcdef\",\"attributes\":{\"enabled\":true,\"created\":1764700000,\"updated\":1764700000,\"recoveryLevel\":\"Recoverable+Purgeable\"},\"tags\":{}}");
            return;
        }

        Write(context, 404, "{}");
    }

    private void Token(HttpListenerContext context, string resource)
    {
        if (RefuseTokens) { Write(context, 400, "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}"); return; }
        if (resource != "https://vault.azure.net") { Write(context, 400, "{\"error\":\"invalid_resource\",\"error_description\":\"unexpected resource\"}"); return; }
        Write(context, 200, "{\"access_token\":\"" + AccessToken + "\",\"expires_on\":\"1764760800\",\"resource\":\"" + resource + "\",\"token_type\":\"Bearer\",\"client_id\":\"00000000-0000-0000-0000-000000000001\"}");
    }

    private static void Write(HttpListenerContext context, int status, string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(bytes);
        context.Response.Close();
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(5000); } catch (AggregateException) { }
    }
}

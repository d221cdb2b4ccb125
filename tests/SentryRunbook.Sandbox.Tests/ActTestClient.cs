using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>JSON requests with any method against a sandbox; the body element is Undefined when the response has none.</summary>
public sealed class ActTestClient(SandboxHost host) : IDisposable
{
    private readonly HttpClient _http = NewClient(host.Token);

    public SandboxHost Host => host;

    public static HttpClient NewClient(string token)
    {
        var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> Get(string relative) => Send(HttpMethod.Get, relative, null);
    public Task<(HttpResponseMessage Response, JsonElement Body)> Put(string relative, string? json) => Send(HttpMethod.Put, relative, json);
    public Task<(HttpResponseMessage Response, JsonElement Body)> Post(string relative, string? json) => Send(HttpMethod.Post, relative, json);

    public async Task<(HttpResponseMessage Response, JsonElement Body)> Send(HttpMethod method, string relative, string? json, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, host.BaseUri + relative);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await (client ?? _http).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return (response, default);
        using var doc = JsonDocument.Parse(text);
        return (response, doc.RootElement.Clone());
    }

    /// <summary>Sends one error event through the envelope endpoint like an SDK (received now).</summary>
    public async Task Ingest(string message, string? release = null, string? user = null, string projectId = "1", string environment = "production")
    {
        var e = new Dictionary<string, object?>
        {
            ["event_id"] = Guid.NewGuid().ToString("N"),
            ["message"] = message,
            ["level"] = "error",
            ["platform"] = "javascript",
            ["environment"] = environment,
        };
        if (release is not null) e["release"] = release;
        if (user is not null) e["user"] = new Dictionary<string, string> { ["id"] = user };
        var (response, _) = await IngestClient.Post(host, "envelope",
            Encoding.UTF8.GetBytes(IngestClient.EventEnvelope(JsonSerializer.Serialize(e), withLength: false)), projectId: projectId);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A seeded sandbox of its own for tests that change issue state (the shared one stays pristine).</summary>
public sealed class MutableSandbox : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public ActTestClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(new SandboxOptions());
        Api = new ActTestClient(Host);
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Host.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class MutableCollection : ICollectionFixture<MutableSandbox>
{
    public const string Name = "mutable sandbox";
}

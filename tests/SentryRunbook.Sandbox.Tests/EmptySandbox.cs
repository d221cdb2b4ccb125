using System.Net.Http.Headers;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>A sandbox started with the `empty` scenario, for tests that ingest their own data.</summary>
public sealed class EmptySandbox : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public HttpClient Client { get; } = new(new PatientHandler());

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(new SandboxOptions { Scenario = "empty" });
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Host.Token);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    public async Task<(HttpResponseMessage Response, JsonElement Body)> GetJson(string relative)
    {
        var response = await Client.GetAsync(Host.BaseUri + relative);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response, doc.RootElement.Clone());
    }
}

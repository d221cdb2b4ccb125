using System.Net.Http.Headers;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>One seeded sandbox on a real Kestrel socket (port 0), shared by every test class in the collection.</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public HttpClient Client { get; } = new(new PatientHandler());

    public async Task InitializeAsync()
    {
        Host = await SandboxHost.StartAsync(new SandboxOptions { Port = 0 });
        Client.BaseAddress = new Uri(Host.BaseUri + "/");
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Host.Token);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    public async Task<(HttpResponseMessage Response, JsonElement Body)> GetJson(string relative, HttpClient? client = null)
    {
        var response = await (client ?? Client).GetAsync(Host.BaseUri + relative);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response, doc.RootElement.Clone());
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}

using System.Net.Http.Headers;
using System.Text.Json;
using SentryRunbook.Sandbox.Scenarios;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>The built-in `storm` scenario: a deploy raising 15 issues, an upstream outage behind 6, shared traces, background.</summary>
public sealed class StormScenarioTests
{
    [Fact]
    public async Task Storm_scenario_builds_the_deploy_the_outage_and_shared_traces()
    {
        var options = SandboxOptions.Parse(["--port", "0", "--scenario", ScenarioNames.Storm, "--no-rate-limits"], out var error);
        Assert.Null(error);
        await using var host = await SandboxHost.StartAsync(options!);
        var store = host.State.Store;
        Assert.Equal(["api", "billing", "checkout", "web", "worker"], store.Projects.Select(p => p.Slug).Order().ToArray());
        var deploys = store.DeploysOf("shop@2026.12.3");
        Assert.Equal(3, deploys.Count);
        Assert.All(deploys, d => Assert.InRange((DateTimeOffset.UtcNow - d.DateFinished).TotalMinutes, 31, 34));

        using var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);
        async Task<JsonElement> Get(string path) => JsonDocument.Parse(await client.GetStringAsync(host.BaseUri + path)).RootElement;

        var deployIssues = (await Get("/api/0/organizations/acme/issues/?query=is:unresolved%20release:shop@2026.12.3")).EnumerateArray().ToList();
        Assert.Equal(15, deployIssues.Count);
        var firstSeen = deployIssues.Select(i => DateTimeOffset.Parse(i.GetProperty("firstSeen").GetString()!)).ToList();
        Assert.True((firstSeen.Max() - firstSeen.Min()).TotalMinutes <= 10);
        Assert.All(firstSeen, f => Assert.InRange((f - deploys[0].DateFinished).TotalMinutes, 0, 15));

        var recent = (await Get("/api/0/organizations/acme/issues/?query=is:unresolved%20firstSeen:-1h")).EnumerateArray().ToList();
        Assert.Equal(23, recent.Count);

        // Frontend and backend issues share traces event by event; an issue without a "trace" shares none.
        string Id(string shortId) => deployIssues.Single(i => i.GetProperty("shortId").GetString() == shortId).GetProperty("id").GetString()!;
        var traces = await Get($"/api/0/organizations/acme/events/?dataset=errors&field=trace&field=count_unique(issue)&query=issue.id:%5B{Id("WEB-3")},{Id("API-3")},{Id("WEB-5")}%5D&sort=-count_unique(issue)&statsPeriod=1h&per_page=100");
        var rows = traces.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(60, rows.Count(r => r.GetProperty("count_unique(issue)").GetInt32() == 2));
        Assert.Equal(20, rows.Count(r => r.GetProperty("count_unique(issue)").GetInt32() == 1));
    }
}

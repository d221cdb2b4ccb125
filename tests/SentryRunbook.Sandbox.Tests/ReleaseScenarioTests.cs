using System.Net.Http.Headers;
using System.Text.Json;
using SentryRunbook.Sandbox.Scenarios;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>The built-in `releases` scenario and the issue searches release health asks (first-release, regressed_in_release).</summary>
public sealed class ReleaseScenarioTests
{
    [Fact]
    public async Task Releases_scenario_builds_each_case_and_answers_the_release_searches()
    {
        var options = SandboxOptions.Parse(["--port", "0", "--scenario", ScenarioNames.Releases], out var error);
        Assert.Null(error);
        await using var host = await SandboxHost.StartAsync(options!);
        Assert.Equal("web", host.Project);
        var store = host.State.Store;
        Assert.Equal(["billing", "checkout", "mobile", "search", "web", "worker"], store.Projects.Select(p => p.Slug).Order().ToArray());
        // The staging-only release exists but was never deployed to production.
        Assert.Equal(["staging"], store.DeploysOf("web@1.0.1").Select(d => d.Environment).ToArray());

        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);
        async Task<JsonElement> Get(string path) => JsonDocument.Parse(await client.GetStringAsync(host.BaseUri + path)).RootElement;
        string[] ShortIds(JsonElement list) => list.EnumerateArray().Select(i => i.GetProperty("shortId").GetString()!).Order().ToArray();

        var fresh = await Get("/api/0/organizations/acme/issues/?query=first-release:%22billing@4.1.0%22&environment=production&statsPeriod=4h");
        var billing = Assert.Single(fresh.EnumerateArray());
        Assert.Equal("error", billing.GetProperty("level").GetString());
        Assert.Equal(250, billing.GetProperty("userCount").GetInt32());
        // The background error of web is first seen in web@1.0.0, so only the warning is new in web@1.1.0.
        Assert.Equal(["WEB-2"], ShortIds(await Get("/api/0/organizations/acme/issues/?query=first_release:web@1.1.0&statsPeriod=4h")));
        Assert.Equal(["WEB-1"], ShortIds(await Get("/api/0/organizations/acme/issues/?query=firstRelease:web@1.0.0&statsPeriod=3d")));

        var regressed = await Get("/api/0/organizations/acme/issues/?query=regressed_in_release:%22worker@7.1.0%22&statsPeriod=4h");
        var worker = Assert.Single(regressed.EnumerateArray());
        Assert.Equal("regressed", worker.GetProperty("substatus").GetString());
        Assert.Empty((await Get("/api/0/organizations/acme/issues/?query=regressed_in_release:worker@7.0.0&statsPeriod=3d")).EnumerateArray());

        // worker sends no sessions; checkout@2.1.0 crashes 40 of 400 sessions an hour.
        var sessions = await Get("/api/0/organizations/acme/sessions/?field=sum(session)&field=crash_free_rate(session)&groupBy=release&project=checkout&environment=production&statsPeriod=4h&interval=1h");
        var crashing = sessions.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("by").GetProperty("release").GetString() == "checkout@2.1.0");
        Assert.Equal(1200, crashing.GetProperty("totals").GetProperty("sum(session)").GetInt32());
        Assert.Equal(0.9, crashing.GetProperty("totals").GetProperty("crash_free_rate(session)").GetDouble(), 6);
        var none = await Get("/api/0/organizations/acme/sessions/?field=sum(session)&groupBy=release&project=worker&statsPeriod=3d&interval=1d");
        Assert.DoesNotContain(none.GetProperty("groups").EnumerateArray(), g => g.GetProperty("totals").GetProperty("sum(session)").GetInt32() > 0);
    }
}

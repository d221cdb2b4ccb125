using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using SentryRunbook.Sandbox.Scenarios;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>User-written scenario files (`--scenario file.json`, Scenarios/README.md).</summary>
public sealed class ScenarioFileTests
{
    public static string SamplePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "SentryRunbook.Sandbox", "Scenarios", "samples", "checkout-outage.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("checkout-outage.json not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task Sample_LoadsThroughIngest_AndAnswersQueries()
    {
        var options = SandboxOptions.Parse(["--port", "0", "--scenario", SamplePath()], out var error);
        Assert.Null(error);
        await using var host = await SandboxHost.StartAsync(options!);
        Assert.Equal("shop", host.Project); // the announced project falls back to the file's first one
        Assert.EndsWith("/1", host.Dsn);

        var store = host.State.Store;
        var checkout = store.FindByShortId("SHOP-1")!;
        Assert.Equal("CheckoutError: Card authorization failed: gateway timeout", checkout.Title);
        Assert.Equal((400L, 120), (checkout.Count, checkout.UserCount));
        Assert.True(checkout.IsUnhandled);
        Assert.Equal("authorizeCard", checkout.Metadata.Function);
        Assert.Equal("resolved", store.FindByShortId("SHOP-3")!.Status);
        Assert.Equal("staging", store.FindByShortId("SHOP-2")!.Environments.Single());
        Assert.Equal(2, store.DeploysOf("shop@3.2.0").Count);

        using var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);
        async Task<JsonElement> Get(string path) => JsonDocument.Parse(await client.GetStringAsync(host.BaseUri + path)).RootElement;

        var p95 = await Get("/api/0/organizations/acme/events/?dataset=spans&field=p95(span.duration)&field=count()&query=is_transaction:true%20transaction:\"POST%20/checkout\"%20release:shop@3.2.0&statsPeriod=2h");
        Assert.InRange(p95.GetProperty("data")[0].GetProperty("p95(span.duration)").GetDouble(), 27_000, 33_000);
        var sessions = await Get("/api/0/organizations/acme/sessions/?field=crash_free_rate(session)&field=crash_free_rate(user)&project=shop&statsPeriod=1h&interval=1m");
        var totals = sessions.GetProperty("groups")[0].GetProperty("totals");
        Assert.InRange(totals.GetProperty("crash_free_rate(session)").GetDouble(), 0.9, 0.98);
        Assert.True(totals.GetProperty("crash_free_rate(user)").GetDouble() < totals.GetProperty("crash_free_rate(session)").GetDouble());
    }

    [Fact]
    public async Task A_files_live_incidents_start_with_the_sandbox_and_receive_events_in_real_time()
    {
        var file = Path.Combine(Path.GetTempPath(), $"live-scenario-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {"projects": [{"slug": "shop"}],
             "live": [{"project": "shop", "type": "GatewayTimeout", "value": "card gateway timed out", "peakPerMinute": 600, "rise": "5s", "plateau": "1m", "decay": "1m"}]}
            """);
        try
        {
            var options = SandboxOptions.Parse(["--port", "0", "--scenario", file], out var error);
            Assert.Null(error);
            Assert.Single(options!.ScenarioFile!.Live);
            await using var host = await SandboxHost.StartAsync(options);
            using var client = new HttpClient();
            var live = JsonDocument.Parse(await client.GetStringAsync(host.BaseUri + "/sandbox/live")).RootElement;
            var started = live[0];
            var issue = host.State.Store.FindByIdOrShortId(started.GetProperty("shortId").GetString()!)!;
            Assert.Equal("GatewayTimeout: card gateway timed out", issue.Title);
            long before = issue.Count;
            // At up to 600 a minute the count grows within seconds; poll rather than sleep a fixed time.
            for (int i = 0; i < 100 && issue.Count <= before; i++) await Task.Delay(100);
            Assert.True(issue.Count > before, "the live incident's issue kept receiving events after the sandbox started");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("""{"projects": []}""", "$.projects")]
    [InlineData("""{"projects": [{"slug": "Shop"}]}""", "$.projects[0].slug")]
    [InlineData("""{"projects": [{"slug": "shop"}], "issues": [{"project": "shop", "message": "x", "count": 0}]}""", "$.issues[0].count")]
    [InlineData("""{"projects": [{"slug": "shop"}], "issues": [{"project": "web", "message": "x", "count": 1}]}""", "$.issues[0].project")]
    [InlineData("""{"projects": [{"slug": "shop"}], "issues": [{"project": "shop", "count": 1}]}""", "$.issues[0].exception")]
    [InlineData("""{"projects": [{"slug": "shop"}], "issues": [{"project": "shop", "message": "x", "cout": 1}]}""", "$.issues[0].cout")]
    [InlineData("""{"projects": [{"slug": "shop"}], "sessions": [{"project": "shop", "hours": 2, "perHour": [1, 2, 3]}]}""", "$.sessions[0].perHour")]
    [InlineData("""{"projects": [{"slug": "shop"}], "transactions": [{"project": "shop", "name": "t", "perHour": 1, "p50": 100, "p95": 50}]}""", "$.transactions[0].p95")]
    [InlineData("""{"projects": [{"slug": "shop"},]""", "$")]
    [InlineData("""{"projects": [{"slug": "shop"}], "live": [{"project": "web"}]}""", "$.live[0].project")]
    [InlineData("""{"projects": [{"slug": "shop"}], "live": [{"project": "shop", "peakPerMinute": -1}]}""", "$.live[0]")]
    public void BadFiles_NameTheJsonPath(string json, string path)
    {
        var ex = Assert.Throws<ScenarioFileException>(() => ScenarioFile.Parse(json));
        if (path == "$") Assert.StartsWith("$", ex.JsonPath); // a syntax error: wherever the parser stopped
        else Assert.Equal(path, ex.JsonPath);
        Assert.StartsWith(ex.JsonPath + ": ", ex.Message);
    }

    [Fact]
    public async Task BadFile_ExitsWith2_AndNamesThePath()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bad-scenario-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"projects": [{"slug": "shop"}], "issues": [{"project": "shop", "message": "boom", "count": -3}]}""");
        try
        {
            var dll = typeof(SandboxHost).Assembly.Location;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { dll, "--port", "0", "--scenario", file }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("$.issues[0].count", stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

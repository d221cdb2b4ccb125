using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SentryRunbook.Sandbox.Faults;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// A sandbox of its own for fault tests (faults are global to a sandbox, so sharing the main fixture
/// would disturb other tests). Tests in this collection run one after another; each one PUTs the
/// settings it needs and the fixture turns faults off again afterwards.
/// </summary>
public sealed class FaultSandboxFixture : IAsyncLifetime
{
    public SandboxHost Host { get; private set; } = null!;
    public HttpClient Client { get; } = new();

    public async Task InitializeAsync()
    {
        // Real rate limits off: these tests count the 429s they inject, and a real one would be counted with them.
        Host = await SandboxHost.StartAsync(new SandboxOptions { Port = 0, Scenario = Scenarios.ScenarioNames.Empty, RateLimits = false });
        Client.BaseAddress = new Uri(Host.BaseUri + "/");
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Host.Token);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>A client on a fresh connection pool, so a drop is not silently retried on a new connection.</summary>
    public HttpClient FreshClient()
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = Client.DefaultRequestHeaders.Authorization;
        return client;
    }

    public async Task<JsonElement> PutFaults(string json)
    {
        using var response = await Client.PutAsync("sandbox/faults", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT /sandbox/faults -> {(int)response.StatusCode} {text}");
        return Parse(text);
    }

    public async Task<JsonElement> GetJson(string relative)
    {
        using var response = await Client.GetAsync(relative);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static JsonElement Parse(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultSandboxFixture>
{
    public const string Name = "sandbox-faults";
}

[Collection(FaultCollection.Name)]
public sealed class FaultTests(FaultSandboxFixture sandbox) : IAsyncLifetime
{
    private const string Issues = "api/0/organizations/acme/issues/";
    private const string OrgDetails = "api/0/organizations/acme/";

    public Task InitializeAsync() => sandbox.Client.DeleteAsync("sandbox/faults");

    public Task DisposeAsync() => sandbox.Client.DeleteAsync("sandbox/faults");

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task Control_GetPutDeleteAndStats()
    {
        var initial = await sandbox.GetJson("sandbox/faults");
        Assert.Equal(0, initial.GetProperty("latencyMs").GetInt32());
        Assert.Equal(500, initial.GetProperty("serverErrorStatus").GetInt32());
        Assert.Equal(1, initial.GetProperty("resetSeconds").GetInt32());
        Assert.False(initial.GetProperty("applyToIngest").GetBoolean());

        var put = await sandbox.PutFaults("""
            {"latencyMs":0,"latencyJitterMs":20,"rateLimitRate":0.1,"serverErrorRate":0.1,"serverErrorStatus":503,
             "dropRate":0,"truncateRate":0,"failNext":{"count":2,"kind":"429"},"pathPrefix":"/api/0/organizations/acme/issues/",
             "methods":["get"],"retryAfterSeconds":null,"resetSeconds":1,"applyToIngest":false,"seed":42}
            """);
        Assert.Equal(put.ToString(), (await sandbox.GetJson("sandbox/faults/")).ToString());
        Assert.Equal(20, put.GetProperty("latencyJitterMs").GetInt32());
        Assert.Equal(503, put.GetProperty("serverErrorStatus").GetInt32());
        Assert.Equal(2, put.GetProperty("failNext").GetProperty("count").GetInt32());
        Assert.Equal("429", put.GetProperty("failNext").GetProperty("kind").GetString());
        Assert.Equal("GET", put.GetProperty("methods")[0].GetString());
        Assert.Equal(42, put.GetProperty("seed").GetInt32());

        // A GET settings body can be PUT back unchanged.
        await sandbox.PutFaults(put.ToString());

        using (var first = await sandbox.Client.GetAsync(Issues)) Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        var stats = await sandbox.GetJson("sandbox/faults/stats");
        Assert.Equal(1, stats.GetProperty("requests").GetInt32());
        Assert.Equal(1, stats.GetProperty("injected").GetProperty("rateLimited").GetInt32());
        Assert.Equal(1, (await sandbox.GetJson("sandbox/faults")).GetProperty("failNext").GetProperty("count").GetInt32());

        using (var deleted = await sandbox.Client.DeleteAsync("sandbox/faults")) Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var off = await sandbox.GetJson("sandbox/faults");
        Assert.Equal(0, off.GetProperty("failNext").GetProperty("count").GetInt32());
        Assert.Equal(0d, off.GetProperty("rateLimitRate").GetDouble());
        Assert.Equal(JsonValueKind.Null, off.GetProperty("pathPrefix").ValueKind);
        Assert.Equal(0, (await sandbox.GetJson("sandbox/faults/stats")).GetProperty("requests").GetInt32());
    }

    [Theory]
    [InlineData("""{"latencyMs":"fast"}""")]
    [InlineData("""{"rateLimitRate":1.5}""")]
    [InlineData("""{"serverErrorStatus":501}""")]
    [InlineData("""{"failNext":{"count":1,"kind":"teapot"}}""")]
    [InlineData("""{"dropRate":0.6,"truncateRate":0.6}""")]
    [InlineData("""{"latencyMS":5}""")]
    [InlineData("""[1]""")]
    [InlineData("""{""")]
    public async Task Control_RejectsBadSettings(string body)
    {
        using var response = await sandbox.Client.PutAsync("sandbox/faults", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = FaultSandboxFixture.Parse(await response.Content.ReadAsStringAsync()).GetProperty("detail").GetString();
        Assert.False(string.IsNullOrEmpty(detail));
    }

    [Fact]
    public async Task Control_IsNeverFaulted_AndNeedsNoToken()
    {
        await sandbox.PutFaults("""{"serverErrorRate":1,"latencyMs":0}""");
        using var anonymous = new HttpClient { BaseAddress = sandbox.Client.BaseAddress };
        using var response = await anonymous.GetAsync("sandbox/faults");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var post = await anonymous.PostAsync("sandbox/faults", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public void Latency_IsTheFixedPartPlusJitter_ForEveryRequestInScope()
    {
        // The delay each request gets is decided here; the middleware only waits it out (a wall-clock measure belongs in bench/).
        var injector = new FaultInjector(new FaultSettings { LatencyMs = 150, LatencyJitterMs = 30, Seed = 7 });
        var delays = Enumerable.Range(0, 50).Select(_ => injector.Decide("GET", "/api/0/")!.Value.DelayMs).ToList();
        Assert.All(delays, d => Assert.InRange(d, 150, 180));
        Assert.True(delays.Distinct().Count() > 1, "the jitter varies the delay");
        Assert.Null(injector.Decide("GET", "/sandbox/faults"));   // the control routes are never delayed
    }

    [Fact]
    public async Task Latency_IsCountedAsInjected_AndTheAnswerStillArrives()
    {
        await sandbox.PutFaults("""{"latencyMs":150,"latencyJitterMs":30,"seed":7}""");
        using var response = await sandbox.Client.GetAsync("api/0/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stats = await sandbox.GetJson("sandbox/faults/stats");
        Assert.Equal(1, stats.GetProperty("injected").GetProperty("latency").GetInt32());
        Assert.Equal(0, stats.GetProperty("injected").GetProperty("rateLimited").GetInt32());
    }

    [Fact]
    public async Task FailNext429_GivesExactlyNRateLimits_ThenSuccess()
    {
        await sandbox.PutFaults("""{"failNext":{"count":2,"kind":"429"},"resetSeconds":3}""");
        for (var i = 0; i < 2; i++)
        {
            var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var response = await sandbox.Client.GetAsync(OrgDetails);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            var body = FaultSandboxFixture.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(JsonValueKind.String, body.ValueKind);
            Assert.Equal("You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds", body.GetString());
            Assert.Equal("0", Header(response, "X-Sentry-Rate-Limit-Remaining"));
            Assert.Equal("40", Header(response, "X-Sentry-Rate-Limit-Limit"));
            var reset = long.Parse(Header(response, "X-Sentry-Rate-Limit-Reset"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(reset, before + 3, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3);
            Assert.NotEmpty(Header(response, "X-Sentry-Rate-Limit-ConcurrentLimit"));
            Assert.Null(response.Headers.RetryAfter);
        }

        using var ok = await sandbox.Client.GetAsync(OrgDetails);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.NotEqual("0", Header(ok, "X-Sentry-Rate-Limit-Remaining"));
    }

    [Fact]
    public async Task RateLimit_RetryAfterWhenEnabled_AndBeforeAuth()
    {
        await sandbox.PutFaults("""{"failNext":{"count":1,"kind":"rateLimit"},"retryAfterSeconds":2}""");
        using var anonymous = new HttpClient { BaseAddress = sandbox.Client.BaseAddress };
        using var response = await anonymous.GetAsync(OrgDetails);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);

        using var unauthorized = await anonymous.GetAsync(OrgDetails);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    [Fact]
    public async Task ServerError500_HasSentryJsonBody()
    {
        await sandbox.PutFaults("""{"serverErrorRate":1.0,"serverErrorStatus":500}""");
        using var response = await sandbox.Client.GetAsync(OrgDetails);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = FaultSandboxFixture.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Internal Error", body.GetProperty("detail").GetString());
        Assert.Matches("^[0-9a-f]{32}$", body.GetProperty("errorId").GetString());
    }

    [Theory]
    [InlineData(502, "502 Bad Gateway")]
    [InlineData(503, "503 Service Temporarily Unavailable")]
    [InlineData(504, "504 Gateway Time-out")]
    public async Task ServerErrorFromProxy_IsHtml(int status, string title)
    {
        await sandbox.PutFaults($$"""{"serverErrorRate":1,"serverErrorStatus":{{status}}}""");
        using var response = await sandbox.Client.GetAsync(Issues);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<title>{title}</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("", Header(response, "X-Sentry-Rate-Limit-Limit"));
    }

    [Fact]
    public async Task Drop_AbortsTheConnection()
    {
        await sandbox.PutFaults("""{"dropRate":1}""");
        using var client = sandbox.FreshClient();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync(OrgDetails));
        Assert.True(ex is HttpRequestException or IOException, ex.ToString());
        Assert.Equal(1, (await sandbox.GetJson("sandbox/faults/stats")).GetProperty("injected").GetProperty("dropped").GetInt32());
    }

    [Fact]
    public async Task Truncate_GivesAnIncompleteBody()
    {
        await sandbox.PutFaults("""{"failNext":{"count":1,"kind":"truncate"}}""");
        using var client = sandbox.FreshClient();
        try
        {
            using var response = await client.GetAsync(OrgDetails);
            var text = await response.Content.ReadAsStringAsync();
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The expected outcome: Content-Length promised more than arrived.
        }

        Assert.Equal(1, (await sandbox.GetJson("sandbox/faults/stats")).GetProperty("injected").GetProperty("truncated").GetInt32());
        using var after = await client.GetAsync(OrgDetails);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task PathAndMethodFilters_LimitTheFaults()
    {
        await sandbox.PutFaults("""{"failNext":{"count":3,"kind":"503"},"pathPrefix":"/api/0/organizations/acme/issues/","methods":["GET"]}""");
        using (var other = await sandbox.Client.GetAsync(OrgDetails)) Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        using (var root = await sandbox.Client.GetAsync("api/0/")) Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        using (var put = await sandbox.Client.PutAsync(Issues + "?id=1", new StringContent("{}", Encoding.UTF8, "application/json")))
            Assert.NotEqual(HttpStatusCode.ServiceUnavailable, put.StatusCode);
        using (var hit = await sandbox.Client.GetAsync(Issues)) Assert.Equal(HttpStatusCode.ServiceUnavailable, hit.StatusCode);

        var stats = await sandbox.GetJson("sandbox/faults/stats");
        Assert.Equal(1, stats.GetProperty("requests").GetInt32());
        Assert.Equal(1, stats.GetProperty("injected").GetProperty("serverError").GetInt32());
        Assert.Equal(2, (await sandbox.GetJson("sandbox/faults")).GetProperty("failNext").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Ingest_IsFaultedOnlyWhenEnabled()
    {
        await sandbox.PutFaults("""{"serverErrorRate":1,"serverErrorStatus":502}""");
        using (var off = await sandbox.Client.PostAsync("api/1/envelope/", new StringContent("{}\n")))
            Assert.NotEqual(HttpStatusCode.BadGateway, off.StatusCode);

        await sandbox.PutFaults("""{"serverErrorRate":1,"serverErrorStatus":502,"applyToIngest":true}""");
        using (var on = await sandbox.Client.PostAsync("api/1/envelope/", new StringContent("{}\n")))
            Assert.Equal(HttpStatusCode.BadGateway, on.StatusCode);

        await sandbox.PutFaults("""{"failNext":{"count":1,"kind":"429"},"applyToIngest":true,"resetSeconds":4}""");
        using var limited = await sandbox.Client.PostAsync("api/1/envelope/", new StringContent("{}\n"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(4), limited.Headers.RetryAfter?.Delta);
        Assert.Equal("4::organization", Header(limited, "X-Sentry-Rate-Limits"));
    }

    [Fact]
    public async Task SeededRates_AreReproducible_AndCounted()
    {
        const string settings = """{"faultRate":0.5,"seed":1234}""";
        async Task<string> Run()
        {
            await sandbox.PutFaults(settings);
            var codes = new StringBuilder();
            for (var i = 0; i < 24; i++)
            {
                using var response = await sandbox.Client.GetAsync("api/0/");
                codes.Append((int)response.StatusCode).Append(' ');
            }

            return codes.ToString();
        }

        var first = await Run();
        var second = await Run();
        Assert.Equal(first, second);
        Assert.Contains("200", first, StringComparison.Ordinal);
        Assert.Contains("429", first, StringComparison.Ordinal);
        Assert.Contains("500", first, StringComparison.Ordinal);

        var stats = await sandbox.GetJson("sandbox/faults/stats");
        var injected = stats.GetProperty("injected");
        Assert.Equal(24, stats.GetProperty("requests").GetInt32());
        Assert.Equal(first.Split(' ').Count(c => c == "429"), injected.GetProperty("rateLimited").GetInt32());
        Assert.Equal(first.Split(' ').Count(c => c == "500"), injected.GetProperty("serverError").GetInt32());
    }

    [Fact]
    public void Flags_AreParsed()
    {
        var options = SandboxOptions.Parse(
        [
            "--port", "0", "--latency-ms", "25", "--latency-jitter-ms", "5", "--fault-rate", "0.1", "--rate-limit-rate", "0.05",
            "--server-error-rate", "0.05", "--server-error-status", "504", "--drop-rate", "0.01", "--truncate-rate", "0.02",
            "--fault-seed", "99", "--retry-after", "--rate-limit-reset", "2", "--fail-next", "3:drop", "--fault-path", "/api/0/organizations/",
            "--fault-methods", "get,put", "--fault-ingest",
        ], out var error);
        Assert.Null(error);
        var f = options!.Faults;
        Assert.Equal(25, f.LatencyMs);
        Assert.Equal(5, f.LatencyJitterMs);
        Assert.Equal(0.1, f.FaultRate);
        Assert.Equal(0.05, f.RateLimitRate);
        Assert.Equal(0.05, f.ServerErrorRate);
        Assert.Equal(504, f.ServerErrorStatus);
        Assert.Equal(0.01, f.DropRate);
        Assert.Equal(0.02, f.TruncateRate);
        Assert.Equal(99, f.Seed);
        Assert.Equal(2, f.ResetSeconds);
        Assert.Equal(2, f.RetryAfterSeconds);
        Assert.Equal(3, f.FailNextCount);
        Assert.Equal(FaultKind.Drop, f.FailNextKind);
        Assert.Equal("/api/0/organizations/", f.PathPrefix);
        Assert.Equal(["GET", "PUT"], f.Methods);
        Assert.True(f.ApplyToIngest);

        var defaults = SandboxOptions.Parse([], out _)!.Faults;
        Assert.True(defaults.IsOff);
        Assert.Null(defaults.RetryAfterSeconds);

        Assert.Null(SandboxOptions.Parse(["--drop-rate", "2"], out error));
        Assert.Contains("--drop-rate", error, StringComparison.Ordinal);
        Assert.Null(SandboxOptions.Parse(["--server-error-status", "418"], out error));
        Assert.Null(SandboxOptions.Parse(["--fail-next", "2:teapot"], out error));
        Assert.Null(SandboxOptions.Parse(["--latency-ms"], out error));
        Assert.Null(SandboxOptions.Parse(["--drop-rate", "0.7", "--truncate-rate", "0.7"], out error));
    }

    [Fact]
    public async Task Flags_TakeEffectAtStart()
    {
        var options = SandboxOptions.Parse(["--port", "0", "--scenario", "empty", "--fail-next", "1:503", "--fault-seed", "5"], out var error);
        Assert.Null(error);
        await using var host = await SandboxHost.StartAsync(options!);
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseUri + "/") };
        using var settings = await client.GetAsync("sandbox/faults");
        var json = FaultSandboxFixture.Parse(await settings.Content.ReadAsStringAsync());
        Assert.Equal(1, json.GetProperty("failNext").GetProperty("count").GetInt32());
        Assert.Equal("503", json.GetProperty("failNext").GetProperty("kind").GetString());
        Assert.Equal(5, json.GetProperty("seed").GetInt32());
        using (var first = await client.GetAsync("api/0/")) Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        using (var second = await client.GetAsync("api/0/")) Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }
}

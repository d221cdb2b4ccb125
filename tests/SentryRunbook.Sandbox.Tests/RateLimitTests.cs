using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Sentry's API rate limits as the sandbox enforces them by default (REFERENCE.md §1.6).</summary>
public sealed class RateLimitTests
{
    private static async Task<(SandboxHost Host, HttpClient Client)> Start(params string[] args)
    {
        var options = SandboxOptions.Parse([.. args, "--scenario", "seed-examples"], out var error) ?? throw new InvalidOperationException(error);
        var host = await SandboxHost.StartAsync(options);
        var client = new HttpClient { BaseAddress = new Uri(host.BaseUri + "/") };
        client.DefaultRequestHeaders.Authorization = new("Bearer", host.Token);
        return (host, client);
    }

    /// <summary>
    /// Fires a burst until one window received more than the limit (a burst may straddle a window edge), then
    /// checks every window's accounting: never more than the limit served, every request beyond it refused.
    /// </summary>
    private static async Task<List<HttpResponseMessage>> Burst(HttpClient client, HttpMethod method, string path, int limit, string? body = null)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var responses = (await Task.WhenAll(Enumerable.Range(0, limit * 4).Select(_ =>
                client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json") })))).ToList();
            var windows = responses.GroupBy(r => SandboxFixture.Header(r, "X-Sentry-Rate-Limit-Reset")).ToList();
            foreach (var window in windows)
            {
                var served = window.Count(r => r.StatusCode != HttpStatusCode.TooManyRequests);
                Assert.Equal(Math.Min(limit, window.Count()), served);
                Assert.All(window, r => Assert.Equal(limit.ToString(), SandboxFixture.Header(r, "X-Sentry-Rate-Limit-Limit")));
            }
            if (windows.Any(w => w.Count() > limit)) return responses;
        }
        throw new Xunit.Sdk.XunitException("no burst landed more than the limit in one window");
    }

    [Theory]
    [InlineData("GET", "api/0/organizations/acme/issues/WEB-1/", 5)]
    [InlineData("GET", "api/0/organizations/acme/issues/WEB-1/tags/", 10)]
    [InlineData("GET", "api/0/organizations/acme/", 40)]
    public async Task Each_endpoint_and_method_has_its_own_budget(string method, string path, int limit)
    {
        var (host, client) = await Start();
        await using var _ = host;
        using var __ = client;

        var responses = await Burst(client, new HttpMethod(method), path, limit);

        var refused = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal($"You are attempting to use this endpoint too frequently. Limit is {limit} requests in 1 seconds", JsonSerializer.Deserialize<string>(await refused.Content.ReadAsStringAsync()));
        Assert.Null(refused.Headers.RetryAfter);
        Assert.Equal("0", SandboxFixture.Header(refused, "X-Sentry-Rate-Limit-Remaining"));
        var reset = long.Parse(SandboxFixture.Header(refused, "X-Sentry-Rate-Limit-Reset"));
        Assert.InRange(reset - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), -1, 2);
        Assert.Equal("25", SandboxFixture.Header(refused, "X-Sentry-Rate-Limit-ConcurrentLimit"));
        var traffic = host.State.Traffic.ToJson();
        Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests), traffic["rateLimited"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_spent_issue_detail_budget_leaves_the_issue_list_and_the_PUT_budget_alone()
    {
        var (host, client) = await Start();
        await using var _ = host;
        using var __ = client;
        await Burst(client, HttpMethod.Get, "api/0/organizations/acme/issues/WEB-1/", 5);

        var list = await client.GetAsync("api/0/organizations/acme/issues/?limit=1");
        var put = await client.PutAsync("api/0/organizations/acme/issues/WEB-1/", new StringContent("""{"status":"unresolved"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("5", SandboxFixture.Header(put, "X-Sentry-Rate-Limit-Limit"));
    }

    [Fact]
    public async Task Ingest_is_not_counted_against_the_web_API()
    {
        var (host, client) = await Start();
        await using var _ = host;
        using var __ = client;
        var response = await client.PostAsync($"api/{host.State.Store.Projects[0].Id}/store/?sentry_key={host.State.Store.Projects[0].PublicKey}", new StringContent("""{"message":"hello"}"""));

        Assert.False(response.Headers.Contains("X-Sentry-Rate-Limit-Limit"));
    }

    [Theory]
    [InlineData("--no-rate-limits")]
    [InlineData("--no-rate-limit-headers")]
    [InlineData("--profile")]
    public async Task Self_hosted_has_no_limits_and_no_headers(string flag)
    {
        var (host, client) = flag == "--profile" ? await Start("--profile", "self-hosted-legacy") : await Start(flag);
        await using var _ = host;
        using var __ = client;

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => client.GetAsync("api/0/organizations/acme/issues/WEB-1/")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(responses, r => Assert.False(r.Headers.Contains("X-Sentry-Rate-Limit-Limit")));
    }

    [Fact]
    public async Task Limits_can_be_switched_at_run_time()
    {
        var (host, client) = await Start("--no-rate-limits");
        await using var _ = host;
        using var __ = client;
        Assert.False(host.State.Options.RateLimits);

        var control = await client.PutAsync("sandbox/options", new StringContent("""{"rateLimits":true}"""));
        var on = await client.GetAsync("api/0/organizations/acme/");

        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal("40", SandboxFixture.Header(on, "X-Sentry-Rate-Limit-Limit"));
    }
}

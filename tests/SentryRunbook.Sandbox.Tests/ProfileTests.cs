using System.Net;
using System.Net.Http.Headers;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>`--profile self-hosted-legacy`: no spans dataset, no release health, no rate-limit headers.</summary>
public sealed class ProfileTests
{
    [Fact]
    public async Task Legacy_RefusesSpans_HasNoSessions_NoRateLimitHeaders()
    {
        var options = SandboxOptions.Parse(["--port", "0", "--scenario", "empty", "--profile", "self-hosted-legacy"], out var error)!;
        Assert.Null(error);
        await using var host = await SandboxHost.StartAsync(options);
        using var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);

        var spans = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/events/?dataset=spans&field=p95(span.duration)&field=count()&query=is_transaction:true");
        Assert.Equal(HttpStatusCode.BadRequest, spans.StatusCode);
        Assert.Equal("""{"detail":"dataset must be one of: discover, errors, transactions"}""", await spans.Content.ReadAsStringAsync());
        Assert.DoesNotContain(spans.Headers, h => h.Key.StartsWith("X-Sentry-Rate-Limit", StringComparison.OrdinalIgnoreCase));

        var transactions = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/events/?dataset=transactions&field=p95(transaction.duration)&field=count()&query=event.type:transaction");
        Assert.Equal(HttpStatusCode.OK, transactions.StatusCode);

        var stats = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/events-stats/?dataset=spans&yAxis=count()");
        Assert.Equal(HttpStatusCode.BadRequest, stats.StatusCode);

        var sessions = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/sessions/?field=sum(session)&statsPeriod=24h");
        Assert.Equal(HttpStatusCode.NotFound, sessions.StatusCode);
        var organization = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/");
        Assert.DoesNotContain(organization.Headers, h => h.Key.StartsWith("X-Sentry-Rate-Limit", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Saas_IsTheDefault_WithRateLimitHeaders()
    {
        var options = SandboxOptions.Parse(["--port", "0", "--scenario", "empty"], out _)!;
        Assert.Equal(SandboxProfile.Saas, options.Profile);
        await using var host = await SandboxHost.StartAsync(options);
        using var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);
        var response = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/sessions/?field=sum(session)&statsPeriod=24h");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("X-Sentry-Rate-Limit-Limit"));
    }

    [Fact]
    public void UnknownProfile_IsAnError()
    {
        Assert.Null(SandboxOptions.Parse(["--profile", "onprem"], out var error));
        Assert.Contains("unknown profile 'onprem'", error);
    }
}

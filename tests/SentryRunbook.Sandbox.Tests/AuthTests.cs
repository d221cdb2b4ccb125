using System.Net;
using System.Net.Http.Headers;

namespace SentryRunbook.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class AuthTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task MissingHeader_Is401WithDrfDetail_AndRateLimitHeaders()
    {
        using var anonymous = new HttpClient();
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/issues/", anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Authentication credentials were not provided.", body.GetProperty("detail").GetString());
        Assert.Equal("40", SandboxFixture.Header(response, "X-Sentry-Rate-Limit-Limit"));
        Assert.NotEmpty(SandboxFixture.Header(response, "X-Sentry-Rate-Limit-Reset"));
        Assert.NotEmpty(SandboxFixture.Header(response, "X-Sentry-Rate-Limit-ConcurrentRemaining"));
    }

    [Fact]
    public async Task WrongToken_Is401InvalidToken()
    {
        using var wrong = new HttpClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sntryu_" + new string('0', 64));
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/", wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Invalid token", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Root_ReportsNullAuthWithoutToken_AndScopesWithToken()
    {
        using var anonymous = new HttpClient();
        var (anon, anonBody) = await sandbox.GetJson("/api/0/", anonymous);
        Assert.Equal(HttpStatusCode.OK, anon.StatusCode);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, anonBody.GetProperty("auth").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, anonBody.GetProperty("user").ValueKind);

        var (_, body) = await sandbox.GetJson("/api/0/");
        Assert.Equal("0", body.GetProperty("version").GetString());
        Assert.Contains(body.GetProperty("auth").GetProperty("scopes").EnumerateArray(), s => s.GetString() == "event:read");
        Assert.Equal("sandbox", body.GetProperty("user").GetProperty("username").GetString());
    }

    [Fact]
    public void TokenFormat_IsSentryUserToken()
    {
        Assert.Matches("^sntryu_[0-9a-f]{64}$", sandbox.Host.Token);
        Assert.Matches("^http://[0-9a-f]{32}@127\\.0\\.0\\.1:[0-9]+/1$", sandbox.Host.Dsn);
    }

    [Fact]
    public async Task OrgToken_IsForbiddenOnIssueReads_ButReadsOrganization()
    {
        const string orgToken = "sntrys_eyJvcmciOiJhY21lIn0_secret";
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Token = orgToken, Scenario = "empty" });
        using var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", orgToken);

        var issues = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/issues/");
        Assert.Equal(HttpStatusCode.Forbidden, issues.StatusCode);
        Assert.Equal("{\"detail\":\"You do not have permission to perform this action.\"}", await issues.Content.ReadAsStringAsync());

        var org = await client.GetAsync(host.BaseUri + "/api/0/organizations/acme/");
        Assert.Equal(HttpStatusCode.OK, org.StatusCode);
    }
}

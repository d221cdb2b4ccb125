using System.Net;

namespace SentryRunbook.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class RoutingTests(SandboxFixture sandbox)
{
    [Theory]
    [InlineData("/api/0/organizations/acme/issues")]
    [InlineData("/api/0/organizations/acme")]
    [InlineData("/api/0")]
    [InlineData("/api/0/no/such/route/")]
    [InlineData("/api/0/organizations/nope/")]
    [InlineData("/api/0/organizations/nope/issues/")]
    [InlineData("/api/0/organizations/acme/issues/999999/")]
    [InlineData("/api/0/organizations/acme/issues/NOPE-1/")]
    [InlineData("/api/0/organizations/acme/shortids/WEB-ZZZZ/")]
    public async Task UnknownOrSlashless_IsJson404(string path)
    {
        var (response, body) = await sandbox.GetJson(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("The requested resource does not exist", body.GetProperty("detail").GetString());
        Assert.NotEmpty(SandboxFixture.Header(response, "X-Sentry-Rate-Limit-Remaining"));
    }

    [Fact]
    public async Task Organization_HasLinksPointingAtSandbox()
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(sandbox.Host.BaseUri, body.GetProperty("links").GetProperty("regionUrl").GetString());
        Assert.Equal(sandbox.Host.BaseUri, body.GetProperty("links").GetProperty("organizationUrl").GetString());
        Assert.Equal("1", body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Projects_ArePagedWithPerPage()
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/projects/?per_page=2");
        Assert.Equal(2, body.GetArrayLength());
        Assert.Contains("results=\"true\"; cursor=\"0:2:0\"", SandboxFixture.Header(response, "Link"));
        var (tooMany, error) = await sandbox.GetJson("/api/0/organizations/acme/projects/?per_page=101");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("Invalid per_page value. Cannot exceed 100.", error.GetProperty("detail").GetString());
    }
}

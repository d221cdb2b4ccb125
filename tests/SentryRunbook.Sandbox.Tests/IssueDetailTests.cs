using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class IssueDetailTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task DetailRoute_AcceptsNumericAndShortId()
    {
        var (byShort, shortBody) = await sandbox.GetJson("/api/0/organizations/acme/issues/web-1/");
        Assert.Equal(HttpStatusCode.OK, byShort.StatusCode);
        var id = shortBody.GetProperty("id").GetString();
        var (_, byId) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{id}/");
        Assert.Equal("WEB-1", byId.GetProperty("shortId").GetString());
        Assert.Equal(JsonValueKind.String, byId.GetProperty("count").ValueKind);
        Assert.Equal(24, byId.GetProperty("stats").GetProperty("24h").GetArrayLength());
        Assert.Equal(30, byId.GetProperty("stats").GetProperty("30d").GetArrayLength());
        Assert.Equal("2.4.2", byId.GetProperty("firstRelease").GetProperty("shortVersion").GetString());
        Assert.Equal("first_seen", byId.GetProperty("activity").EnumerateArray().Last().GetProperty("type").GetString());
        Assert.Equal($"{sandbox.Host.BaseUri}/organizations/acme/issues/{id}/", byId.GetProperty("permalink").GetString());
    }

    [Fact]
    public async Task ShortIdsRoute_ResolvesToGroup()
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/shortids/API-1/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("acme", body.GetProperty("organizationSlug").GetString());
        Assert.Equal("api", body.GetProperty("projectSlug").GetString());
        Assert.Equal(body.GetProperty("groupId").GetString(), body.GetProperty("group").GetProperty("id").GetString());
        Assert.Equal("180", body.GetProperty("group").GetProperty("count").GetString());
    }

    [Fact]
    public async Task LegacyRoute_CarriesDeprecationHeaders_AndRejectsShortIds()
    {
        var (_, issue) = await sandbox.GetJson("/api/0/organizations/acme/issues/WEB-1/");
        var (response, body) = await sandbox.GetJson($"/api/0/issues/{issue.GetProperty("id").GetString()}/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("WEB-1", body.GetProperty("shortId").GetString());
        Assert.Equal("2026-05-15", SandboxFixture.Header(response, "X-Sentry-Deprecation-Date"));
        Assert.Equal("/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/", SandboxFixture.Header(response, "X-Sentry-Replacement-Endpoint"));

        var (shortId, _) = await sandbox.GetJson("/api/0/issues/WEB-1/");
        Assert.Equal(HttpStatusCode.NotFound, shortId.StatusCode);
    }

    [Fact]
    public async Task LegacyRoute_BrownoutIs410()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { LegacyBrownout = true });
        using var client = new HttpClient(new PatientHandler());
        client.DefaultRequestHeaders.Authorization = new("Bearer", host.Token);
        var issue = host.State.Store.Issues[0];
        var response = await client.GetAsync($"{host.BaseUri}/api/0/issues/{issue.Id}/");
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Equal("{\"message\":\"This API no longer exists.\"}", await response.Content.ReadAsStringAsync());
        var modern = await client.GetAsync($"{host.BaseUri}/api/0/organizations/acme/issues/{issue.Id}/");
        Assert.Equal(HttpStatusCode.OK, modern.StatusCode);
    }

    [Theory]
    [InlineData(10, "A")]
    [InlineData(31, "Z")]
    [InlineData(32, "10")]
    [InlineData(1, "1")]
    public void ShortIdCounter_UsesSentryBase32(long counter, string expected)
    {
        Assert.Equal(expected, Store.ShortIds.Encode(counter));
        Assert.True(Store.ShortIds.TryDecode(expected.ToLowerInvariant(), out var decoded));
        Assert.Equal(counter, decoded);
    }
}

using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Issue search over HTTP on the seeded sandbox: the filters real clients send, the 400s, event-id direct hits.</summary>
[Collection(SandboxCollection.Name)]
public sealed class IssueSearchRouteTests(SandboxFixture sandbox)
{
    private const string Issues = "/api/0/organizations/acme/issues/";

    private async Task<string[]> ShortIds(string query)
    {
        var (response, body) = await sandbox.GetJson(Issues + "?limit=100&query=" + Uri.EscapeDataString(query));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {response.StatusCode} {body}");
        return body.EnumerateArray().Select(r => r.GetProperty("shortId").GetString()!).ToArray();
    }

    [Fact]
    public async Task SeededFilters_FindTheIssuesThatCarryThem()
    {
        // Only the payment incident's events carry the custom payment_provider tag.
        Assert.Equal(["WEB-1"], await ShortIds("payment_provider:stripe"));
        Assert.Equal(["WEB-1"], await ShortIds("user.email:customer1000@example.com"));
        Assert.Contains("API-1", await ShortIds("issue.priority:high"));
        Assert.DoesNotContain("API-1", await ShortIds("!issue.priority:high"));
        var safari = await ShortIds("browser.name:Safari");
        Assert.NotEmpty(safari);
        Assert.All(safari, id => Assert.StartsWith("WEB-", id));
        var store = sandbox.Host.State.Store;
        var expectedWithUser = store.Read(s => s.Issues.Count(i => i.Status == "unresolved" && i.UserCount > 0));
        Assert.Equal(Math.Min(100, expectedWithUser), (await ShortIds("is:unresolved has:user")).Length);
    }

    [Fact]
    public async Task IssueIdList_ReturnsExactlyThoseIssues()
    {
        var store = sandbox.Host.State.Store;
        var picked = store.Issues.Where(i => i.Status == "unresolved").Take(3).ToArray();
        var ids = await ShortIds($"issue.id:[{string.Join(",", picked.Select(i => i.Id))}]");
        Assert.Equal(picked.Select(i => i.ShortId).Order(), ids.Order());
        var (response, body) = await sandbox.GetJson(Issues + "?limit=1&query=" + Uri.EscapeDataString($"!issue.id:[{string.Join(",", picked.Select(i => i.Id))}]"));
        var inWindow = store.Read(s => s.Issues.Count(i => i.LastSeen >= DateTimeOffset.UtcNow.AddDays(-90)));
        Assert.Equal((inWindow - 3).ToString(), SandboxFixture.Header(response, "X-Hits"));
        Assert.DoesNotContain(picked[0].ShortId, body.EnumerateArray().Select(r => r.GetProperty("shortId").GetString()));
    }

    [Theory]
    [InlineData("is:for_review")]
    [InlineData("error.type:TypeError")]
    [InlineData("os.name:Linux")]
    public async Task FiltersRealClientsSend_AreAnswered(string query) => Assert.NotEmpty(await ShortIds(query));

    [Theory]
    [InlineData("level:error OR level:fatal")]
    [InlineData("is:nonsense")]
    [InlineData("count():>5")]
    public async Task UnsupportedQuery_Is400WithDetail_NeverAnEmptyList(string query)
    {
        var (response, body) = await sandbox.GetJson(Issues + "?query=" + Uri.EscapeDataString(query));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JsonValueKind.String, body.GetProperty("detail").ValueKind);
    }

    [Fact]
    public async Task BareEventId_IsADirectHitOnItsIssue()
    {
        var e = sandbox.Host.State.Store.Read(s => s.AllEvents.First(x => x.Issue.ShortId == "API-1"));
        var (response, body) = await sandbox.GetJson(Issues + "?query=" + e.EventId);
        Assert.Equal("1", SandboxFixture.Header(response, "X-Sentry-Direct-Hit"));
        Assert.Equal(1, body.GetArrayLength());
        Assert.Equal("API-1", body[0].GetProperty("shortId").GetString());
        Assert.Equal(e.EventId, body[0].GetProperty("matchingEventId").GetString());
        Assert.Equal(e.Environment, body[0].GetProperty("matchingEventEnvironment").GetString());

        // An unknown event id is free text that matches nothing: no direct hit.
        var (miss, none) = await sandbox.GetJson(Issues + "?query=" + new string('0', 32));
        Assert.Equal("", SandboxFixture.Header(miss, "X-Sentry-Direct-Hit"));
        Assert.Equal(0, none.GetArrayLength());
    }

    [Fact]
    public async Task LegacyProjectIssueList_IsScopedToTheProject_AndStatsPeriodIsTheSparkline()
    {
        var (response, body) = await sandbox.GetJson("/api/0/projects/acme/api/issues/?statsPeriod=14d");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(body.EnumerateArray());
        Assert.All(body.EnumerateArray(), r =>
        {
            Assert.Equal("api", r.GetProperty("project").GetProperty("slug").GetString());
            Assert.Equal("unresolved", r.GetProperty("status").GetString());
            Assert.Equal(14, r.GetProperty("stats").GetProperty("14d").GetArrayLength());
        });
        var (bad, error) = await sandbox.GetJson("/api/0/projects/acme/api/issues/?statsPeriod=90d");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("stats_period", error.GetProperty("detail").GetString());
        var (missing, _) = await sandbox.GetJson("/api/0/projects/acme/nope/issues/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var (_, query) = await sandbox.GetJson("/api/0/projects/acme/web/issues/?query=payment_provider%3Astripe");
        Assert.Equal("WEB-1", Assert.Single(query.EnumerateArray()).GetProperty("shortId").GetString());
    }
}

using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SentryRunbook.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed partial class IssueListTests(SandboxFixture sandbox)
{
    private const string Issues = "/api/0/organizations/acme/issues/";

    [Fact]
    public async Task AbsentQuery_DefaultsToUnresolved_EmptyQueryReturnsAllStatuses()
    {
        var (absent, absentBody) = await sandbox.GetJson(Issues);
        var (explicitQuery, _) = await sandbox.GetJson(Issues + "?query=is%3Aunresolved");
        var (empty, _) = await sandbox.GetJson(Issues + "?query=");

        var unresolved = int.Parse(SandboxFixture.Header(absent, "X-Hits"));
        Assert.True(unresolved > 200, $"only {unresolved} unresolved issues");
        Assert.Equal(unresolved, int.Parse(SandboxFixture.Header(explicitQuery, "X-Hits")));
        Assert.True(int.Parse(SandboxFixture.Header(empty, "X-Hits")) > unresolved);
        Assert.All(absentBody.EnumerateArray(), row => Assert.Equal("unresolved", row.GetProperty("status").GetString()));
        Assert.Equal(100, absentBody.GetArrayLength());
    }

    [Fact]
    public async Task LinkHeader_HasSentryFormat_OnFirstPage()
    {
        var (response, _) = await sandbox.GetJson(Issues + "?query=is%3Aunresolved");
        var b = sandbox.Host.BaseUri;
        Assert.Equal(
            $"<{b}{Issues}?query=is%3Aunresolved&cursor=0:0:1>; rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\", " +
            $"<{b}{Issues}?query=is%3Aunresolved&cursor=0:100:0>; rel=\"next\"; results=\"true\"; cursor=\"0:100:0\"",
            SandboxFixture.Header(response, "Link"));
        Assert.Equal("1000", SandboxFixture.Header(response, "X-Max-Hits"));
    }

    [Fact]
    public async Task Paging_FollowsNextUntilResultsFalse()
    {
        var url = sandbox.Host.BaseUri + Issues + "?query=&limit=100&groupStatsPeriod=";
        var ids = new HashSet<string>();
        var pages = 0;
        int hits;
        while (true)
        {
            var response = await sandbox.Client.GetAsync(url);
            hits = int.Parse(SandboxFixture.Header(response, "X-Hits"));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            foreach (var row in doc.RootElement.EnumerateArray()) Assert.True(ids.Add(row.GetProperty("id").GetString()!));
            pages++;
            var next = NextLink().Match(SandboxFixture.Header(response, "Link"));
            Assert.True(next.Success);
            if (next.Groups["results"].Value == "false") break;
            url = next.Groups["url"].Value;
            Assert.True(pages < 20);
        }
        Assert.Equal(hits, ids.Count);
        Assert.True(pages >= 4);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0:100")]
    [InlineData("0:x:0")]
    [InlineData("0:100:0:1")]
    public async Task MalformedCursor_Is400(string cursor)
    {
        var (response, body) = await sandbox.GetJson(Issues + "?cursor=" + Uri.EscapeDataString(cursor));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid cursor parameter.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Counts_AreStrings_UserCountIsNumber()
    {
        var (_, body) = await sandbox.GetJson(Issues + "?limit=5");
        foreach (var row in body.EnumerateArray())
        {
            Assert.Equal(JsonValueKind.String, row.GetProperty("count").ValueKind);
            Assert.Equal(JsonValueKind.String, row.GetProperty("lifetime").GetProperty("count").ValueKind);
            Assert.Equal(JsonValueKind.Number, row.GetProperty("userCount").ValueKind);
            Assert.Equal(JsonValueKind.Null, row.GetProperty("filtered").ValueKind);
            Assert.Equal(24, row.GetProperty("stats").GetProperty("24h").GetArrayLength());
        }
    }

    [Fact]
    public async Task DefaultDateSort_PutsTheCuratedIncidentFirst()
    {
        var (_, body) = await sandbox.GetJson(Issues + "?limit=3&project=web");
        var titles = body.EnumerateArray().Select(r => r.GetProperty("title").GetString()).ToList();
        Assert.Equal("PaymentProcessingError: Stripe webhook payload could not be parsed", titles[0]);
        Assert.Equal("200", body[0].GetProperty("count").GetString());
        Assert.Equal("WEB-1", body[0].GetProperty("shortId").GetString());
    }

    [Fact]
    public async Task GroupStatsPeriod_ControlsStats()
    {
        var (_, daily) = await sandbox.GetJson(Issues + "?limit=1&groupStatsPeriod=14d");
        Assert.Equal(14, daily[0].GetProperty("stats").GetProperty("14d").GetArrayLength());
        var (_, none) = await sandbox.GetJson(Issues + "?limit=1&groupStatsPeriod=");
        Assert.False(none[0].TryGetProperty("stats", out _));
        var (bad, error) = await sandbox.GetJson(Issues + "?groupStatsPeriod=7d");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Invalid stats_period. Valid choices are '', '24h', '14d', and 'auto'", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ShortIdQuery_IsDirectHit_OnlyWithShortIdLookup()
    {
        var (response, body) = await sandbox.GetJson(Issues + "?query=web-1&shortIdLookup=1");
        Assert.Equal("1", SandboxFixture.Header(response, "X-Sentry-Direct-Hit"));
        Assert.Equal(1, body.GetArrayLength());
        Assert.Equal("WEB-1", body[0].GetProperty("shortId").GetString());

        // Without shortIdLookup=1 (REFERENCE.md §2.2/§2.3) the short id is plain free text: no title contains it.
        var (plain, text) = await sandbox.GetJson(Issues + "?query=WEB-1");
        Assert.Equal("", SandboxFixture.Header(plain, "X-Sentry-Direct-Hit"));
        Assert.Equal(0, text.GetArrayLength());
    }

    [Theory]
    [InlineData("limit=0", "Invalid limit value. Must be at least 1.")]
    [InlineData("limit=101", "Invalid per_page value. Cannot exceed 100.")]
    public async Task Limit_OutOfRange_Is400(string query, string detail)
    {
        var (response, body) = await sandbox.GetJson(Issues + "?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Filters_EnvironmentLevelAndText()
    {
        var (_, staging) = await sandbox.GetJson(Issues + "?environment=staging&query=RangeError");
        Assert.Single(staging.EnumerateArray());
        Assert.Equal(JsonValueKind.Object, staging[0].GetProperty("filtered").ValueKind);
        var (_, production) = await sandbox.GetJson(Issues + "?environment=production&query=RangeError");
        Assert.Empty(production.EnumerateArray());

        var (_, fatal) = await sandbox.GetJson(Issues + "?query=" + Uri.EscapeDataString("is:unresolved level:fatal firstSeen:-1h"));
        Assert.Contains(fatal.EnumerateArray(), r => r.GetProperty("shortId").GetString() == "WEB-1");
        Assert.All(fatal.EnumerateArray(), r => Assert.Equal("fatal", r.GetProperty("level").GetString()));

        var (_, release) = await sandbox.GetJson(Issues + "?query=" + Uri.EscapeDataString("release:web@2.4.1 environment:production"));
        Assert.Contains(release.EnumerateArray(), r => r.GetProperty("title").GetString()!.StartsWith("TypeError: Cannot read"));
    }

    [Fact]
    public async Task FreqSort_IsDescendingByCount()
    {
        var (_, body) = await sandbox.GetJson(Issues + "?sort=freq&limit=20");
        var counts = body.EnumerateArray().Select(r => long.Parse(r.GetProperty("count").GetString()!)).ToList();
        Assert.Equal(counts.OrderByDescending(c => c), counts);
        Assert.Equal(900, counts[0]);
    }

    [GeneratedRegex("<(?<url>[^>]+)>; rel=\"next\"; results=\"(?<results>true|false)\"; cursor=\"[^\"]+\"")]
    private static partial Regex NextLink();
}

using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

[Collection(SandboxCollection.Name)]
public sealed class IssueEventsTests(SandboxFixture sandbox)
{
    private const string Issues = "/api/0/organizations/acme/issues/";

    private static void AssertValid(string operationId, JsonElement body)
    {
        var errors = OpenApiValidator.Validate(operationId, body);
        Assert.True(errors.Count == 0, operationId + ":\n" + string.Join("\n", errors.Take(20)));
    }

    [Fact]
    public async Task List_PagesNewestFirst_AndMatchesSchema()
    {
        var (first, page1) = await sandbox.GetJson(Issues + "WEB-1/events/");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(100, page1.GetArrayLength());
        AssertValid("listOrganizationIssueEvents", page1);
        var dates = page1.EnumerateArray().Select(e => DateTimeOffset.Parse(e.GetProperty("dateCreated").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(dates.OrderByDescending(d => d), dates);
        Assert.Contains("cursor=\"0:100:0\"", SandboxFixture.Header(first, "Link"));
        Assert.Contains("rel=\"next\"; results=\"true\"", SandboxFixture.Header(first, "Link"));

        var (second, page2) = await sandbox.GetJson(Issues + "WEB-1/events/?cursor=0:100:0");
        Assert.Equal(100, page2.GetArrayLength());
        Assert.Contains("rel=\"next\"; results=\"false\"", SandboxFixture.Header(second, "Link"));
        var row = page1[0];
        Assert.Equal("error", row.GetProperty("event.type").GetString());
        Assert.Contains(row.GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "environment" && t.GetProperty("value").GetString() == "production");
    }

    [Fact]
    public async Task List_Full_Environment_Query_AndPerPageLimit()
    {
        var (_, full) = await sandbox.GetJson(Issues + "API-1/events/?full=true&per_page=5");
        Assert.Equal(5, full.GetArrayLength());
        Assert.True(full[0].GetProperty("entries").GetArrayLength() >= 2);

        var (_, staging) = await sandbox.GetJson(Issues + "WEB-3/events/?environment=production");
        Assert.Equal(0, staging.GetArrayLength());

        var id = full[3].GetProperty("eventID").GetString();
        var (_, byId) = await sandbox.GetJson(Issues + $"API-1/events/?query={id}");
        Assert.Equal(id, byId.EnumerateArray().Single().GetProperty("id").GetString());

        var (tooMany, error) = await sandbox.GetJson(Issues + "API-1/events/?per_page=101");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("Invalid per_page value. Cannot exceed 100.", error.GetProperty("detail").GetString());

        var (_, window) = await sandbox.GetJson(Issues + "API-2/events/?statsPeriod=1h&per_page=100");
        Assert.All(window.EnumerateArray(), e => Assert.True(DateTimeOffset.Parse(e.GetProperty("dateCreated").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(-1.1)));
    }

    [Fact]
    public async Task Latest_HasFullEntries_AndMatchesSchema()
    {
        var (response, latest) = await sandbox.GetJson(Issues + "WEB-1/events/latest/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertValid("getOrganizationIssueEvent", latest);
        Assert.False(latest.TryGetProperty("environment", out _));
        Assert.Equal(JsonValueKind.Null, latest.GetProperty("nextEventID").ValueKind);
        Assert.Matches("^[0-9a-f]{32}$", latest.GetProperty("previousEventID").GetString());
        Assert.Equal("web@2.4.2", latest.GetProperty("release").GetProperty("version").GetString());

        var entries = latest.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("type").GetString()!, e => e.GetProperty("data"));
        var frames = entries["exception"].GetProperty("values")[0].GetProperty("stacktrace").GetProperty("frames");
        Assert.Equal("handleStripeWebhook", frames[frames.GetArrayLength() - 1].GetProperty("function").GetString());
        Assert.False(frames[0].GetProperty("inApp").GetBoolean());
        Assert.False(entries["exception"].GetProperty("values")[0].GetProperty("mechanism").GetProperty("handled").GetBoolean());
        var crumbs = entries["breadcrumbs"].GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(["http", "console", "json.parse"], crumbs.Select(c => c.GetProperty("category").GetString()));
        Assert.Equal("POST", crumbs[0].GetProperty("data").GetProperty("method").GetString());
        Assert.Equal("2026-10-01", crumbs[0].GetProperty("data").GetProperty("Stripe-Version").GetString());
        Assert.Contains("does not match pinned 2025-06-30", crumbs[1].GetProperty("message").GetString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$", crumbs[0].GetProperty("timestamp").GetString());
        var headers = entries["request"].GetProperty("headers").EnumerateArray().ToList();
        Assert.Contains(headers, h => h[0].GetString() == "Stripe-Version" && h[1].GetString() == "2026-10-01");
        Assert.Contains("payload_sample", latest.GetProperty("context").EnumerateObject().Select(p => p.Name));
        Assert.Equal("os", latest.GetProperty("contexts").GetProperty("os").GetProperty("type").GetString());

        var tags = latest.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString()!).ToList();
        Assert.Equal(tags.Order(StringComparer.Ordinal), tags);
        Assert.Contains("environment", tags);
        Assert.Contains("level", tags);
        Assert.Contains("release", tags);
    }

    [Fact]
    public async Task OldestRecommendedAndById_AreLinked()
    {
        var (_, oldest) = await sandbox.GetJson(Issues + "API-1/events/oldest/");
        Assert.Equal(JsonValueKind.Null, oldest.GetProperty("previousEventID").ValueKind);
        var next = oldest.GetProperty("nextEventID").GetString();
        var (_, second) = await sandbox.GetJson(Issues + $"API-1/events/{next}/");
        Assert.Equal(oldest.GetProperty("id").GetString(), second.GetProperty("previousEventID").GetString());
        var frames = second.GetProperty("entries")[0].GetProperty("data").GetProperty("values")[0].GetProperty("stacktrace").GetProperty("frames");
        Assert.Contains("GeocodingClient.Lookup", frames[frames.GetArrayLength() - 1].GetProperty("function").GetString());
        var crumbs = second.GetProperty("entries")[1].GetProperty("data").GetProperty("values");
        Assert.Contains(crumbs.EnumerateArray(), c => c.GetProperty("data").TryGetProperty("status_code", out var s) && s.GetInt32() == 503
            && c.GetProperty("data").GetProperty("url").GetString()!.StartsWith("https://maps.geocoding-provider.example/v1/geocode", StringComparison.Ordinal));

        var (recommendedResponse, recommended) = await sandbox.GetJson(Issues + "WEB-2/events/recommended/");
        Assert.Equal(HttpStatusCode.OK, recommendedResponse.StatusCode);
        AssertValid("getOrganizationIssueEvent", recommended);

        var (_, project) = await sandbox.GetJson($"/api/0/projects/acme/api/events/{next}/");
        Assert.Equal(next, project.GetProperty("eventID").GetString());
        AssertValid("getProjectEvent", project);
    }

    [Fact]
    public async Task MissingEvents_Are404EventNotFound()
    {
        foreach (var path in new[] { Issues + "WEB-1/events/" + new string('0', 32) + "/", Issues + "WEB-3/events/latest/?environment=production", "/api/0/projects/acme/web/events/" + new string('1', 32) + "/" })
        {
            var (response, body) = await sandbox.GetJson(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("Event not found", body.GetProperty("detail").GetString());
        }
        var (noIssue, _) = await sandbox.GetJson(Issues + "WEB-ZZZZ/events/latest/");
        Assert.Equal(HttpStatusCode.NotFound, noIssue.StatusCode);
    }

    [Fact]
    public async Task MessageEventsAndMisconfiguredSdk_Serialise()
    {
        var (_, worker) = await sandbox.GetJson(Issues + "WORKER-1/events/latest/");
        AssertValid("getOrganizationIssueEvent", worker);
        Assert.Equal(JsonValueKind.Null, worker.GetProperty("release").ValueKind);
        Assert.DoesNotContain(worker.GetProperty("entries").EnumerateArray(), e => e.GetProperty("type").GetString() == "breadcrumbs");
        Assert.DoesNotContain(worker.GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() is "environment" or "release");
    }
}

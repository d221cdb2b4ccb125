using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Notes and activity (REFERENCE.md §5).</summary>
[Collection(MutableCollection.Name)]
public sealed class NoteTests(MutableSandbox sandbox)
{
    [Fact]
    public async Task Note_Is201_DuplicateIs400_ListedNewestFirst_AndInActivity()
    {
        const string notes = "/api/0/organizations/acme/issues/API-1/comments/";
        var text = "Rolled back geocoding provider " + Guid.NewGuid().ToString("N")[..8];
        var (created, note) = await sandbox.Api.Post(notes, JsonSerializer.Serialize(new { text, mentions = new[] { "user:1" } }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("note", note.GetProperty("type").GetString());
        Assert.Equal(text, note.GetProperty("data").GetProperty("text").GetString());
        Assert.False(note.GetProperty("data").TryGetProperty("mentions", out _));
        Assert.Equal("1", note.GetProperty("user").GetProperty("id").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT", note.GetProperty("dateCreated").GetString());

        var (duplicate, error) = await sandbox.Api.Post(notes, JsonSerializer.Serialize(new { text }));
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal("You have already posted that comment.", error.GetProperty("detail").GetString());

        var (_, second) = await sandbox.Api.Post("/api/0/organizations/acme/issues/API-1/notes/", JsonSerializer.Serialize(new { text = text + " (2)" }));
        var (list, items) = await sandbox.Api.Get(notes);
        Assert.Contains("rel=\"next\"", FixtureHeader(list, "Link"));
        Assert.Equal(second.GetProperty("id").GetString(), items[0].GetProperty("id").GetString());
        Assert.Equal(note.GetProperty("id").GetString(), items[1].GetProperty("id").GetString());

        var (_, activity) = await sandbox.Api.Get("/api/0/organizations/acme/issues/API-1/activities/");
        var all = activity.GetProperty("activity").EnumerateArray().ToList();
        Assert.Equal(second.GetProperty("id").GetString(), all[0].GetProperty("id").GetString());
        Assert.Equal("first_seen", all[^1].GetProperty("type").GetString());
        Assert.Contains(all, a => a.GetProperty("type").GetString() == "assigned");
        var dates = all.Select(a => a.GetProperty("dateCreated").GetString()!).ToList();
        Assert.Equal(dates.OrderDescending(StringComparer.Ordinal), dates);

        var (_, issue) = await sandbox.Api.Get("/api/0/organizations/acme/issues/API-1/");
        Assert.Equal(2, issue.GetProperty("numComments").GetInt32());
    }

    [Theory]
    [InlineData("{}", "text", "This field is required.")]
    [InlineData("""{"text":"  "}""", "text", "This field may not be blank.")]
    [InlineData("""{"text":"hi","mentions":["user:42"]}""", "mentions", "Cannot mention a non team member")]
    public async Task InvalidNote_Is400(string body, string field, string message)
    {
        var (response, error) = await sandbox.Api.Post("/api/0/organizations/acme/issues/WEB-3/comments/", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, error.GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task OrgToken_CannotCreateNotes()
    {
        const string orgToken = "sntrys_eyJvcmciOiJhY21lIn0_secret";
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Token = orgToken, Scenario = "empty" });
        using var api = new ActTestClient(host);
        var (response, body) = await api.Post("/api/0/organizations/acme/issues/1/comments/", """{"text":"hello"}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Key doesn't have permission to create Note", body.GetProperty("detail").GetString());
    }

    private static string FixtureHeader(HttpResponseMessage response, string name) => SandboxFixture.Header(response, name);
}

/// <summary>Issue tags (REFERENCE.md §4) on the shared, unmodified seed.</summary>
[Collection(SandboxCollection.Name)]
public sealed class TagTests(SandboxFixture sandbox)
{
    private const string Web1 = "/api/0/organizations/acme/issues/WEB-1/tags/";

    [Fact]
    public async Task AllTags_WithTopValues()
    {
        var (response, body) = await sandbox.GetJson(Web1);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tags = body.EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!);
        Assert.Contains("environment", tags.Keys);
        Assert.Contains("user", tags.Keys);
        Assert.Contains("payment_provider", tags.Keys);
        var release = tags["release"];
        Assert.Equal(("Release", 200, 1), (release.GetProperty("name").GetString(), release.GetProperty("totalValues").GetInt32(), release.GetProperty("uniqueValues").GetInt32()));
        var top = release.GetProperty("topValues")[0];
        Assert.Equal(("release", "web@2.4.2", 200), (top.GetProperty("key").GetString(), top.GetProperty("value").GetString(), top.GetProperty("count").GetInt32()));
        Assert.Equal(10, tags["user"].GetProperty("topValues").GetArrayLength());
        var user = tags["user"].GetProperty("topValues")[0];
        Assert.StartsWith("id:u-", user.GetProperty("value").GetString());
        Assert.Contains("@example.com", user.GetProperty("name").GetString());

        var (_, filtered) = await sandbox.GetJson(Web1 + "?key=user&key=server_name");
        Assert.Equal(["server_name", "user"], filtered.EnumerateArray().Select(t => t.GetProperty("key").GetString()).Order());
        Assert.Equal(9, filtered.EnumerateArray().First(t => t.GetProperty("key").GetString() == "user").GetProperty("topValues").GetArrayLength());
        var (_, limited) = await sandbox.GetJson(Web1 + "?key=user&limit=3");
        Assert.Equal(3, limited[0].GetProperty("topValues").GetArrayLength());

        var (_, staging) = await sandbox.GetJson(Web1 + "?environment=staging");
        Assert.Equal(0, staging.GetArrayLength());
    }

    [Fact]
    public async Task OneKey_And_Values_MatchSchema()
    {
        var (_, key) = await sandbox.GetJson(Web1 + "server_name/");
        Assert.Equal(("server_name", 4, 200), (key.GetProperty("key").GetString(), key.GetProperty("uniqueValues").GetInt32(), key.GetProperty("totalValues").GetInt32()));
        Assert.Empty(OpenApiValidator.Validate("getOrganizationIssueTag", key));
        var (_, user) = await sandbox.GetJson(Web1 + "user/");
        Assert.Equal(9, user.GetProperty("topValues").GetArrayLength());

        var (response, values) = await sandbox.GetJson(Web1 + "user/values/?sort=-count&per_page=5");
        Assert.Equal(5, values.GetArrayLength());
        Assert.Contains("results=\"true\"", SandboxFixture.Header(response, "Link"));
        var counts = values.EnumerateArray().Select(v => v.GetProperty("count").GetInt32()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
        Assert.Equal("user", values[0].GetProperty("key").GetString());
        Assert.Empty(OpenApiValidator.Validate("listOrganizationIssueTagValues", values));

        var (missing, _) = await sandbox.GetJson(Web1 + "nope/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var (missingValues, _) = await sandbox.GetJson(Web1 + "nope/values/");
        Assert.Equal(HttpStatusCode.NotFound, missingValues.StatusCode);
    }
}

/// <summary>Suspect commits (REFERENCE.md §6) for the seeded incidents.</summary>
[Collection(SandboxCollection.Name)]
public sealed class CommitterTests(SandboxFixture sandbox)
{
    private async Task<(HttpResponseMessage, JsonElement)> Committers(string shortId, string project)
    {
        var (_, latest) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{shortId}/events/latest/");
        return await sandbox.GetJson($"/api/0/projects/acme/{project}/events/{latest.GetProperty("eventID").GetString()}/committers/");
    }

    [Fact]
    public async Task Web1_DependencyBump_ViaCommitInRelease()
    {
        var (response, body) = await Committers("WEB-1", "web");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var committer = Assert.Single(body.GetProperty("committers").EnumerateArray());
        Assert.Equal("dana.kim@acme.example", committer.GetProperty("author").GetProperty("email").GetString());
        var commit = Assert.Single(committer.GetProperty("commits").EnumerateArray());
        Assert.Equal("chore(deps): bump stripe from 14.2.0 to 15.0.0", commit.GetProperty("message").GetString());
        Assert.Equal("via commit in release", commit.GetProperty("suspectCommitType").GetString());
        Assert.Equal("acme/web", commit.GetProperty("repository").GetProperty("name").GetString());
        Assert.Matches("^[0-9a-f]{40}$", commit.GetProperty("id").GetString());
        var merged = DateTimeOffset.Parse(commit.GetProperty("dateCreated").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(merged < sandbox.Host.State.Store.CreatedAt - Scenarios.SeedExamples.PaymentReleaseDeployedAgo);
    }

    [Fact]
    public async Task Web2_FieldRename_ViaScmIntegration_WithPullRequest()
    {
        var (_, body) = await Committers("WEB-2", "web");
        var commit = body.GetProperty("committers")[0].GetProperty("commits")[0];
        Assert.Equal("refactor(api): rename totals.total to totals.amount in cart response", commit.GetProperty("message").GetString());
        Assert.Equal("via SCM integration", commit.GetProperty("suspectCommitType").GetString());
        Assert.StartsWith("https://github.com/acme/web/pull/", commit.GetProperty("pullRequest").GetProperty("externalUrl").GetString());
    }

    [Theory]
    [InlineData("API-1", "api")]
    [InlineData("WORKER-1", "worker")]
    [InlineData("WEB-3", "web")]
    public async Task OtherIssues_Are404NoCommittersFound(string shortId, string project)
    {
        var (response, body) = await Committers(shortId, project);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No committers found", body.GetProperty("detail").GetString());
    }
}

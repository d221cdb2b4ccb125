using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Responses checked against the official OpenAPI schema (shared/sentry-api/openapi-derefed.json).</summary>
[Collection(SandboxCollection.Name)]
public sealed class SchemaTests(SandboxFixture sandbox)
{
    private static void AssertValid(string operationId, JsonElement body)
    {
        var errors = OpenApiValidator.Validate(operationId, body);
        Assert.True(errors.Count == 0, operationId + ":\n" + string.Join("\n", errors.Take(20)));
    }

    [Theory]
    [InlineData("?query=")]
    [InlineData("?query=&cursor=0:100:0&groupStatsPeriod=14d")]
    [InlineData("?query=&cursor=0:200:0&groupStatsPeriod=auto&statsPeriod=14d")]
    [InlineData("?query=is%3Aunresolved+level%3Aerror&environment=production&sort=new")]
    public async Task IssueList_MatchesSchema(string query)
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/issues/" + query);
        Assert.True(body.GetArrayLength() > 0);
        AssertValid("listOrganizationIssues", body);
    }

    [Fact]
    public async Task IssueDetail_MatchesSchema_ForEveryStatus()
    {
        var store = sandbox.Host.State.Store;
        var samples = store.Issues.Take(6)
            .Concat(store.Issues.Where(i => i.Status == "resolved").Take(2))
            .Concat(store.Issues.Where(i => i.Status == "ignored").Take(2));
        foreach (var issue in samples)
        {
            var (_, body) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{issue.Id}/");
            AssertValid("getOrganizationIssue", body);
        }
    }

    [Fact]
    public async Task ShortId_MatchesSchema()
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/shortids/WORKER-1/");
        AssertValid("resolveOrganizationShortId", body);
    }

    [Fact]
    public async Task Organizations_MatchSchema()
    {
        AssertValid("getOrganization", (await sandbox.GetJson("/api/0/organizations/acme/")).Body);
        AssertValid("listOrganizations", (await sandbox.GetJson("/api/0/organizations/")).Body);
        AssertValid("listOrganizationProjects", (await sandbox.GetJson("/api/0/organizations/acme/projects/")).Body);
    }

    [Fact]
    public void Validator_CatchesWireMistakes()
    {
        using var doc = JsonDocument.Parse("""{"id": 1, "slug": "acme"}""");
        var errors = OpenApiValidator.Validate("getOrganization", doc.RootElement);
        Assert.Contains(errors, e => e.Contains("$.id: expected string"));
        Assert.Contains(errors, e => e.Contains("missing required 'links'"));
    }
}

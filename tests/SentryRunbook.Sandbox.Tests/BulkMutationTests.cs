using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Bulk PUT (REFERENCE.md §2.4): delta bodies, 204 on no match, multi-project 400, and the search fallback hazard.</summary>
[Collection(MutableCollection.Name)]
public sealed class BulkMutationTests(MutableSandbox sandbox)
{
    private Store.EventStore Store => sandbox.Host.State.Store;

    private List<Model.Issue> Unresolved(string project, int count) =>
        Store.Issues.Where(i => i.Project.Slug == project && i.Status == "unresolved" && i.Id > 4510).TakeLast(count).ToList();

    private static string Ids(IEnumerable<Model.Issue> issues) => string.Join("&", issues.Select(i => "id=" + i.Id));

    [Fact]
    public async Task ResolveInNextRelease_ReturnsNormalisedDelta()
    {
        var issues = Unresolved("web", 2);
        var (response, body) = await sandbox.Api.Put("/api/0/organizations/acme/issues/?" + Ids(issues), """{"status":"resolvedInNextRelease"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("resolved", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("statusDetails").GetProperty("inNextRelease").GetBoolean());
        Assert.Equal("1", body.GetProperty("statusDetails").GetProperty("actor").GetProperty("id").GetString());
        Assert.False(body.TryGetProperty("id", out _)); // a delta, not issues
        Assert.Empty(OpenApiValidator.Validate("updateOrganizationIssues", body));
        Assert.All(issues, i => Assert.Equal(("resolved", "set_resolved_in_release"), (i.Status, i.Activities[^1].Type)));
    }

    [Fact]
    public async Task ProjectVariant_IgnoreWithCount_DeltaCarriesConditions()
    {
        var issues = Unresolved("api", 2);
        var (response, body) = await sandbox.Api.Put("/api/0/projects/acme/api/issues/?" + Ids(issues), """{"status":"ignored","statusDetails":{"ignoreCount":50}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, body.GetProperty("statusDetails").GetProperty("ignoreCount").GetInt32());
        Assert.All(issues, i => Assert.Equal("archived_until_condition_met", i.Substatus));
        Assert.Empty(OpenApiValidator.Validate("updateOrganizationIssues", body));

        // An id of another project is not found through the project route: nothing matched, and the guard query
        // makes the fallback search (on by default, as in Sentry) match nothing either → 204.
        var web = Unresolved("web", 1)[0];
        var (other, _) = await sandbox.Api.Put($"/api/0/projects/acme/api/issues/?id={web.Id}&query=issue.id:{web.Id}", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);
        Assert.Equal("unresolved", web.Status);
    }

    [Fact]
    public async Task NoIdMatches_WithTheIssueIdGuard_Is204WithEmptyBody_AndChangesNothing()
    {
        // The hazard is on by default, as in Sentry: the fallback search runs, and the guard makes it match nothing.
        Assert.True(sandbox.Api.Host.State.Options.BulkFallbackToSearch);
        var before = Store.Issues.Count(i => i.Status == "unresolved");
        var (response, body) = await sandbox.Api.Put("/api/0/organizations/acme/issues/?query=issue.id%3A%5B99999998%2C99999999%5D&id=99999998&id=99999999", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(JsonValueKind.Undefined, body.ValueKind);
        Assert.Equal(before, Store.Issues.Count(i => i.Status == "unresolved"));
    }

    [Theory]
    [InlineData("""{"status":"resolvedInNextRelease"}""", "Cannot set resolved in next release for multiple projects.")]
    [InlineData("""{"status":"resolved","statusDetails":{"inRelease":"latest"}}""", "Cannot set resolved in release for multiple projects.")]
    [InlineData("""{"status":"resolved","statusDetails":{"inCommit":{"commit":"abcdef1","repository":"acme/web"}}}""", "Cannot set resolved in commit for multiple projects.")]
    public async Task ReleaseResolution_AcrossProjects_Is400(string request, string detail)
    {
        var issues = Unresolved("web", 1).Concat(Unresolved("worker", 1)).ToList();
        var (response, body) = await sandbox.Api.Put("/api/0/organizations/acme/issues/?" + Ids(issues), request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
        Assert.All(issues, i => Assert.Equal("unresolved", i.Status));
    }

    [Fact]
    public async Task AlreadyResolved_IsSkippedByResolve()
    {
        var issue = Store.Issues.First(i => i.Status == "resolved" && i.Resolution is null);
        var activities = issue.Activities.Count;
        var (response, _) = await sandbox.Api.Put($"/api/0/organizations/acme/issues/?id={issue.Id}", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(activities, issue.Activities.Count);
    }

    [Fact]
    public async Task OrgToken_CannotMutate()
    {
        const string orgToken = "sntrys_eyJvcmciOiJhY21lIn0_secret";
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Token = orgToken, Scenario = "empty" });
        using var api = new ActTestClient(host);
        var (response, body) = await api.Put("/api/0/organizations/acme/issues/?id=1", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("You do not have permission to perform this action.", body.GetProperty("detail").GetString());
    }
}

/// <summary>
/// The search behind a bulk PUT: without `id` it mutates the query's matches (as Sentry does); with ids none
/// of which exists it answers 204, unless the `bulkFallbackToSearch` hazard is switched on. Each test
/// gets its own small sandbox: these change every unresolved issue.
/// </summary>
public sealed class BulkSearchHazardTests
{
    private static async Task<(SandboxHost Host, ActTestClient Api)> Start(bool fallback = false)
    {
        var host = await SandboxHost.StartAsync(new SandboxOptions { Scenario = "empty", BulkFallbackToSearch = fallback });
        var api = new ActTestClient(host);
        foreach (var text in new[] { "alpha failure", "beta failure", "gamma failure" }) await api.Ingest(text);
        await api.Ingest("delta on staging", environment: "staging");
        return (host, api);
    }

    private static Model.Issue Issue(SandboxHost host, string text) => host.State.Store.Issues.Single(i => i.Title.StartsWith(text, StringComparison.Ordinal));

    [Fact]
    public async Task WithoutId_AppliesToTheQueryMatches()
    {
        var (host, api) = await Start();
        await using var _ = host;
        using var __ = api;
        var (response, body) = await api.Put("/api/0/organizations/acme/issues/?query=" + Uri.EscapeDataString("is:unresolved failure"), """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("resolved", body.GetProperty("status").GetString());
        Assert.All(new[] { "alpha", "beta", "gamma" }, t => Assert.Equal("resolved", Issue(host, t).Status));
        Assert.Equal("unresolved", Issue(host, "delta").Status);

        // No query at all: the default is:unresolved — the staging issue goes too. Nothing left → 204.
        var (all, _) = await api.Put("/api/0/organizations/acme/issues/", """{"status":"ignored"}""");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal("ignored", Issue(host, "delta").Status);
        Assert.Equal("resolved", Issue(host, "alpha").Status);
        var (none, _) = await api.Put("/api/0/organizations/acme/issues/", """{"status":"ignored"}""");
        Assert.Equal(HttpStatusCode.NoContent, none.StatusCode);
    }

    [Fact]
    public async Task UnknownIds_Are204_WithoutTheHazard()
    {
        var (host, api) = await Start();
        await using var _ = host;
        using var __ = api;
        var (response, _) = await api.Put("/api/0/organizations/acme/issues/?id=123456", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.All(host.State.Store.Issues, i => Assert.Equal("unresolved", i.Status));
    }

    [Fact]
    public async Task UnknownIds_FallBackToTheSearch_WithTheHazard_ThroughTheControlEndpoint()
    {
        var (host, api) = await Start();
        await using var _ = host;
        using var __ = api;
        var (control, options) = await api.Put("/sandbox/options", """{"bulkFallbackToSearch":true}""");
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.True(options.GetProperty("bulkFallbackToSearch").GetBoolean());

        var (response, _) = await api.Put("/api/0/organizations/acme/issues/?id=123456", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(host.State.Store.Issues, i => Assert.Equal("resolved", i.Status));

        await api.Put("/sandbox/options/", """{"bulkFallbackToSearch":false}""");
        Assert.False(host.State.Options.BulkFallbackToSearch);
    }

    [Fact]
    public async Task Hazard_FromTheCommandLine_RespectsQueryAndEnvironment()
    {
        var options = SandboxOptions.Parse(["--bulk-fallback-to-search", "--scenario", "empty"], out var error);
        Assert.Null(error);
        Assert.True(options!.BulkFallbackToSearch);
        var (host, api) = await Start(fallback: true);
        await using var _ = host;
        using var __ = api;
        var (response, _) = await api.Put("/api/0/organizations/acme/issues/?id=123456&environment=staging", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("resolved", Issue(host, "delta").Status);
        Assert.Equal("unresolved", Issue(host, "alpha").Status);
    }

    [Fact]
    public async Task ControlEndpoint_RejectsUnknownOptions()
    {
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Scenario = "empty" });
        using var api = new ActTestClient(host);
        var (response, body) = await api.Put("/sandbox/options", """{"chaos":true}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("chaos", body.GetProperty("detail").GetString());
    }
}

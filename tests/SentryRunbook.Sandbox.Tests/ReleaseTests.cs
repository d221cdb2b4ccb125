using System.Globalization;
using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Releases and deploys (REFERENCE.md §7) as seeded: versions increase with time, deploys tell the incident story.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ReleaseTests(SandboxFixture sandbox)
{
    private const string Releases = "/api/0/organizations/acme/releases/";
    private DateTimeOffset Now => sandbox.Host.State.Store.CreatedAt;

    private static void AssertValid(string operationId, JsonElement body)
    {
        var errors = OpenApiValidator.Validate(operationId, body);
        Assert.True(errors.Count == 0, operationId + ":\n" + string.Join("\n", errors.Take(20)));
    }

    private static DateTimeOffset Date(JsonElement e) => DateTimeOffset.Parse(e.GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task List_NewestFirst_IntegerIds_MatchesSchema()
    {
        var (response, body) = await sandbox.GetJson(Releases);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertValid("listOrganizationReleases", body);
        Assert.Equal("web@2.4.2", body[0].GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Number, body[0].GetProperty("id").ValueKind);
        Assert.Equal(1, body[0].GetProperty("projects")[0].GetProperty("id").GetInt64());
        var created = body.EnumerateArray().Select(r => Date(r.GetProperty("dateCreated"))).ToList();
        Assert.Equal(created.OrderDescending(), created);

        var (_, web) = await sandbox.GetJson(Releases + "?project=web&per_page=3");
        Assert.Equal(["web@2.4.2", "web@2.4.1", "web@2.3.9"], web.EnumerateArray().Select(r => r.GetProperty("version").GetString()));
        var (_, api) = await sandbox.GetJson(Releases + "?project=2&query=1.8");
        Assert.Equal(["api@1.8.2", "api@1.8.1", "api@1.8.0"], api.EnumerateArray().Select(r => r.GetProperty("version").GetString()));
        var (_, staging) = await sandbox.GetJson(Releases + "?environment=staging&query=web@2.4");
        Assert.Equal(["web@2.4.1"], staging.EnumerateArray().Select(r => r.GetProperty("version").GetString()));
        var (projectRoute, viaProject) = await sandbox.GetJson("/api/0/projects/acme/worker/releases/?per_page=1");
        // worker@3.4.0: deployed 70 minutes ago, before the nightly export missed its run (SeedMonitors).
        Assert.Equal("worker@3.4.0", viaProject[0].GetProperty("version").GetString());
        Assert.Contains("results=\"true\"", SandboxFixture.Header(projectRoute, "Link"));
        var (tooMany, _) = await sandbox.GetJson(Releases + "?per_page=101");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    [Fact]
    public async Task Deploys_TellTheIncidentStory()
    {
        var (_, good) = await sandbox.GetJson(Releases + "web%402.3.9/");
        Assert.Equal(Now.AddDays(-3), Date(good.GetProperty("lastDeploy").GetProperty("dateFinished")), TimeSpan.FromSeconds(1));

        var (_, cart) = await sandbox.GetJson(Releases + "web@2.4.1/");
        var web2 = sandbox.Host.State.Store.FindByShortId("WEB-2")!;
        Assert.Equal(web2.FirstSeen, Date(cart.GetProperty("lastDeploy").GetProperty("dateFinished")));
        Assert.Equal("production", cart.GetProperty("lastDeploy").GetProperty("environment").GetString());

        var (_, payment) = await sandbox.GetJson(Releases + "web%402.4.2/");
        AssertValid("getOrganizationRelease", payment);
        Assert.Equal(Now.AddMinutes(-20), Date(payment.GetProperty("lastDeploy").GetProperty("dateFinished")), TimeSpan.FromSeconds(1));
        Assert.Equal((1, 2, 1), (payment.GetProperty("newGroups").GetInt32(), payment.GetProperty("commitCount").GetInt32(), payment.GetProperty("deployCount").GetInt32()));
        Assert.True(Date(payment.GetProperty("dateCreated")) > Date(cart.GetProperty("dateCreated")));
        Assert.Equal("chore(deps): bump stripe from 14.2.0 to 15.0.0", payment.GetProperty("lastCommit").GetProperty("message").GetString());
        Assert.True(payment.GetProperty("projects")[0].GetProperty("hasHealthData").GetBoolean());
        Assert.Equal(2, payment.GetProperty("versionInfo").GetProperty("version").GetProperty("patch").GetInt32());

        var (_, api) = await sandbox.GetJson(Releases + "api@1.8.2/deploys/");
        AssertValid("listOrganizationReleaseDeploys", api);
        Assert.Equal(Now.AddHours(-6), Date(api[0].GetProperty("dateFinished")), TimeSpan.FromSeconds(1));
        var (_, api181) = await sandbox.GetJson(Releases + "api@1.8.1/deploys/");
        Assert.Equal(Now.AddDays(-2), Date(api181[0].GetProperty("dateFinished")), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task UnknownRelease_Is404()
    {
        var (detail, _) = await sandbox.GetJson(Releases + "web@2.4.0/");
        Assert.Equal(HttpStatusCode.NotFound, detail.StatusCode);
        var (deploys, _) = await sandbox.GetJson(Releases + "nope/deploys/");
        Assert.Equal(HttpStatusCode.NotFound, deploys.StatusCode);
    }
}

/// <summary>Creating releases and deploys (own sandbox: the shared seed stays as it is).</summary>
[Collection(MutableCollection.Name)]
public sealed class ReleaseWriteTests(MutableSandbox sandbox)
{
    private const string Releases = "/api/0/organizations/acme/releases/";

    [Fact]
    public async Task CreateRelease_201Then208()
    {
        var (created, body) = await sandbox.Api.Post(Releases, """{"version":"web@2.5.0","projects":["web"],"ref":"abc123"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Empty(OpenApiValidator.Validate("createOrganizationRelease", body, "201"));
        Assert.Equal(("web@2.5.0", "abc123"), (body.GetProperty("version").GetString(), body.GetProperty("ref").GetString()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("lastDeploy").ValueKind);

        var (again, existing) = await sandbox.Api.Post(Releases, """{"version":"web@2.5.0","projects":["web","api"]}""");
        Assert.Equal(HttpStatusCode.AlreadyReported, again.StatusCode);
        Assert.Equal(body.GetProperty("id").GetInt64(), existing.GetProperty("id").GetInt64());
        Assert.Equal(2, existing.GetProperty("projects").GetArrayLength());

        var (latest, _) = await sandbox.Api.Get(Releases + "?project=web&per_page=1");
        Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
    }

    [Theory]
    [InlineData("""{"projects":["web"]}""", "version", "This field is required.")]
    [InlineData("""{"version":"web@3"}""", "projects", "This field is required.")]
    [InlineData("""{"version":"web@3","projects":["nope"]}""", "projects", "Invalid project ids or slugs")]
    public async Task CreateRelease_Validation(string request, string field, string message)
    {
        var (response, body) = await sandbox.Api.Post(Releases, request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, body.GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task CreateDeploy_201_UpdatesLastDeploy()
    {
        var (response, deploy) = await sandbox.Api.Post(Releases + "api%401.8.2/deploys/", """{"environment":"staging","name":"canary","url":"https://ci.example.com/run/7"}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(OpenApiValidator.Validate("createOrganizationReleaseDeploy", deploy, "201"));
        Assert.Equal(("staging", "canary"), (deploy.GetProperty("environment").GetString(), deploy.GetProperty("name").GetString()));
        Assert.InRange(DateTimeOffset.Parse(deploy.GetProperty("dateFinished").GetString()!, CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        var (_, release) = await sandbox.Api.Get(Releases + "api@1.8.2/");
        Assert.Equal(deploy.GetProperty("id").GetString(), release.GetProperty("lastDeploy").GetProperty("id").GetString());
        Assert.Equal(2, release.GetProperty("deployCount").GetInt32());
        var (_, list) = await sandbox.Api.Get(Releases + "api@1.8.2/deploys/");
        Assert.Equal(deploy.GetProperty("id").GetString(), list[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task CreateDeploy_Errors()
    {
        var (missing, body) = await sandbox.Api.Post(Releases + "api@1.8.2/deploys/", """{"name":"no env"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("This field is required.", body.GetProperty("environment")[0].GetString());
        var (unknown, _) = await sandbox.Api.Post(Releases + "api@9.9.9/deploys/", """{"environment":"production"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var (badDate, date) = await sandbox.Api.Post(Releases + "api@1.8.2/deploys/", """{"environment":"production","dateFinished":"yesterday"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.StartsWith("Datetime has wrong format.", date.GetProperty("dateFinished")[0].GetString());
    }

    [Fact]
    public async Task OrgToken_CanCreateReleasesAndDeploys()
    {
        const string orgToken = "sntrys_eyJvcmciOiJhY21lIn0_secret";
        await using var host = await SandboxHost.StartAsync(new SandboxOptions { Token = orgToken, Scenario = "empty" });
        using var api = new ActTestClient(host);
        var (release, _) = await api.Post(Releases, """{"version":"web@1.0.0","projects":["web"]}""");
        Assert.Equal(HttpStatusCode.Created, release.StatusCode);
        var (deploy, _) = await api.Post(Releases + "web@1.0.0/deploys/", """{"environment":"production"}""");
        Assert.Equal(HttpStatusCode.Created, deploy.StatusCode);
    }
}

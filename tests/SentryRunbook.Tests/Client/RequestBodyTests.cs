using System.Net;
using SentryRunbook.Abstractions;
using SentryRunbook.Client.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

/// <summary>The exact bodies Sentry expects (REFERENCE.md §2.4–§2.5, §5, §7; the runbook's own curl bodies).</summary>
public class RequestBodyTests
{
    public static TheoryData<StatusChange, string> Bodies => new()
    {
        { new StatusChange { Status = "resolved" }, """{"status":"resolved"}""" },
        { new StatusChange { Status = "resolved", InNextRelease = true }, """{"status":"resolved","statusDetails":{"inNextRelease":true}}""" },
        { new StatusChange { Status = "resolved", InRelease = "web@2.4.2" }, """{"status":"resolved","statusDetails":{"inRelease":"web@2.4.2"}}""" },
        { new StatusChange { Status = "resolved", InRelease = "latest" }, """{"status":"resolved","statusDetails":{"inRelease":"latest"}}""" },
        { new StatusChange { Status = "unresolved" }, """{"status":"unresolved"}""" },
        { new StatusChange { Status = "unresolved", Substatus = "new" }, """{"status":"unresolved","substatus":"new"}""" },
        { new StatusChange { Status = "ignored" }, """{"status":"ignored","statusDetails":{}}""" },
        { new StatusChange { Status = "ignored", UntilEscalating = true }, """{"status":"ignored","substatus":"archived_until_escalating","statusDetails":{}}""" },
        { new StatusChange { Status = "ignored", IgnoreCount = 100 }, """{"status":"ignored","statusDetails":{"ignoreCount":100}}""" },
        { new StatusChange { Status = "ignored", IgnoreCount = 100, IgnoreWindow = 60 }, """{"status":"ignored","statusDetails":{"ignoreCount":100,"ignoreWindow":60}}""" },
        { new StatusChange { Status = "ignored", IgnoreUserCount = 25, IgnoreUserWindow = 1440 }, """{"status":"ignored","statusDetails":{"ignoreUserCount":25,"ignoreUserWindow":1440}}""" },
        { new StatusChange { Status = "ignored", IgnoreDuration = 30 }, """{"status":"ignored","statusDetails":{"ignoreDuration":30}}""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Status_bodies(StatusChange change, string json) => Assert.Equal(json, RequestBodies.StatusChange(change));

    [Fact]
    public void Note_and_deploy_bodies()
    {
        Assert.Equal("""{"text":"Rolled back \u003Cb\u003E"}""", RequestBodies.Note("Rolled back <b>"));
        var deploy = new DeployRequest { Environment = "production", Name = "rollback", DateFinished = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero), Projects = new[] { "web" } };
        Assert.Equal("""{"environment":"production","name":"rollback","dateFinished":"2026-11-28T12:00:00.000Z","projects":["web"]}""", RequestBodies.Deploy(deploy));
    }

    [Fact]
    public async Task A_status_change_uses_the_single_issue_route_never_the_bulk_one()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));
        await client.UpdateIssueStatusAsync("42", new StatusChange { Status = "resolved", InNextRelease = true }, CancellationToken.None);
        HttpRequestMessage request = stub.Requests.Single();
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/api/0/organizations/acme/issues/42/", request.RequestUri!.AbsolutePath);
        Assert.Equal(string.Empty, request.RequestUri.Query);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_status_change_is_retried_after_a_5xx_because_PUT_is_idempotent()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.BadGateway, "bad gateway").ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));
        SentryIssue issue = await client.UpdateIssueStatusAsync("42", new StatusChange { Status = "resolved" }, CancellationToken.None);
        Assert.Equal("42", issue.Id);
        Assert.Equal(2, stub.Requests.Count);
    }
}

using System.Net;
using SentryRunbook.Abstractions;
using SentryRunbook.Client.Json;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

/// <summary>Set-SentryIssue's bodies and routes, against REFERENCE.md §2.4–§2.5.</summary>
public class IssueChangeTests
{
    public static TheoryData<string, IssueChange, string> Bodies => new()
    {
        // name, change, the exact body
        { "priority high", new IssueChange { Priority = "high" }, """{"priority":"high"}""" },
        { "priority medium", new IssueChange { Priority = "medium" }, """{"priority":"medium"}""" },
        { "priority low", new IssueChange { Priority = "low" }, """{"priority":"low"}""" },
        { "a user by id", new IssueChange { AssignedTo = IssueAssignee.User("7") }, """{"assignedTo":"user:7"}""" },
        { "a user by e-mail", new IssueChange { AssignedTo = IssueAssignee.UserByEmail("ada@example.com") }, """{"assignedTo":"ada@example.com"}""" },
        { "a team, by id (Sentry takes no slug)", new IssueChange { AssignedTo = IssueAssignee.Team("9", "billing") }, """{"assignedTo":"team:9"}""" },
        { "me, resolved to the user's id", new IssueChange { AssignedTo = IssueAssignee.User("1", "sandbox@example.com") }, """{"assignedTo":"user:1"}""" },
        { "unassign is an empty string, not null", new IssueChange { AssignedTo = IssueAssignee.Nobody }, """{"assignedTo":""}""" },
        { "priority and assignee together", new IssueChange { Priority = "high", AssignedTo = IssueAssignee.Team("9", "billing") }, """{"priority":"high","assignedTo":"team:9"}""" },
        { "priority and unassign", new IssueChange { Priority = "low", AssignedTo = IssueAssignee.Nobody }, """{"priority":"low","assignedTo":""}""" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Every_variant_sends_only_what_changes(string name, IssueChange change, string json) =>
        Assert.True(json == RequestBodies.IssueChange(change), $"{name}: {RequestBodies.IssueChange(change)}");

    private static SentryIssue Issue(string? priority, SentryActor? assignee) =>
        new("1", "WEB-1", "t", null, "error", "unresolved", "ongoing", "web", "1", null, null, null, 1, 1, null, null, null, false, assignee, Array.Empty<IssueStatPoint>(), priority: priority);

    public static TheoryData<IssueChange, SentryIssue, SentryIssue, string> Transitions => new()
    {
        // the change, the issue before, after, the journal's detail
        { new IssueChange { Priority = "high" }, Issue("medium", null), Issue("high", null), "priority medium -> high" },
        { new IssueChange { Priority = "high" }, Issue(null, null), Issue("high", null), "priority none -> high" },
        { new IssueChange { AssignedTo = IssueAssignee.Team("9", "billing") }, Issue("low", null), Issue("low", new SentryActor("team", "9", "billing", null)), "assignee nobody -> team:9 (#billing)" },
        { new IssueChange { Priority = "low", AssignedTo = IssueAssignee.Nobody }, Issue("high", new SentryActor("user", "1", "Ada", "ada@example.com")), Issue("low", null), "priority high -> low; assignee user:1 (Ada) -> nobody" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void The_journal_says_what_each_change_did_naming_assignees_by_id(IssueChange change, SentryIssue before, SentryIssue after, string detail) =>
        Assert.Equal(detail, change.Transition(before, after));

    public static TheoryData<string, IssueChange, SentryIssue, bool> AlreadySo => new()
    {
        { "same priority", new IssueChange { Priority = "high" }, Issue("high", null), true },
        { "other priority", new IssueChange { Priority = "high" }, Issue("medium", null), false },
        { "no priority sent by Sentry", new IssueChange { Priority = "high" }, Issue(null, null), false },
        { "same team", new IssueChange { AssignedTo = IssueAssignee.Team("9", "billing") }, Issue("low", new SentryActor("team", "9", "billing", null)), true },
        { "a user with the team's id is not the team", new IssueChange { AssignedTo = IssueAssignee.Team("9") }, Issue("low", new SentryActor("user", "9", "Ada", null)), false },
        { "e-mail matches without case", new IssueChange { AssignedTo = IssueAssignee.UserByEmail("Ada@Example.com") }, Issue("low", new SentryActor("user", "3", "Ada", "ada@example.com")), true },
        { "unassign an unassigned issue", new IssueChange { AssignedTo = IssueAssignee.Nobody }, Issue("low", null), true },
        { "unassign an assigned issue", new IssueChange { AssignedTo = IssueAssignee.Nobody }, Issue("low", new SentryActor("user", "3", "Ada", null)), false },
        { "both, one differs", new IssueChange { Priority = "high", AssignedTo = IssueAssignee.Nobody }, Issue("high", new SentryActor("user", "3", "Ada", null)), false },
    };

    [Theory]
    [MemberData(nameof(AlreadySo))]
    public void An_issue_already_so_is_recognised(string name, IssueChange change, SentryIssue issue, bool already) =>
        Assert.True(already == change.HasTakenEffect(issue), name);

    [Fact]
    public async Task One_issue_goes_to_the_single_issue_route_with_the_body()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        string? body = null;
        stub.Then(r => { body = r.Content!.ReadAsStringAsync().Result; return StubHandler.Json(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G")); });
        await client.UpdateIssueAsync("42", new IssueChange { Priority = "high", AssignedTo = IssueAssignee.Team("9") }, CancellationToken.None);
        HttpRequestMessage request = stub.Requests.Single();
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/api/0/organizations/acme/issues/42/", request.RequestUri!.AbsolutePath);
        Assert.Equal("""{"priority":"high","assignedTo":"team:9"}""", body);
    }

    [Fact]
    public async Task Many_issues_go_to_the_bulk_route_with_the_guard_and_the_same_body()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        string? body = null;
        stub.Then(r => { body = r.Content!.ReadAsStringAsync().Result; return StubHandler.Json(HttpStatusCode.OK, """{"priority":"low"}"""); });
        IReadOnlyList<BulkChangeOutcome> outcomes = await client.UpdateIssuesAsync("7", new[] { "11", "12" }, new IssueChange { Priority = "low" }, CancellationToken.None);
        HttpRequestMessage request = stub.Requests.Single();
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/api/0/organizations/acme/issues/", request.RequestUri!.AbsolutePath);
        string query = Uri.UnescapeDataString(request.RequestUri.Query);
        Assert.Contains("query=issue.id:[11,12]", query);
        Assert.Contains("id=11", query);
        Assert.Contains("project=7", query);
        Assert.Equal("""{"priority":"low"}""", body);
        Assert.True(outcomes.Single().Matched);
    }

    [Theory]
    [InlineData("""{"assignedTo":["Cannot assign to non-team member"]}""", "SentryAssigneeNotMember", "Cannot assign to non-team member")]
    [InlineData("""{"assignedTo":["Cannot assign to a team without access to the project"]}""", "SentryAssigneeTeamNoAccess", "team without access")]
    [InlineData("""{"assignedTo":["Cannot assign to a deactivated member"]}""", "SentryAssigneeDeactivated", "deactivated member")]
    [InlineData("""{"assignedTo":["User does not exist"]}""", "SentryAssigneeInvalid", "User does not exist")]
    public async Task Sentrys_refusal_of_an_assignee_keeps_its_words_and_gets_a_stable_id(string body, string errorId, string words)
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.BadRequest, body).ThenJson(HttpStatusCode.BadRequest, body);
        var single = await Assert.ThrowsAsync<SentryApiException>(() => client.UpdateIssueAsync("42", new IssueChange { AssignedTo = IssueAssignee.UserByEmail("x@example.com") }, CancellationToken.None));
        Assert.Equal(errorId, single.ErrorId);
        Assert.Contains(words, single.Message);
        IReadOnlyList<BulkChangeOutcome> bulk = await client.UpdateIssuesAsync("7", new[] { "11", "12" }, new IssueChange { AssignedTo = IssueAssignee.UserByEmail("x@example.com") }, CancellationToken.None);
        Assert.Equal(errorId, bulk.Single().Error!.ErrorId);
    }

    [Fact]
    public async Task A_status_change_keeps_its_plain_bad_request_error()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.BadRequest, """{"detail":"Invalid query. Error getting group ids and group list"}""");
        IReadOnlyList<BulkChangeOutcome> outcomes = await client.UpdateIssueStatusesAsync("7", new[] { "11" }, new StatusChange { Status = "resolved" }, CancellationToken.None);
        Assert.Equal("SentryBadRequest", outcomes.Single().Error!.ErrorId);
    }

    [Fact]
    public async Task Me_is_the_tokens_user_and_an_org_token_gets_its_own_error()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, """{"id":"5","name":"Ada","email":"ada@example.com"}""")
            .ThenJson(HttpStatusCode.BadRequest, """{"detail":"This endpoint requires user info"}""");
        SentryActor me = await client.GetCurrentUserAsync(CancellationToken.None);
        Assert.Equal(("user", "5", "ada@example.com"), (me.Type, me.Id, me.Email));
        Assert.Equal("/api/0/auth/", stub.Requests[0].RequestUri!.AbsolutePath);
        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetCurrentUserAsync(CancellationToken.None));
        Assert.Equal("SentryTokenHasNoUser", error.ErrorId);
    }

    [Fact]
    public async Task Teams_are_read_with_their_slugs()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, """[{"id":"1","slug":"backend","name":"Backend"},{"id":"2","slug":"mobile","name":"Mobile"}]""");
        IReadOnlyList<SentryActor> teams = await client.GetTeamsAsync(CancellationToken.None);
        Assert.Equal(new[] { "backend", "mobile" }, teams.Select(t => t.Name));
        Assert.Equal(new[] { "1", "2" }, teams.Select(t => t.Id));
        Assert.Equal("/api/0/organizations/acme/teams/", stub.Requests.Single().RequestUri!.AbsolutePath);
    }
}

using System.Net;
using System.Text.Json;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Single-issue PUT (REFERENCE.md §2.5): every body variant, the resulting state and activity, and validation errors.</summary>
[Collection(MutableCollection.Name)]
public sealed class IssueMutationTests(MutableSandbox sandbox)
{
    private Store.EventStore Store => sandbox.Host.State.Store;

    /// <summary>A distinct unresolved issue of a project per test, so tests do not see each other's changes.</summary>
    private Issue Pick(string project, int index) =>
        Store.Issues.Where(i => i.Project.Slug == project && i.Status == "unresolved" && i.Id > 4510).Skip(index).First();

    private async Task<JsonElement> Put(Issue issue, string body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (response, json) = await sandbox.Api.Put($"/api/0/organizations/acme/issues/{issue.Id}/", body);
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {json}");
        return json;
    }

    private static void AssertValid(string operationId, JsonElement body)
    {
        var errors = OpenApiValidator.Validate(operationId, body);
        Assert.True(errors.Count == 0, operationId + ":\n" + string.Join("\n", errors.Take(20)));
    }

    private static Activity Last(Issue issue) => issue.Activities[^1];

    [Fact]
    public async Task Resolve_ByShortId_ReturnsFullIssue_AndRecordsSetResolved()
    {
        var issue = Pick("api", 0);
        var (response, body) = await sandbox.Api.Put($"/api/0/organizations/acme/issues/{issue.ShortId.ToLowerInvariant()}/", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(issue.Id.ToString(), body.GetProperty("id").GetString());
        Assert.Equal("resolved", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("substatus").ValueKind);
        Assert.Empty(body.GetProperty("statusDetails").EnumerateObject());
        Assert.False(body.TryGetProperty("activity", out _)); // base object, not the detail
        AssertValid("updateOrganizationIssue", body);
        Assert.Equal(("set_resolved", "1"), (Last(issue).Type, Last(issue).User!.Id));

        // Resolving again changes nothing (already-resolved issues are skipped).
        var count = issue.Activities.Count;
        await Put(issue, """{"status":"resolved"}""");
        Assert.Equal(count, issue.Activities.Count);
    }

    [Theory]
    [InlineData("""{"status":"resolvedInNextRelease"}""")]
    [InlineData("""{"status":"resolved","statusDetails":{"inNextRelease":true}}""")]
    public async Task ResolveInNextRelease_SetsStatusDetails_AndActivity(string request)
    {
        var issue = Pick("web", request.Contains("statusDetails") ? 1 : 0);
        var body = await Put(issue, request);
        Assert.Equal("resolved", body.GetProperty("status").GetString());
        var details = body.GetProperty("statusDetails");
        Assert.True(details.GetProperty("inNextRelease").GetBoolean());
        Assert.Equal("1", details.GetProperty("actor").GetProperty("id").GetString());
        AssertValid("updateOrganizationIssue", body);
        Assert.Equal("set_resolved_in_release", Last(issue).Type);
        Assert.Equal("", Last(issue).Data["version"]);
        Assert.Equal(Store.Read(s => s.Releases.Latest(issue.Project)!.Version), issue.Resolution!.ResolvedAgainst);
    }

    [Theory]
    [InlineData("latest", null)]
    [InlineData("web@2.4.1", "web@2.4.1")]
    public async Task ResolveInRelease_NamedOrLatest(string requested, string? expected)
    {
        var issue = Pick("web", requested == "latest" ? 2 : 3);
        // Another test may create a newer web release in this sandbox: latest is whatever is newest now.
        expected ??= Store.Read(s => s.Releases.Latest(issue.Project)!.Version);
        var body = await Put(issue, $$$"""{"status":"resolved","statusDetails":{"inRelease":"{{{requested}}}"}}""");
        Assert.Equal(expected, body.GetProperty("statusDetails").GetProperty("inRelease").GetString());
        Assert.Equal(("set_resolved_in_release", expected), (Last(issue).Type, Last(issue).Data["version"]));
        Assert.Equal(expected, issue.Resolution!.InRelease);
    }

    [Fact]
    public async Task ResolveInRelease_UnknownVersion_Is400FieldError()
    {
        var issue = Pick("web", 4);
        var body = await Put(issue, """{"status":"resolved","statusDetails":{"inRelease":"web@9.9.9"}}""", HttpStatusCode.BadRequest);
        Assert.Equal("Unable to find a release with the given version.", body.GetProperty("statusDetails").GetProperty("inRelease")[0].GetString());
        Assert.Equal("unresolved", issue.Status);
    }

    [Fact]
    public async Task ResolveInCommit_RecordsTheCommit()
    {
        var issue = Pick("web", 5);
        var sha = Store.CommitsOf("web@2.4.1")[0].Id;
        var body = await Put(issue, $$$$"""{"status":"resolved","statusDetails":{"inCommit":{"commit":"{{{{sha}}}}","repository":"acme/web"}}}""");
        Assert.Equal(sha, body.GetProperty("statusDetails").GetProperty("inCommit").GetProperty("id").GetString());
        Assert.Equal(("set_resolved_in_commit", sha), (Last(issue).Type, Last(issue).Data["commit"]));
        var (_, bad) = await sandbox.Api.Put($"/api/0/organizations/acme/issues/{Pick("web", 6).Id}/",
            """{"status":"resolved","statusDetails":{"inCommit":{"commit":"abc1234","repository":"acme/nope"}}}""");
        Assert.Equal("Unable to find the given repository.", bad.GetProperty("statusDetails").GetProperty("inCommit")[0].GetString());
    }

    [Fact]
    public async Task Unresolve_GoesOngoing_WithSetUnresolved()
    {
        var issue = Pick("worker", 0);
        await Put(issue, """{"status":"resolved"}""");
        var body = await Put(issue, """{"status":"unresolved"}""");
        Assert.Equal(("unresolved", "ongoing"), (body.GetProperty("status").GetString(), body.GetProperty("substatus").GetString()));
        Assert.Equal("set_unresolved", Last(issue).Type);
        AssertValid("updateOrganizationIssue", body);
    }

    [Fact]
    public async Task Ignore_WithoutDetails_IsArchivedForever()
    {
        var issue = Pick("worker", 1);
        var body = await Put(issue, """{"status":"ignored"}""");
        Assert.Equal(("ignored", "archived_forever"), (body.GetProperty("status").GetString(), body.GetProperty("substatus").GetString()));
        Assert.Empty(body.GetProperty("statusDetails").EnumerateObject());
        Assert.Equal("set_ignored", Last(issue).Type);
        Assert.Equal("false", Last(issue).Data["ignoreUntilEscalating"]);
    }

    [Theory]
    [InlineData("""{"status":"ignored","substatus":"archived_until_escalating"}""")]
    [InlineData("""{"status":"muted","statusDetails":{"ignoreUntilEscalating":true}}""")]
    [InlineData("""{"substatus":"archived_until_escalating"}""")]
    public async Task Ignore_UntilEscalating(string request)
    {
        var index = request.StartsWith("""{"substatus""", StringComparison.Ordinal) ? 2 : request.Contains("muted") ? 3 : 4;
        var issue = Pick("worker", index);
        var body = await Put(issue, request);
        Assert.Equal(("ignored", "archived_until_escalating"), (body.GetProperty("status").GetString(), body.GetProperty("substatus").GetString()));
        Assert.Equal("true", Last(issue).Data["ignoreUntilEscalating"]);
        AssertValid("updateOrganizationIssue", body);
    }

    [Fact]
    public async Task Ignore_UntilCountInWindow_IsConditionMet_WithDetailsAndNumericActivityData()
    {
        var issue = Pick("api", 1);
        var body = await Put(issue, """{"status":"ignored","statusDetails":{"ignoreCount":100,"ignoreWindow":60}}""");
        Assert.Equal("archived_until_condition_met", body.GetProperty("substatus").GetString());
        var details = body.GetProperty("statusDetails");
        Assert.Equal((100, 60), (details.GetProperty("ignoreCount").GetInt32(), details.GetProperty("ignoreWindow").GetInt32()));
        Assert.Equal("Sandbox User", details.GetProperty("actor").GetProperty("name").GetString());
        AssertValid("updateOrganizationIssue", body);

        var (_, activity) = await sandbox.Api.Get($"/api/0/organizations/acme/issues/{issue.Id}/activities/");
        var ignored = activity.GetProperty("activity")[0];
        Assert.Equal("set_ignored", ignored.GetProperty("type").GetString());
        Assert.Equal(100, ignored.GetProperty("data").GetProperty("ignoreCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, ignored.GetProperty("data").GetProperty("ignoreDuration").ValueKind);
    }

    [Fact]
    public async Task Ignore_UserCount_Duration_AndLegacyTopLevelKeys()
    {
        var users = await Put(Pick("api", 2), """{"status":"ignored","statusDetails":{"ignoreUserCount":10,"ignoreUserWindow":1440}}""");
        Assert.Equal("archived_until_condition_met", users.GetProperty("substatus").GetString());
        Assert.Equal(10, users.GetProperty("statusDetails").GetProperty("ignoreUserCount").GetInt32());
        Assert.Equal(1440, users.GetProperty("statusDetails").GetProperty("ignoreUserWindow").GetInt32());

        var before = DateTimeOffset.UtcNow;
        var duration = await Put(Pick("api", 3), """{"status":"ignored","statusDetails":{"ignoreDuration":30}}""");
        var until = DateTimeOffset.Parse(duration.GetProperty("statusDetails").GetProperty("ignoreUntil").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(until, before.AddMinutes(29.9), DateTimeOffset.UtcNow.AddMinutes(30.1));

        var legacy = await Put(Pick("api", 4), """{"status":"ignored","ignoreCount":5}""");
        Assert.Equal(5, legacy.GetProperty("statusDetails").GetProperty("ignoreCount").GetInt32());
        var snooze = await Put(Pick("api", 5), """{"status":"ignored","snoozeDuration":60}""");
        Assert.True(snooze.GetProperty("statusDetails").TryGetProperty("ignoreUntil", out _));
    }

    [Theory]
    [InlineData("""{"status":"x"}""", "status", "\"x\" is not a valid choice.")]
    [InlineData("""{"substatus":"sleeping"}""", "substatus", "\"sleeping\" is not a valid choice.")]
    [InlineData("""{"priority":"urgent"}""", "priority", "\"urgent\" is not a valid choice.")]
    [InlineData("""{"status":"ignored","ignoreWindow":10081,"ignoreCount":3}""", "ignoreWindow", "Ensure this value is less than or equal to 10080.")]
    [InlineData("""{"status":"ignored","ignoreCount":"many"}""", "ignoreCount", "A valid integer is required.")]
    [InlineData("""{"isBookmarked":"maybe"}""", "isBookmarked", "Must be a valid boolean.")]
    [InlineData("""{"assignedTo":"nobody@example.com"}""", "assignedTo", "User does not exist")]
    [InlineData("""{"assignedTo":"olive@example.com"}""", "assignedTo", "Cannot assign to non-team member")]
    [InlineData("""{"assignedTo":"user:2"}""", "assignedTo", "Cannot assign to non-team member")]
    [InlineData("""{"assignedTo":"team:2"}""", "assignedTo", "Cannot assign to a team without access to the project")]
    [InlineData("""{"assignedTo":"team:99"}""", "assignedTo", "Team does not exist")]
    public async Task Validation_Is400FieldMap(string request, string field, string message)
    {
        var issue = Pick("worker", 5);
        var body = await Put(issue, request, HttpStatusCode.BadRequest);
        Assert.Equal(message, body.GetProperty(field)[0].GetString());
        Assert.Equal("unresolved", issue.Status);
    }

    [Theory]
    [InlineData("ignoreWindow", 10081)]
    [InlineData("ignoreUserWindow", 20000)]
    public async Task Validation_WindowsAbove10080_AreNestedUnderStatusDetails(string key, int value)
    {
        var count = key == "ignoreWindow" ? "ignoreCount" : "ignoreUserCount";
        var body = await Put(Pick("worker", 5), $$$"""{"status":"ignored","statusDetails":{"{{{count}}}":5,"{{{key}}}":{{{value}}}}}""", HttpStatusCode.BadRequest);
        Assert.Equal("Ensure this value is less than or equal to 10080.", body.GetProperty("statusDetails").GetProperty(key)[0].GetString());
    }

    [Fact]
    public async Task AssignPriorityAndFlags()
    {
        var issue = Pick("worker", 6);
        var body = await Put(issue, """{"assignedTo":"user:1","priority":"high","isBookmarked":true,"hasSeen":true,"isPublic":true}""");
        Assert.Equal("user", body.GetProperty("assignedTo").GetProperty("type").GetString());
        Assert.Equal("high", body.GetProperty("priority").GetString());
        Assert.NotEqual(JsonValueKind.Null, body.GetProperty("priorityLockedAt").ValueKind);
        Assert.True(body.GetProperty("isBookmarked").GetBoolean() && body.GetProperty("hasSeen").GetBoolean() && body.GetProperty("isPublic").GetBoolean());
        Assert.Equal(32, body.GetProperty("shareId").GetString()!.Length);
        AssertValid("updateOrganizationIssue", body);
        Assert.Contains(issue.Activities, a => a.Type == "assigned" && a.Data["assignee"] == "1");
        Assert.Contains(issue.Activities, a => a.Type == "set_priority");

        var team = await Put(issue, """{"assignedTo":"team:1"}""");
        Assert.Equal("team", team.GetProperty("assignedTo").GetProperty("type").GetString());
        var none = await Put(issue, """{"assignedTo":""}""");
        Assert.Equal(JsonValueKind.Null, none.GetProperty("assignedTo").ValueKind);
        Assert.Equal("unassigned", Last(issue).Type);
    }

    [Fact]
    public async Task UnknownIssue_Is404()
    {
        var (response, _) = await sandbox.Api.Put("/api/0/organizations/acme/issues/99999999/", """{"status":"resolved"}""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

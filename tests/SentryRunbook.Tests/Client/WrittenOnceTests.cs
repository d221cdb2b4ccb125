using System.Net;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

/// <summary>
/// Notes and deploys are written once by the client: after a POST whose outcome is unknown it looks before it
/// writes again. A scripted handler answers and counts every request.
/// </summary>
public class WrittenOnceTests
{
    private static readonly DateTimeOffset Now = ClientFixture.Now;

    private static string Activity(string text, DateTimeOffset created) =>
        "{\"activity\":[{\"id\":\"9\",\"type\":\"note\",\"dateCreated\":\"" + created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ") + "\",\"user\":{\"name\":\"Ada\"},\"data\":{\"text\":\"" + text + "\"}}]}";

    private static string Note(string text) =>
        "{\"id\":\"10\",\"type\":\"note\",\"dateCreated\":\"2026-11-28T12:00:00Z\",\"user\":{\"name\":\"Ada\"},\"data\":{\"text\":\"" + text + "\"}}";

    private static int Posts(StubHandler stub) => stub.Requests.Count(r => r.Method == HttpMethod.Post);

    [Fact]
    public async Task A_note_whose_POST_failed_but_was_stored_is_not_posted_again()
    {
        var (client, stub, _, log) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.ServiceUnavailable, "{\"detail\":\"down\"}").ThenJson(HttpStatusCode.OK, Activity("rolled back", Now));

        SentryActivity note = await client.AddNoteAsync("1", "rolled back", CancellationToken.None);

        Assert.Equal("rolled back", note.Text);
        Assert.Equal(1, Posts(stub));
        Assert.Equal(2, stub.Requests.Count);
        Assert.Contains(log, l => l.Contains("not writing it again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_note_whose_POST_failed_and_was_not_stored_is_posted_again()
    {
        var (client, stub, _, log) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.BadGateway, "bad gateway").ThenJson(HttpStatusCode.OK, "{\"activity\":[]}").ThenJson(HttpStatusCode.Created, Note("rolled back"));

        SentryActivity note = await client.AddNoteAsync("1", "rolled back", CancellationToken.None);

        Assert.Equal("rolled back", note.Text);
        Assert.Equal(2, Posts(stub));
        Assert.Contains(log, l => l.Contains("writing it again (2/4)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_older_note_with_the_same_text_is_not_taken_for_this_one()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.ServiceUnavailable, "down").ThenJson(HttpStatusCode.OK, Activity("Resolve: hotfix", Now.AddHours(-3))).ThenJson(HttpStatusCode.Created, Note("Resolve: hotfix"));

        await client.AddNoteAsync("1", "Resolve: hotfix", CancellationToken.None);

        Assert.Equal(2, Posts(stub));
    }

    [Fact]
    public async Task A_client_error_on_a_note_is_not_retried()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.Forbidden, "{\"detail\":\"You do not have permission\"}");

        await Assert.ThrowsAsync<SentryApiException>(() => client.AddNoteAsync("1", "x", CancellationToken.None));

        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task A_duplicate_note_returns_the_earlier_one_and_is_its_own_error_when_that_is_gone()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.BadRequest, """{"detail":"You have already posted that comment."}""").ThenJson(HttpStatusCode.OK, Activity("same", Now.AddMinutes(-30)));
        SentryActivity earlier = await client.AddNoteAsync("42", "same", CancellationToken.None);
        Assert.Equal("9", earlier.Id);

        stub.ThenJson(HttpStatusCode.BadRequest, """{"detail":"You have already posted that comment."}""").ThenJson(HttpStatusCode.OK, "{\"activity\":[]}");
        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.AddNoteAsync("42", "same", CancellationToken.None));
        Assert.Equal("SentryNoteDuplicate", error.ErrorId);
        Assert.Equal(2, Posts(stub));   // one each: a duplicate is never posted again
    }

    [Fact]
    public async Task A_deploy_whose_POST_failed_but_was_stored_is_not_created_again()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        var wanted = new DeployRequest { Environment = "production", Name = "rollback", DateFinished = Now };
        stub.ThenJson((HttpStatusCode)429, "\"slow down\"")
            .ThenJson(HttpStatusCode.OK, "[{\"id\":\"7\",\"environment\":\"production\",\"name\":\"rollback\",\"dateFinished\":\"2026-11-28T12:00:00.300Z\"}]");

        SentryDeploy deploy = await client.CreateDeployAsync("web@2.4.1", wanted, CancellationToken.None);

        Assert.Equal("7", deploy.Id);
        Assert.Equal(1, Posts(stub));
    }

    [Fact]
    public async Task A_deploy_gives_up_after_four_unknown_outcomes()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        for (int i = 0; i < 4; i++) stub.ThenJson(HttpStatusCode.InternalServerError, "{}").ThenJson(HttpStatusCode.OK, "[]");

        await Assert.ThrowsAsync<SentryApiException>(() => client.CreateDeployAsync("v", new DeployRequest { Environment = "production", DateFinished = Now }, CancellationToken.None));

        Assert.Equal(4, Posts(stub));
        Assert.Equal(8, stub.Requests.Count);
    }

    [Fact]
    public async Task A_deploy_without_a_finish_time_cannot_be_recognised_and_is_refused()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateDeployAsync("v", new DeployRequest { Environment = "production" }, CancellationToken.None));
        Assert.Empty(stub.Requests);
    }
}

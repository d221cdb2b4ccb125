using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>Commits, repositories and pull requests as Sentry's CommitSerializer writes them (REFERENCE.md §6).</summary>
public static class CommitWriter
{
    public static JsonObject Repository(Repository r) => new()
    {
        ["id"] = r.Id,
        ["name"] = r.Name,
        ["url"] = r.Url,
        ["provider"] = new JsonObject { ["id"] = "integrations:github", ["name"] = "GitHub" },
        ["status"] = "active",
        ["dateCreated"] = Dates.Iso(r.DateCreated),
        ["integrationId"] = "1",
        ["externalSlug"] = r.Name,
        ["externalId"] = "7" + r.Id.PadLeft(8, '0'),
    };

    /// <summary>A commit without its author (how committers list them).</summary>
    public static JsonObject Commit(Commit c) => new()
    {
        ["id"] = c.Id,
        ["message"] = c.Message,
        ["dateCreated"] = Dates.Iso(c.DateCreated),
        ["pullRequest"] = c.PullRequest is { } pr ? PullRequest(pr, c.Repository) : null,
        ["repository"] = Repository(c.Repository),
        ["releases"] = new JsonArray(),
    };

    public static JsonObject WithAuthor(Commit c, DateTimeOffset joined)
    {
        var o = Commit(c);
        o["author"] = Author(c.Author, joined);
        return o;
    }

    /// <summary>A member as a full user object, anyone else as `{name, email}`.</summary>
    public static JsonObject Author(CommitAuthor a, DateTimeOffset joined) =>
        a.UserId is { } id
            ? UserWriter.Full(new Assignee("user", id, a.Name, a.Email), joined)!
            : new JsonObject { ["name"] = a.Name, ["email"] = a.Email };

    private static JsonObject PullRequest(PullRequest pr, Repository repo) => new()
    {
        ["id"] = pr.Id,
        ["title"] = pr.Title,
        ["message"] = pr.Title,
        ["dateCreated"] = Dates.Iso(pr.DateCreated),
        ["repository"] = Repository(repo),
        ["externalUrl"] = pr.ExternalUrl,
    };
}

namespace SentryRunbook.Sandbox.Model;

/// <summary>
/// An archive (ignore) with conditions, like Sentry's GroupSnooze: the issue comes back when any
/// condition is met. Counted from the moment of archiving: `Count` more events (within `Window`
/// minutes of each other when set), `UserCount` new distinct users (or distinct users within
/// `UserWindow` minutes), or the `Until` instant passing. Mutated under the store lock only.
/// </summary>
public sealed class Snooze
{
    public required DateTimeOffset At { get; init; }
    public DateTimeOffset? Until { get; init; }
    public int? Duration { get; init; }
    public int? Count { get; init; }
    public int? Window { get; init; }
    public int? UserCount { get; init; }
    public int? UserWindow { get; init; }
    /// <summary>The event and user totals when it was archived.</summary>
    public long CountAtSnooze { get; init; }
    public int UsersAtSnooze { get; init; }

    /// <summary>Arrival instants of events since archiving (only kept when a count window is set).</summary>
    internal List<DateTimeOffset> Arrivals { get; } = [];
    /// <summary>User → latest arrival since archiving (only kept when a user window is set).</summary>
    internal Dictionary<string, DateTimeOffset> UserArrivals { get; } = new(StringComparer.Ordinal);

    public bool HasCondition => Until is not null || Count is not null || UserCount is not null;
}

public sealed record Repository(string Id, string Name, string Url, DateTimeOffset DateCreated);

/// <summary>A commit author: a member (with Sentry user id) or just a name and an email.</summary>
public sealed record CommitAuthor(string Name, string Email, string? UserId = null, string? Username = null);

public sealed record PullRequest(string Id, string Title, string ExternalUrl, DateTimeOffset DateCreated);

public sealed record Commit(string Id, Repository Repository, string Message, CommitAuthor Author, DateTimeOffset DateCreated, PullRequest? PullRequest = null);

/// <summary>A commit Sentry points at for an issue; `Type` is "via commit in release" or "via SCM integration".</summary>
public sealed record SuspectCommit(Commit Commit, string Type, int? Score);

public sealed record Deploy(
    long Id,
    string Version,
    string Environment,
    string? Name,
    string? Url,
    DateTimeOffset? DateStarted,
    DateTimeOffset DateFinished,
    IReadOnlyList<string> ProjectIds);

namespace SentryRunbook.Sandbox.Model;

public sealed record Organization(string Id, string Slug, string Name, DateTimeOffset DateCreated);

public sealed record Team(string Id, string Slug, string Name);

/// <summary>A project; `PublicKey` is the DSN key (32 hex) its SDKs authenticate ingest with.</summary>
public sealed record Project(string Id, string Slug, string Name, string? Platform, DateTimeOffset DateCreated, Team Team, string PublicKey);

/// <summary>`assignedTo`: a user (with email) or a team (without).</summary>
public sealed record Assignee(string Type, string Id, string Name, string? Email);

/// <summary>Issue metadata as Sentry derives it: type/value for errors, only a title for message events.</summary>
public sealed record IssueMetadata(string? Type, string? Value, string? Filename, string? Function, string Title);

/// <summary>One entry of an issue's activity log (`first_seen`, `set_regression`, `set_resolved`, …).</summary>
public sealed record Activity(long Id, string Type, DateTimeOffset DateCreated, IReadOnlyDictionary<string, string?> Data, Assignee? User);

/// <summary>How a resolved issue was resolved; decides whether a new event regresses it.</summary>
/// <param name="InNextRelease">Resolved "in the next release": `ResolvedAgainst` was the newest release at that moment.</param>
/// <param name="InRelease">Resolved in this named release.</param>
/// <param name="ResolvedAgainst">The release current when resolving in the next release (null: none existed).</param>
public sealed record Resolution(bool InNextRelease, string? InRelease, string? ResolvedAgainst);

/// <summary>A release, created on first sight of its version (or registered ahead by a scenario).</summary>
public sealed class Release
{
    public required string Version { get; init; }
    public required long Id { get; init; }
    /// <summary>Creation sequence; with DateCreated it orders releases for resolve-in-release rules.</summary>
    public required long Sequence { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    public HashSet<string> ProjectIds { get; } = new(StringComparer.Ordinal);
    public DateTimeOffset? FirstEvent { get; internal set; }
    public DateTimeOffset? LastEvent { get; internal set; }
    public int NewGroups { get; internal set; }
    public string? Ref { get; internal set; }
    public string? Url { get; internal set; }
    public DateTimeOffset? DateReleased { get; internal set; }
    /// <summary>Environments its events were seen in.</summary>
    public HashSet<string> Environments { get; } = new(StringComparer.Ordinal);

    public string ShortVersion
    {
        get
        {
            var at = Version.IndexOf('@', StringComparison.Ordinal);
            return at >= 0 ? Version[(at + 1)..] : Version;
        }
    }
}

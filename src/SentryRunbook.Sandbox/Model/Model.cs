namespace SentryRunbook.Sandbox.Model;

public sealed record Organization(string Id, string Slug, string Name, DateTimeOffset DateCreated);

public sealed record Team(string Id, string Slug, string Name);

public sealed record Project(string Id, string Slug, string Name, string? Platform, DateTimeOffset DateCreated, Team Team);

/// <summary>`assignedTo`: a user (with email) or a team (without).</summary>
public sealed record Assignee(string Type, string Id, string Name, string? Email);

public sealed record IssueMetadata(string Type, string Value, string? Filename, string? Function);

/// <summary>A number of events received at one instant; stats buckets are summed from these now-relative.</summary>
public sealed record EventBatch(DateTimeOffset At, long Count);

public sealed class Issue
{
    public required long Id { get; init; }
    public required Project Project { get; init; }
    public required string ShortId { get; init; }
    public required IssueMetadata Metadata { get; init; }
    public required string? Culprit { get; init; }
    public required string Level { get; init; }
    public required string Status { get; init; }
    public required string? Substatus { get; init; }
    public required string? Priority { get; init; }
    public required bool IsUnhandled { get; init; }
    public required string? Environment { get; init; }
    public required string? FirstRelease { get; init; }
    public required string? LastRelease { get; init; }
    public required int UserCount { get; init; }
    public required Assignee? AssignedTo { get; init; }
    public required IReadOnlyList<EventBatch> Batches { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public required long Count { get; init; }
    /// <summary>When the status last changed (resolved/ignored); drives the activity list.</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }

    public string Title => Metadata.Value.Length == 0 ? Metadata.Type : $"{Metadata.Type}: {Metadata.Value}";
}

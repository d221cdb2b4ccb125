namespace SentryRunbook.Sandbox.Model;

/// <summary>Count and first/last sighting of one tag value within an issue.</summary>
public sealed class TagValueStats(DateTimeOffset seen)
{
    public long Count { get; internal set; }
    public DateTimeOffset FirstSeen { get; internal set; } = seen;
    public DateTimeOffset LastSeen { get; internal set; } = seen;
}

/// <summary>
/// An issue: an aggregate derived from its events. Counters are maintained by EventStore as events
/// arrive, so list queries never scan events. Mutated only under the store's lock; readers take the
/// same lock (EventStore.Read) before touching the collections.
/// </summary>
public sealed class Issue
{
    private readonly HashSet<string> _users = new(StringComparer.Ordinal);
    private readonly HashSet<string> _environments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _releases = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _minuteCounts = [];
    private readonly List<ErrorEvent> _events = [];
    private readonly List<Activity> _activities = [];
    private readonly Dictionary<string, Dictionary<string, TagValueStats>> _tags = new(StringComparer.Ordinal);

    public required long Id { get; init; }
    public required Project Project { get; init; }
    public required string ShortId { get; init; }
    public required string Hash { get; init; }

    // From the latest event, like Sentry updates group data on each event.
    public IssueMetadata Metadata { get; internal set; } = null!;
    public string? Culprit { get; internal set; }
    public string Level { get; internal set; } = "error";
    public string Platform { get; internal set; } = "other";
    public string? Logger { get; internal set; }
    public string Type { get; internal set; } = "error";
    /// <summary>The group type's slug: `error`, or an occurrence's (monitor_check_in_failure, uptime_domain_failure).</summary>
    public string IssueType { get; internal set; } = "error";
    /// <summary>`error`, or an occurrence's category (`cron`, `uptime`).</summary>
    public string IssueCategory { get; internal set; } = "error";

    public string Status { get; internal set; } = "unresolved";
    /// <summary>An explicit substatus (regressed, escalating, archived_…); null means derived (new/ongoing).</summary>
    public string? SubstatusOverride { get; internal set; }
    public Resolution? Resolution { get; internal set; }
    public DateTimeOffset? StatusChangedAt { get; internal set; }
    public string? Priority { get; internal set; }
    public DateTimeOffset? PriorityLockedAt { get; internal set; }
    public Assignee? AssignedTo { get; internal set; }
    /// <summary>Seer's summary of the issue, when the scenario gives it one; without it the organization answers as one without Seer.</summary>
    public SeerSummary? SeerSummary { get; internal set; }
    /// <summary>Archive conditions while ignored until a condition is met; null otherwise.</summary>
    public Snooze? Snooze { get; internal set; }
    /// <summary>Who set the current status (statusDetails.actor); null for automatic changes.</summary>
    public Assignee? StatusActor { get; internal set; }
    /// <summary>The commit a resolve-in-commit named.</summary>
    public Commit? ResolvedInCommit { get; internal set; }
    // Per acting user in Sentry; the sandbox has one user, so these are plain flags.
    public bool IsBookmarked { get; internal set; }
    public bool HasSeen { get; internal set; }
    /// <summary>Explicit subscription; null = derived (subscribed when assigned to the user).</summary>
    public bool? IsSubscribed { get; internal set; }
    public string? ShareId { get; internal set; }
    public int NumComments => _activities.Count(a => a.Type == "note");

    public long Count { get; internal set; }
    public int UserCount => _users.Count;
    public bool IsUnhandled { get; internal set; }
    public DateTimeOffset FirstSeen { get; internal set; }
    public DateTimeOffset LastSeen { get; internal set; }
    public string? FirstRelease { get; internal set; }
    public string? LastRelease { get; internal set; }

    public IReadOnlySet<string> Users => _users;
    public IReadOnlySet<string> Environments => _environments;
    public IReadOnlySet<string> Releases => _releases;
    /// <summary>Events per minute, keyed by Unix minute: sparklines and events-stats without scanning events.</summary>
    public IReadOnlyDictionary<long, int> MinuteCounts => _minuteCounts;
    /// <summary>Events sorted by timestamp, oldest first.</summary>
    public IReadOnlyList<ErrorEvent> Events => _events;
    /// <summary>Oldest first (the first entry is first_seen).</summary>
    public IReadOnlyList<Activity> Activities => _activities;
    /// <summary>Tag key → value → count/first/last seen, over all events of the issue.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, TagValueStats>> TagValues => _tags;

    public string Title => Metadata.Title;

    /// <summary>`new` for 7 days after first seen, then `ongoing`, unless something set it explicitly.</summary>
    public string? Substatus => Status switch
    {
        "unresolved" => SubstatusOverride ?? (FirstSeen > DateTimeOffset.UtcNow.AddDays(-7) ? "new" : "ongoing"),
        "ignored" => SubstatusOverride ?? "archived_forever",
        _ => null,
    };

    internal void Add(ErrorEvent e)
    {
        var i = _events.Count;
        // Events mostly arrive in time order: scan back from the end for the insertion point.
        while (i > 0 && Compare(_events[i - 1], e) > 0) i--;
        _events.Insert(i, e);

        Count++;
        if (e.User?.Tag is { } user) _users.Add(user);
        if (e.Environment is not null) _environments.Add(e.Environment);
        if (e.Release is not null) _releases.Add(e.Release);
        if (e.IsUnhandled) IsUnhandled = true;
        var minute = e.Timestamp.ToUnixTimeSeconds() / 60;
        _minuteCounts[minute] = _minuteCounts.GetValueOrDefault(minute) + 1;

        if (Count == 1 || e.Timestamp < FirstSeen)
        {
            FirstSeen = e.Timestamp;
            FirstRelease = e.Release ?? FirstRelease;
        }
        if (Count == 1 || e.Timestamp >= LastSeen)
        {
            LastSeen = e.Timestamp;
            LastRelease = e.Release ?? LastRelease;
            Metadata = e.Metadata;
            Culprit = e.Culprit;
            Level = e.Level;
            Platform = e.Platform;
            Logger = e.Logger;
            Type = e.Type;
            IssueType = e.Occurrence?.IssueType ?? "error";
            IssueCategory = e.Occurrence?.IssueCategory ?? "error";
        }

        foreach (var (key, value) in e.Tags)
        {
            if (!_tags.TryGetValue(key, out var values)) _tags[key] = values = new Dictionary<string, TagValueStats>(StringComparer.Ordinal);
            if (!values.TryGetValue(value, out var stats)) values[value] = stats = new TagValueStats(e.Timestamp);
            stats.Count++;
            if (e.Timestamp < stats.FirstSeen) stats.FirstSeen = e.Timestamp;
            if (e.Timestamp > stats.LastSeen) stats.LastSeen = e.Timestamp;
        }
    }

    internal void AddActivity(Activity activity) => _activities.Add(activity);

    private static int Compare(ErrorEvent a, ErrorEvent b)
    {
        var byTime = a.Timestamp.CompareTo(b.Timestamp);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.EventId, b.EventId);
    }
}

/// <summary>Seer's issue summary (Sentry's SummarizeIssueResponse, camelCased on the wire).</summary>
public sealed record SeerSummary(string Headline, string? WhatsWrong, string? Trace, string? PossibleCause, double? PossibleCauseConfidence, double? FixabilityScore);

using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>What a scenario says about one issue; ids, short ids and totals are derived by the builder.</summary>
public sealed record IssueSpec(
    string Project,
    IssueMetadata Metadata,
    string? Culprit,
    string Level,
    string Status,
    string? Substatus,
    string? Priority,
    bool IsUnhandled,
    string? Environment,
    string? FirstRelease,
    string? LastRelease,
    int UserCount,
    Assignee? AssignedTo,
    IReadOnlyList<EventBatch> Batches,
    DateTimeOffset? StatusChangedAt = null);

/// <summary>Builds the org, its projects and issues for one start-up; `now` anchors every relative time.</summary>
public sealed class ScenarioBuilder
{
    private readonly List<Issue> _issues = [];
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly List<Project> _projects = [];
    private long _nextId = 4501;

    public ScenarioBuilder(SandboxOptions options, DateTimeOffset now)
    {
        Now = now;
        var created = Precision.Trim(now.AddDays(-400), 3);
        Organization = new Organization("1", options.Organization, "Acme", created);
        var team = new Team("1", "backend", "Backend");
        AddProject(new Project("1", "web", "Web", "javascript", created.AddMinutes(5), team));
        AddProject(new Project("2", "api", "API", "csharp", created.AddMinutes(9), team));
        AddProject(new Project("3", "worker", "Worker", "python", created.AddMinutes(13), team));
        // A --project outside the fixed three still needs to exist so the announced DSN and slug resolve.
        if (_projects.All(p => p.Slug != options.Project))
            AddProject(new Project("4", options.Project, options.Project, null, created.AddDays(1), team));
    }

    public DateTimeOffset Now { get; }
    public Organization Organization { get; }
    public IReadOnlyList<Project> Projects => _projects;

    private void AddProject(Project project)
    {
        _projects.Add(project);
        _counters[project.Slug] = 0;
    }

    public Issue Add(IssueSpec spec)
    {
        var project = _projects.Single(p => p.Slug == spec.Project);
        var counter = ++_counters[project.Slug];
        var id = _nextId++;
        // Real Sentry dates come out with 0, 3 or 6 fractional digits; vary it per issue so clients parse all three.
        var digits = (id % 3) switch { 0 => 0, 1 => 3, _ => 6 };
        var batches = spec.Batches.Select(b => b with { At = Precision.Trim(b.At, digits) }).OrderBy(b => b.At).ToList();
        if (batches.Count == 0) throw new InvalidOperationException("an issue needs at least one event");
        var issue = new Issue
        {
            Id = id,
            Project = project,
            ShortId = ShortIds.Format(project.Slug, counter),
            Metadata = spec.Metadata,
            Culprit = spec.Culprit,
            Level = spec.Level,
            Status = spec.Status,
            Substatus = spec.Substatus,
            Priority = spec.Priority,
            IsUnhandled = spec.IsUnhandled,
            Environment = spec.Environment,
            FirstRelease = spec.FirstRelease,
            LastRelease = spec.LastRelease,
            UserCount = spec.UserCount,
            AssignedTo = spec.AssignedTo,
            Batches = batches,
            FirstSeen = batches[0].At,
            LastSeen = batches[^1].At,
            Count = batches.Sum(b => b.Count),
            StatusChangedAt = spec.StatusChangedAt is { } changed ? Precision.Trim(changed, 6) : null,
        };
        _issues.Add(issue);
        return issue;
    }

    public SandboxStore Build() => new(Organization, _projects, _issues, Now);

    /// <summary>`total` events spread evenly over `count` batches, from `from` ago to `to` ago.</summary>
    public IReadOnlyList<EventBatch> Spread(long total, int count, TimeSpan from, TimeSpan to)
    {
        var list = new List<EventBatch>(count);
        var step = count == 1 ? TimeSpan.Zero : (from - to) / (count - 1);
        for (var i = 0; i < count; i++)
        {
            var n = total / count + (i < total % count ? 1 : 0);
            if (n > 0) list.Add(new EventBatch(Now - from + step * i, n));
        }
        return list;
    }
}

public static class Precision
{
    /// <summary>Truncates to 0, 3 or 6 fractional second digits.</summary>
    public static DateTimeOffset Trim(DateTimeOffset t, int digits)
    {
        var unit = digits switch { 0 => TimeSpan.TicksPerSecond, 3 => TimeSpan.TicksPerMillisecond, _ => 10L };
        return new DateTimeOffset(t.UtcTicks - t.UtcTicks % unit, TimeSpan.Zero);
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using SentryRunbook.Sandbox.Ingest;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// Sets up the organization and its projects for one start-up and feeds scenario events into the
/// store through the same ingest call SDK events take (grouping, counters, releases, regressions).
/// `now` anchors every relative time; a fixed seed makes ids and noise identical on every start.
/// </summary>
public sealed class ScenarioBuilder
{
    private readonly Random _ids;
    private readonly Dictionary<string, (string Json, IReadOnlyList<KeyValuePair<string, string>> Tags)> _contexts = new(StringComparer.Ordinal);

    public ScenarioBuilder(SandboxOptions options, DateTimeOffset now, int seed)
    {
        Now = now;
        Random = new Random(seed);
        _ids = new Random(seed ^ 0x5EED);
        var created = Precision.Trim(now.AddDays(-400), 3);
        var organization = new Organization("1", options.Organization, "Acme", created);
        var team = new Team("1", "backend", "Backend");
        var projects = new List<Project>
        {
            new("1", "web", "Web", "javascript", created.AddMinutes(5), team, NewKey()),
            new("2", "api", "API", "csharp", created.AddMinutes(9), team, NewKey()),
            new("3", "worker", "Worker", "python", created.AddMinutes(13), team, NewKey()),
        };
        // A --project outside the fixed three still needs to exist so the announced DSN and slug resolve.
        if (projects.All(p => p.Slug != options.Project))
            projects.Add(new Project("4", options.Project, options.Project, null, created.AddDays(1), team, NewKey()));
        Store = new EventStore(organization, projects, now);
    }

    public DateTimeOffset Now { get; }
    public Random Random { get; }
    public EventStore Store { get; }

    public Project Project(string slug) => Store.FindProject(slug) ?? throw new ArgumentException("no project " + slug);

    /// <summary>DSN keys are secrets in real Sentry: random per start, 32 hex like Sentry's.</summary>
    private static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A deterministic 32-hex event id.</summary>
    public string NextEventId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _ids.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public ErrorEvent Ingest(ErrorEvent e) => Store.Ingest(e);

    /// <summary>Registers a release ahead of its first event, so creation dates and order are the scenario's.</summary>
    public void Release(string version, string projectSlug, DateTimeOffset created) =>
        Store.Write(s => s.Releases.Ensure(version, Project(projectSlug), created));

    /// <summary>Contexts JSON plus the tags Sentry derives from it; cached so events share one instance.</summary>
    public (string Json, IReadOnlyList<KeyValuePair<string, string>> Tags) Contexts(string json)
    {
        if (_contexts.TryGetValue(json, out var cached)) return cached;
        using var doc = JsonDocument.Parse(json);
        var entry = (json, EventNormalizer.ContextTags(doc.RootElement));
        _contexts[json] = entry;
        return entry;
    }

    /// <summary>`count` instants evenly spread from `from` ago to `to` ago, oldest first, trimmed to `digits`.</summary>
    public IReadOnlyList<DateTimeOffset> Spread(int count, TimeSpan from, TimeSpan to, int digits)
    {
        var list = new DateTimeOffset[count];
        var step = count == 1 ? TimeSpan.Zero : (from - to) / (count - 1);
        for (var i = 0; i < count; i++) list[i] = Precision.Trim(Now - from + step * i, digits);
        return list;
    }
}

public static class Precision
{
    /// <summary>Truncates to 0, 3 or 6 fractional second digits (real Sentry dates come with all three).</summary>
    public static DateTimeOffset Trim(DateTimeOffset t, int digits)
    {
        var unit = digits switch { 0 => TimeSpan.TicksPerSecond, 3 => TimeSpan.TicksPerMillisecond, _ => 10L };
        return new DateTimeOffset(t.UtcTicks - t.UtcTicks % unit, TimeSpan.Zero);
    }
}

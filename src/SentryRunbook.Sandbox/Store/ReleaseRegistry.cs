using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>
/// Org-wide releases keyed by version, each linked to the projects that reported it. A release is
/// created on the first event naming it; a scenario may register one earlier with its own date.
/// Not thread-safe on its own: EventStore calls it under its lock.
/// </summary>
public sealed class ReleaseRegistry
{
    private readonly Dictionary<string, Release> _byVersion = new(StringComparer.Ordinal);
    private long _sequence;

    public IEnumerable<Release> All => _byVersion.Values;

    public Release? Find(string version) => _byVersion.GetValueOrDefault(version);

    public Release Ensure(string version, Project project, DateTimeOffset dateCreated)
    {
        if (!_byVersion.TryGetValue(version, out var release))
        {
            _sequence++;
            release = new Release { Version = version, Id = _sequence, Sequence = _sequence, DateCreated = dateCreated };
            _byVersion[version] = release;
        }
        release.ProjectIds.Add(project.Id);
        return release;
    }

    /// <summary>Newest first by creation date, then creation sequence.</summary>
    public IEnumerable<Release> ForProject(Project project) =>
        _byVersion.Values.Where(r => r.ProjectIds.Contains(project.Id))
            .OrderByDescending(r => r.DateCreated).ThenByDescending(r => r.Sequence);

    public Release? Latest(Project project) => ForProject(project).FirstOrDefault();

    /// <summary>True when `candidate` was created after `reference` (unknown versions count as newest, like a fresh release).</summary>
    public bool IsNewer(string candidate, string reference)
    {
        var c = Find(candidate);
        var r = Find(reference);
        if (c is null) return true;
        if (r is null) return false;
        return c.DateCreated != r.DateCreated ? c.DateCreated > r.DateCreated : c.Sequence > r.Sequence;
    }
}

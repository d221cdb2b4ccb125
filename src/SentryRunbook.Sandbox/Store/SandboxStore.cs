using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>Read-only in-memory data set built once by a scenario; safe for concurrent readers.</summary>
public sealed class SandboxStore
{
    private readonly Dictionary<long, Issue> _byId;
    private readonly Dictionary<string, Issue> _byShortId;

    public SandboxStore(Organization organization, IReadOnlyList<Project> projects, IReadOnlyList<Issue> issues, DateTimeOffset createdAt)
    {
        Organization = organization;
        Projects = projects;
        Issues = issues;
        CreatedAt = createdAt;
        _byId = issues.ToDictionary(i => i.Id);
        _byShortId = issues.ToDictionary(i => i.ShortId, StringComparer.OrdinalIgnoreCase);
    }

    public Organization Organization { get; }
    public IReadOnlyList<Project> Projects { get; }
    public IReadOnlyList<Issue> Issues { get; }
    /// <summary>Start-up instant all scenario times are relative to.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Organization routes accept the slug or the numeric id.</summary>
    public bool IsOrganization(string idOrSlug) =>
        string.Equals(idOrSlug, Organization.Slug, StringComparison.Ordinal) || idOrSlug == Organization.Id;

    public Project? FindProject(string idOrSlug) =>
        Projects.FirstOrDefault(p => p.Id == idOrSlug || string.Equals(p.Slug, idOrSlug, StringComparison.Ordinal));

    public Issue? FindById(long id) => _byId.GetValueOrDefault(id);

    /// <summary>Short ids are matched case-insensitively and with Sentry's O/I/L folding of the counter part.</summary>
    public Issue? FindByShortId(string shortId)
    {
        if (_byShortId.TryGetValue(shortId, out var direct)) return direct;
        if (!ShortIds.TryParse(shortId, out var slug, out var counter)) return null;
        return _byShortId.GetValueOrDefault(ShortIds.Format(slug, counter));
    }

    /// <summary>Org-scoped issue paths take a numeric id or a short id.</summary>
    public Issue? FindByIdOrShortId(string idOrShortId) =>
        long.TryParse(idOrShortId, out var id) && idOrShortId.All(char.IsAsciiDigit) ? FindById(id) : FindByShortId(idOrShortId);
}

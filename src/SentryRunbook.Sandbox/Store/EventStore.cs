using SentryRunbook.Sandbox.Grouping;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>
/// The sandbox's single source of truth: error events grouped into issues, transactions, spans,
/// sessions and releases, all in memory. One lock guards everything: writers (ingest, status changes)
/// take it, and readers either call the self-locking lookups or wrap a whole synchronous query in
/// <see cref="Read{T}"/> (the lock is re-entrant, so lookups inside Read are fine). Never await inside it.
/// Issues are aggregates kept up to date on every event, so issue lists never scan events; events stay
/// queryable by project, issue, time, environment and release through <see cref="AllEvents"/>.
/// </summary>
public sealed partial class EventStore
{
    private readonly object _sync = new();
    private readonly List<Issue> _issues = [];
    private readonly Dictionary<long, Issue> _byId = [];
    private readonly Dictionary<string, Issue> _byShortId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string ProjectId, string Hash), Issue> _byHash = [];
    private readonly Dictionary<string, long> _shortIdCounters = new(StringComparer.Ordinal);
    private readonly List<ErrorEvent> _events = [];
    private readonly Dictionary<(string ProjectId, string EventId), ErrorEvent> _eventsById = [];
    private readonly List<TransactionRecord> _transactions = [];
    private readonly List<SpanRecord> _spans = [];
    private readonly List<SessionUpdate> _sessionUpdates = [];
    private readonly Dictionary<(string ProjectId, string Sid), SessionUpdate> _latestSessions = [];
    private readonly List<SessionAggregate> _sessionAggregates = [];
    private readonly Dictionary<string, HashSet<string>> _environments = new(StringComparer.Ordinal);
    private long _nextIssueId = 4501;
    private long _nextActivityId = 1;
    private long _discardedByClients;

    public EventStore(Organization organization, IReadOnlyList<Project> projects, DateTimeOffset createdAt)
    {
        Organization = organization;
        Projects = projects;
        CreatedAt = createdAt;
        foreach (var p in projects)
        {
            _shortIdCounters[p.Id] = 0;
            _environments[p.Id] = new HashSet<string>(StringComparer.Ordinal);
        }
    }

    public Organization Organization { get; }
    public IReadOnlyList<Project> Projects { get; }
    /// <summary>Start-up instant all scenario times are relative to.</summary>
    public DateTimeOffset CreatedAt { get; }
    /// <summary>Read and write under the store lock only.</summary>
    public ReleaseRegistry Releases { get; } = new();

    /// <summary>Runs a synchronous query under the store lock.</summary>
    public T Read<T>(Func<EventStore, T> query)
    {
        lock (_sync) return query(this);
    }

    /// <summary>Runs a synchronous change under the store lock.</summary>
    public void Write(Action<EventStore> change)
    {
        lock (_sync) change(this);
    }

    // Raw collections: enumerate only inside Read/Write.
    public IReadOnlyList<ErrorEvent> AllEvents => _events;
    public IReadOnlyList<TransactionRecord> Transactions => _transactions;
    public IReadOnlyList<SpanRecord> Spans => _spans;
    public IReadOnlyList<SessionUpdate> SessionUpdates => _sessionUpdates;
    /// <summary>The latest update of each session (by sid): its current state.</summary>
    public IReadOnlyDictionary<(string ProjectId, string Sid), SessionUpdate> LatestSessions => _latestSessions;
    public IReadOnlyList<SessionAggregate> SessionAggregates => _sessionAggregates;
    public long DiscardedByClients => Interlocked.Read(ref _discardedByClients);

    /// <summary>A snapshot of every issue, in creation order.</summary>
    public IReadOnlyList<Issue> Issues
    {
        get { lock (_sync) return _issues.ToArray(); }
    }

    /// <summary>Environments seen in a project's events, sorted.</summary>
    public IReadOnlyList<string> EnvironmentsOf(Project project)
    {
        lock (_sync) return _environments[project.Id].Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Organization routes accept the slug or the numeric id.</summary>
    public bool IsOrganization(string idOrSlug) =>
        string.Equals(idOrSlug, Organization.Slug, StringComparison.Ordinal) || idOrSlug == Organization.Id;

    public Project? FindProject(string idOrSlug) =>
        Projects.FirstOrDefault(p => p.Id == idOrSlug || string.Equals(p.Slug, idOrSlug, StringComparison.Ordinal));

    public Issue? FindById(long id)
    {
        lock (_sync) return _byId.GetValueOrDefault(id);
    }

    /// <summary>Short ids are matched case-insensitively and with Sentry's O/I/L folding of the counter part.</summary>
    public Issue? FindByShortId(string shortId)
    {
        lock (_sync)
        {
            if (_byShortId.TryGetValue(shortId, out var direct)) return direct;
            if (!ShortIds.TryParse(shortId, out var slug, out var counter)) return null;
            return _byShortId.GetValueOrDefault(ShortIds.Format(slug, counter));
        }
    }

    /// <summary>Org-scoped issue paths take a numeric id or a short id.</summary>
    public Issue? FindByIdOrShortId(string idOrShortId) =>
        long.TryParse(idOrShortId, out var id) && idOrShortId.All(char.IsAsciiDigit) ? FindById(id) : FindByShortId(idOrShortId);

    /// <summary>An event by id within a project (ids may carry dashes or upper case).</summary>
    public ErrorEvent? FindEvent(Project project, string eventId)
    {
        var normalized = NormalizeEventId(eventId);
        if (normalized is null) return null;
        lock (_sync) return _eventsById.GetValueOrDefault((project.Id, normalized));
    }

    /// <summary>32 lowercase hex, or null when it is not an event id.</summary>
    public static string? NormalizeEventId(string? raw)
    {
        if (raw is null) return null;
        var id = raw.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return id.Length == 32 && id.All(char.IsAsciiHexDigit) ? id : null;
    }

    /// <summary>
    /// Stores an error event: groups it into an existing or new issue, updates the issue's counters,
    /// regresses a resolved issue when the resolution does not cover the event's release, and keeps the
    /// release registry current. A repeated event id in the same project is dropped (returns the stored one).
    /// </summary>
    public ErrorEvent Ingest(ErrorEvent e)
    {
        var hash = Fingerprinter.Hash(e);
        var tags = EventTags.Build(e);
        lock (_sync)
        {
            if (_eventsById.TryGetValue((e.Project.Id, e.EventId), out var duplicate)) return duplicate;
            e.Hash = hash;
            e.Tags = tags;
            var seenAt = e.Timestamp < e.Received ? e.Timestamp : e.Received;
            var release = e.Release is null ? null : Releases.Ensure(e.Release, e.Project, seenAt);

            var isNew = false;
            var regressed = false;
            if (!_byHash.TryGetValue((e.Project.Id, hash), out var issue))
            {
                issue = NewIssue(e, hash);
                isNew = true;
                if (release is not null) release.NewGroups++;
            }
            else if (issue.Status == "resolved" && ShouldRegress(issue, e.Release))
            {
                Regress(issue, e);
                regressed = true;
            }

            issue.Add(e);
            e.Issue = issue;
            _events.Add(e);
            _eventsById[(e.Project.Id, e.EventId)] = e;
            if (e.Environment is not null) _environments[e.Project.Id].Add(e.Environment);
            if (release is not null)
            {
                Touch(release, e.Timestamp);
                if (e.Environment is not null) release.Environments.Add(e.Environment);
            }
            if (issue.Status == "ignored") CheckArchived(issue, e);
            EventStored?.Invoke(new StoredEvent(issue, e, isNew, regressed));
            return e;
        }
    }

    public void AddTransaction(TransactionRecord t)
    {
        lock (_sync)
        {
            _transactions.Add(t);
            if (t.Environment is not null) _environments[t.Project.Id].Add(t.Environment);
            if (t.Release is not null) Releases.Ensure(t.Release, t.Project, t.Received < t.Start ? t.Received : t.Start);
        }
    }

    public void AddSpans(IEnumerable<SpanRecord> spans)
    {
        lock (_sync) _spans.AddRange(spans);
    }

    /// <summary>Keeps every update and, per session, the one with the highest seq (or latest timestamp).</summary>
    public void AddSession(SessionUpdate s)
    {
        lock (_sync)
        {
            _sessionUpdates.Add(s);
            var key = (s.Project.Id, s.Sid);
            if (!_latestSessions.TryGetValue(key, out var previous) || IsLater(s, previous)) _latestSessions[key] = s;
            if (s.Environment is not null) _environments[s.Project.Id].Add(s.Environment);
            if (s.Release is not null) Releases.Ensure(s.Release, s.Project, s.Started);
        }
    }

    public void AddSessionAggregate(SessionAggregate a)
    {
        lock (_sync)
        {
            _sessionAggregates.Add(a);
            if (a.Environment is not null) _environments[a.Project.Id].Add(a.Environment);
            if (a.Release is not null) Releases.Ensure(a.Release, a.Project, a.Started);
        }
    }

    /// <summary>Client reports only say what the SDK dropped; the sandbox keeps the total for diagnostics.</summary>
    public void CountDiscarded(long quantity) => Interlocked.Add(ref _discardedByClients, quantity);

    private static bool IsLater(SessionUpdate candidate, SessionUpdate previous) =>
        candidate.Seq is { } a && previous.Seq is { } b && a != b ? a > b : candidate.Timestamp >= previous.Timestamp;

    /// <summary>
    /// Deletes an issue and its events, as Sentry's issue DELETE does once its deletion task ran: the id answers
    /// 404 from then on, and a later event with the same fingerprint starts a new issue.
    /// </summary>
    public bool Delete(Issue issue)
    {
        lock (_sync)
        {
            if (!_byId.Remove(issue.Id)) return false;
            _issues.Remove(issue);
            _byShortId.Remove(issue.ShortId);
            foreach (var key in _byHash.Where(h => ReferenceEquals(h.Value, issue)).Select(h => h.Key).ToList()) _byHash.Remove(key);
            var gone = new HashSet<ErrorEvent>(issue.Events);
            _events.RemoveAll(gone.Contains);
            foreach (var e in gone) _eventsById.Remove((e.Project.Id, e.EventId));
            return true;
        }
    }

    private Issue NewIssue(ErrorEvent e, string hash)
    {
        var counter = ++_shortIdCounters[e.Project.Id];
        var issue = new Issue
        {
            Id = _nextIssueId++,
            Project = e.Project,
            ShortId = ShortIds.Format(e.Project.Slug, counter),
            Hash = hash,
            Priority = InitialPriority(e),
        };
        _issues.Add(issue);
        _byId[issue.Id] = issue;
        _byShortId[issue.ShortId] = issue;
        _byHash[(e.Project.Id, hash)] = issue;
        Record(issue, NewActivity("first_seen", e.Timestamp, Empty, null));
        return issue;
    }

    /// <summary>Sentry's initial priority, simplified: fatal and unhandled errors high, errors/warnings medium, the rest low; cron and uptime outages high (their group types' default).</summary>
    private static string InitialPriority(ErrorEvent e) => e.Occurrence is not null ? "high" : e.Level switch
    {
        "fatal" => "high",
        "error" => e.IsUnhandled ? "high" : "medium",
        "warning" => "medium",
        _ => "low",
    };

    private static void Touch(Release release, DateTimeOffset at)
    {
        if (release.FirstEvent is null || at < release.FirstEvent) release.FirstEvent = at;
        if (release.LastEvent is null || at > release.LastEvent) release.LastEvent = at;
    }

    private static readonly IReadOnlyDictionary<string, string?> Empty = new Dictionary<string, string?>();

    private Activity NewActivity(string type, DateTimeOffset at, IReadOnlyDictionary<string, string?> data, Assignee? user) =>
        new(_nextActivityId++, type, at, data, user);
}

using System.Globalization;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>
/// What people do to issues and releases beyond resolve/unresolve: archive conditions (Sentry's
/// GroupSnooze) and escalation, notes, per-user flags, deploys, release creation and the commit
/// registry behind suspect commits. Same lock as the rest of the store.
/// </summary>
public sealed partial class EventStore
{
    /// <summary>Escalation rule for archived_until_escalating: the last hour's events exceed this many times the previous hourly average (floor 1/h).</summary>
    public const int EscalationFactor = 10;

    private readonly HashSet<Issue> _timedSnoozes = [];
    private readonly List<Deploy> _deploys = [];
    private readonly Dictionary<string, List<Commit>> _releaseCommits = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<SuspectCommit>> _suspects = [];
    private readonly Dictionary<string, Repository> _repositories = new(StringComparer.Ordinal);
    private long _nextDeployId = 6883490;

    /// <summary>
    /// Archives. `snooze` carries count/user/duration conditions (substatus archived_until_condition_met);
    /// otherwise `substatus` says archived_forever or archived_until_escalating. Records `set_ignored`
    /// with the condition fields, like Sentry.
    /// </summary>
    public void Archive(Issue issue, string substatus, Snooze? snooze, DateTimeOffset at, Assignee? actor)
    {
        lock (_sync)
        {
            issue.Resolution = null;
            SetStatus(issue, "ignored", substatus, at);
            issue.Snooze = snooze;
            issue.StatusActor = actor;
            if (snooze?.Until is not null) _timedSnoozes.Add(issue);
            var data = new Dictionary<string, string?>
            {
                ["ignoreCount"] = Num(snooze?.Count),
                ["ignoreDuration"] = Num(snooze?.Duration),
                ["ignoreUntil"] = snooze?.Until is { } until ? WireFormat.Dates.Iso(until) : null,
                ["ignoreUserCount"] = Num(snooze?.UserCount),
                ["ignoreUserWindow"] = Num(snooze?.UserWindow),
                ["ignoreWindow"] = Num(snooze?.Window),
                ["ignoreUntilEscalating"] = substatus == "archived_until_escalating" ? "true" : "false",
            };
            Record(issue, NewActivity("set_ignored", at, data, actor));
        }
    }

    /// <summary>Resolves naming the fixing commit (`set_resolved_in_commit`); any later event regresses it.</summary>
    public void ResolveInCommit(Issue issue, Commit commit, DateTimeOffset at, Assignee? actor)
    {
        lock (_sync)
        {
            issue.Resolution = null;
            SetStatus(issue, "resolved", null, at);
            issue.ResolvedInCommit = commit;
            issue.StatusActor = actor;
            Record(issue, NewActivity("set_resolved_in_commit", at, new Dictionary<string, string?> { ["commit"] = commit.Id }, actor));
        }
    }

    /// <summary>Records who made the current status (statusDetails.actor).</summary>
    public void SetStatusActor(Issue issue, Assignee? actor)
    {
        lock (_sync) issue.StatusActor = actor;
    }

    public void SetFlags(Issue issue, bool? bookmarked = null, bool? seen = null, bool? subscribed = null)
    {
        lock (_sync)
        {
            if (bookmarked is { } b) issue.IsBookmarked = b;
            if (seen is { } s) issue.HasSeen = s;
            if (subscribed is { } u) issue.IsSubscribed = u;
        }
    }

    /// <summary>Shares or unshares the issue (`set_public`/`set_private`); returns the share id.</summary>
    public string? SetPublic(Issue issue, bool isPublic, DateTimeOffset at, Assignee? actor)
    {
        lock (_sync)
        {
            if (isPublic == (issue.ShareId is not null)) return issue.ShareId;
            issue.ShareId = isPublic ? Guid.NewGuid().ToString("N") : null;
            Record(issue, NewActivity(isPublic ? "set_public" : "set_private", at, Empty, actor));
            return issue.ShareId;
        }
    }

    /// <summary>A manual priority change locks it and records `set_priority`.</summary>
    public void ChangePriority(Issue issue, string priority, DateTimeOffset at, Assignee? actor)
    {
        lock (_sync)
        {
            issue.Priority = priority;
            issue.PriorityLockedAt = at;
            Record(issue, NewActivity("set_priority", at, new Dictionary<string, string?> { ["priority"] = priority, ["reason"] = "manually" }, actor));
        }
    }

    /// <summary>Adds a note; null when the same user posted the same text within the last hour (Sentry refuses it).</summary>
    public Activity? AddNote(Issue issue, string text, Assignee user, DateTimeOffset at)
    {
        lock (_sync)
        {
            var duplicate = issue.Activities.Any(a => a.Type == "note" && a.User?.Id == user.Id
                && a.Data.GetValueOrDefault("text") == text && a.DateCreated > at.AddHours(-1));
            if (duplicate) return null;
            var note = NewActivity("note", at, new Dictionary<string, string?> { ["text"] = text }, user);
            Record(issue, note);
            return note;
        }
    }

    /// <summary>
    /// Brings archived issues back when their time ran out (Sentry's clear_expired_snoozes task:
    /// unresolved, ongoing, `set_unresolved` without a user). Called before every API request.
    /// </summary>
    public void ExpireSnoozes(DateTimeOffset now)
    {
        lock (_sync)
        {
            if (_timedSnoozes.Count == 0) return;
            foreach (var issue in _timedSnoozes.ToArray())
            {
                if (issue.Status != "ignored" || issue.Snooze?.Until is not { } until)
                {
                    _timedSnoozes.Remove(issue);
                    continue;
                }
                if (until > now) continue;
                _timedSnoozes.Remove(issue);
                SetStatus(issue, "unresolved", "ongoing", now);
                Record(issue, NewActivity("set_unresolved", now, Empty, null));
            }
        }
    }

    /// <summary>Per event on an archived issue: expired time, met conditions, or escalation bring it back.</summary>
    private void CheckArchived(Issue issue, ErrorEvent e)
    {
        var now = e.Received;
        if (issue.Snooze is { } snooze)
        {
            if (snooze.Until is { } until && until <= now)
            {
                _timedSnoozes.Remove(issue);
                SetStatus(issue, "unresolved", "ongoing", now);
                Record(issue, NewActivity("set_unresolved", now, Empty, null));
                return;
            }
            if (snooze.Window is not null) snooze.Arrivals.Add(now);
            if (snooze.UserWindow is not null && e.User?.Tag is { } user) snooze.UserArrivals[user] = now;
            if (ConditionMet(issue, snooze, now)) Escalate(issue, e, snooze);
            return;
        }
        if (issue.SubstatusOverride == "archived_until_escalating" && IsEscalating(issue, now)) Escalate(issue, e, null);
    }

    private static bool ConditionMet(Issue issue, Snooze s, DateTimeOffset now)
    {
        if (s.Count is { } count)
        {
            var seen = s.Window is { } window ? s.Arrivals.Count(t => t > now.AddMinutes(-window)) : issue.Count - s.CountAtSnooze;
            if (seen >= count) return true;
        }
        if (s.UserCount is { } users)
        {
            var seen = s.UserWindow is { } window ? s.UserArrivals.Values.Count(t => t > now.AddMinutes(-window)) : issue.UserCount - s.UsersAtSnooze;
            if (seen >= users) return true;
        }
        return false;
    }

    /// <summary>
    /// The sandbox's escalation rule (Sentry forecasts instead): events in the hour before `now` exceed
    /// <see cref="EscalationFactor"/> × the issue's average hourly count over the 7 days before that
    /// hour (counted from first seen when younger), with a floor of one event per hour.
    /// </summary>
    public static bool IsEscalating(Issue issue, DateTimeOffset now)
    {
        var nowMinute = now.ToUnixTimeSeconds() / 60;
        var hourStart = nowMinute - 60;
        var baselineStart = Math.Max(nowMinute - 7 * 24 * 60, issue.FirstSeen.ToUnixTimeSeconds() / 60);
        long lastHour = 0, before = 0;
        foreach (var (minute, n) in issue.MinuteCounts)
        {
            if (minute > hourStart && minute <= nowMinute) lastHour += n;
            else if (minute >= baselineStart && minute <= hourStart) before += n;
        }
        var hours = Math.Max(1.0, (hourStart - baselineStart) / 60.0);
        var average = Math.Max(1.0, before / hours);
        return lastHour > EscalationFactor * average;
    }

    private void Escalate(Issue issue, ErrorEvent e, Snooze? expired)
    {
        _timedSnoozes.Remove(issue);
        SetStatus(issue, "unresolved", "escalating", e.Received);
        var data = new Dictionary<string, string?> { ["event_id"] = e.EventId };
        if (expired is not null)
        {
            data["ignoreCount"] = Num(expired.Count);
            data["ignoreWindow"] = Num(expired.Window);
            data["ignoreUserCount"] = Num(expired.UserCount);
            data["ignoreUserWindow"] = Num(expired.UserWindow);
        }
        Record(issue, NewActivity("set_escalating", e.Received, data, null));
        // Sentry raises an escalating issue to high priority unless someone set its priority by hand.
        if (issue.PriorityLockedAt is null && issue.Priority != "high")
        {
            issue.Priority = "high";
            Record(issue, NewActivity("set_priority", e.Received, new Dictionary<string, string?> { ["priority"] = "high", ["reason"] = "escalating" }, null));
        }
    }

    private static string? Num(int? n) => n?.ToString(CultureInfo.InvariantCulture);

    // ---- releases, deploys, commits ----

    /// <summary>Creates a release for the projects, or adds them to an existing one; `Created` is false for the latter (208).</summary>
    public (Release Release, bool Created) CreateRelease(string version, IReadOnlyList<Project> projects, DateTimeOffset at,
        string? reference = null, string? url = null, DateTimeOffset? dateReleased = null)
    {
        lock (_sync)
        {
            var created = Releases.Find(version) is null;
            Release release = null!;
            foreach (var p in projects) release = Releases.Ensure(version, p, at);
            if (reference is not null) release.Ref = reference;
            if (url is not null) release.Url = url;
            if (dateReleased is not null) release.DateReleased = dateReleased;
            return (release, created);
        }
    }

    /// <summary>Sets what a release update names; `commits`, when given, replaces the release's commits (as Sentry's set_commits does).</summary>
    public void UpdateRelease(Release release, string? reference, string? url, DateTimeOffset? dateReleased, IReadOnlyList<Commit>? commits)
    {
        lock (_sync)
        {
            if (reference is not null) release.Ref = reference;
            if (url is not null) release.Url = url;
            if (dateReleased is not null) release.DateReleased = dateReleased;
            if (commits is not null) _releaseCommits[release.Version] = commits.DistinctBy(c => (c.Repository.Name, c.Id)).ToList();
        }
    }

    public Deploy AddDeploy(Release release, string environment, string? name, string? url, DateTimeOffset? started, DateTimeOffset finished, IReadOnlyList<string> projectIds)
    {
        lock (_sync)
        {
            var deploy = new Deploy(_nextDeployId++, release.Version, environment, name, url, started, finished, projectIds);
            _deploys.Add(deploy);
            return deploy;
        }
    }

    /// <summary>A release's deploys, newest first.</summary>
    public IReadOnlyList<Deploy> DeploysOf(string version)
    {
        lock (_sync) return _deploys.Where(d => d.Version == version).OrderByDescending(d => d.DateFinished).ThenByDescending(d => d.Id).ToArray();
    }

    public Repository Repository(string name, DateTimeOffset created)
    {
        lock (_sync)
        {
            if (!_repositories.TryGetValue(name, out var repo))
                _repositories[name] = repo = new Repository((_repositories.Count + 1).ToString(CultureInfo.InvariantCulture), name, "https://github.com/" + name, created);
            return repo;
        }
    }

    /// <summary>Every repository commits were recorded for, in creation order.</summary>
    public IReadOnlyList<Repository> AllRepositories()
    {
        lock (_sync) return _repositories.Values.OrderBy(r => long.Parse(r.Id, CultureInfo.InvariantCulture)).ToArray();
    }

    public Repository? FindRepository(string name)
    {
        lock (_sync) return _repositories.GetValueOrDefault(name);
    }

    public void AddCommit(string version, Commit commit)
    {
        lock (_sync)
        {
            if (!_releaseCommits.TryGetValue(version, out var list)) _releaseCommits[version] = list = [];
            list.Add(commit);
        }
    }

    /// <summary>A release's commits, newest first.</summary>
    public IReadOnlyList<Commit> CommitsOf(string version)
    {
        lock (_sync) return _releaseCommits.TryGetValue(version, out var list) ? list.OrderByDescending(c => c.DateCreated).ToArray() : [];
    }

    /// <summary>Finds a commit by (a prefix of at least 7 of) its sha in a repository.</summary>
    public Commit? FindCommit(string repository, string sha)
    {
        lock (_sync)
            return _releaseCommits.Values.SelectMany(l => l)
                .FirstOrDefault(c => c.Repository.Name == repository && sha.Length >= 7 && c.Id.StartsWith(sha, StringComparison.OrdinalIgnoreCase));
    }

    public void AddSuspect(Issue issue, SuspectCommit suspect)
    {
        lock (_sync)
        {
            if (!_suspects.TryGetValue(issue.Id, out var list)) _suspects[issue.Id] = list = [];
            list.Add(suspect);
        }
    }

    /// <summary>
    /// Suspect commits for one event: SCM-integration suspects of its issue, plus release suspects whose
    /// commit is part of the event's release (Sentry's release heuristic needs the commit in that release).
    /// </summary>
    public IReadOnlyList<SuspectCommit> SuspectsFor(ErrorEvent e)
    {
        lock (_sync)
        {
            if (!_suspects.TryGetValue(e.Issue.Id, out var list)) return [];
            var inRelease = e.Release is null ? [] : CommitsOf(e.Release);
            return list.Where(s => s.Type != "via commit in release" || inRelease.Any(c => c.Id == s.Commit.Id)).ToArray();
        }
    }
}

using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>Issue status changes and the regression rules (REFERENCE.md §2.4/§2.5; Sentry's GroupResolution).</summary>
public sealed partial class EventStore
{
    /// <summary>
    /// Resolves an issue. `inNextRelease` records the project's newest release as the one the fix is
    /// not in yet; `inRelease` names the release containing the fix. Either way events of that release
    /// or older ones (and events without a release) no longer regress the issue; a plain resolve
    /// regresses on any new event.
    /// </summary>
    public void Resolve(Issue issue, DateTimeOffset at, bool inNextRelease = false, string? inRelease = null, Assignee? actor = null)
    {
        lock (_sync)
        {
            string type;
            Dictionary<string, string?> data = [];
            if (inRelease is not null)
            {
                issue.Resolution = new Resolution(false, inRelease, null);
                type = "set_resolved_in_release";
                data["version"] = inRelease;
            }
            else if (inNextRelease)
            {
                issue.Resolution = new Resolution(true, null, Releases.Latest(issue.Project)?.Version);
                type = "set_resolved_in_release";
                data["version"] = "";
            }
            else
            {
                issue.Resolution = null;
                type = "set_resolved";
            }
            SetStatus(issue, "resolved", null, at);
            Record(issue, NewActivity(type, at, data, actor));
        }
    }

    /// <summary>
    /// Unresolves by hand (Sentry's infer_substatus): `ongoing`, or derived `new` when it was archived and
    /// first seen within the last 7 days.
    /// </summary>
    public void Unresolve(Issue issue, DateTimeOffset at, Assignee? actor = null)
    {
        lock (_sync)
        {
            var wasArchived = issue.Status == "ignored";
            issue.Resolution = null;
            SetStatus(issue, "unresolved", wasArchived && issue.FirstSeen > at.AddDays(-7) ? null : "ongoing", at);
            Record(issue, NewActivity("set_unresolved", at, Empty, actor));
        }
    }

    /// <summary>Archives (ignores) with a substatus such as archived_forever or archived_until_escalating.</summary>
    public void Ignore(Issue issue, string substatus, DateTimeOffset at, Assignee? actor = null)
    {
        lock (_sync)
        {
            issue.Resolution = null;
            SetStatus(issue, "ignored", substatus, at);
            Record(issue, NewActivity("set_ignored", at, Empty, actor));
        }
    }

    /// <summary>Sets the substatus of an unresolved issue (e.g. escalating) without an activity.</summary>
    public void SetSubstatus(Issue issue, string? substatus)
    {
        lock (_sync) issue.SubstatusOverride = substatus;
    }

    public void SetPriority(Issue issue, string? priority)
    {
        lock (_sync) issue.Priority = priority;
    }

    /// <summary>Assigns (or unassigns with null), recording `assigned`/`unassigned` like Sentry.</summary>
    public void Assign(Issue issue, Assignee? assignee, DateTimeOffset at, Assignee? actor = null)
    {
        lock (_sync)
        {
            issue.AssignedTo = assignee;
            var data = assignee is null
                ? Empty
                : new Dictionary<string, string?> { ["assignee"] = assignee.Id, ["assigneeType"] = assignee.Type, ["assigneeEmail"] = assignee.Email };
            Record(issue, NewActivity(assignee is null ? "unassigned" : "assigned", at, data, actor));
        }
    }

    /// <summary>Appends any other activity (notes, merges, …) for later endpoints.</summary>
    public Activity AddActivity(Issue issue, string type, DateTimeOffset at, IReadOnlyDictionary<string, string?> data, Assignee? user)
    {
        lock (_sync)
        {
            var activity = NewActivity(type, at, data, user);
            Record(issue, activity);
            return activity;
        }
    }

    /// <summary>Whether an event of `release` reopens a resolved issue (Sentry's GroupResolution.has_resolution, inverted).</summary>
    private bool ShouldRegress(Issue issue, string? release)
    {
        if (issue.Resolution is not { } resolution) return true;
        // No release on the event: Sentry assumes it is older than any resolution and keeps the issue resolved.
        if (release is null) return false;
        var reference = resolution.InRelease ?? resolution.ResolvedAgainst;
        if (reference is null) return true;
        return release != reference && Releases.IsNewer(release, reference);
    }

    private void Regress(Issue issue, ErrorEvent e)
    {
        issue.Resolution = null;
        SetStatus(issue, "unresolved", "regressed", e.Received);
        var data = e.Release is null ? Empty : new Dictionary<string, string?> { ["version"] = e.Release };
        Record(issue, NewActivity("set_regression", e.Received, data, null));
    }

    private static void SetStatus(Issue issue, string status, string? substatus, DateTimeOffset at)
    {
        issue.Status = status;
        issue.SubstatusOverride = substatus;
        issue.StatusChangedAt = at;
        issue.Snooze = null;
        issue.StatusActor = null;
        issue.ResolvedInCommit = null;
    }
}

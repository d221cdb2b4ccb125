using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>An event as stored: whether it opened a new issue or regressed a resolved one.</summary>
public sealed record StoredEvent(Issue Issue, ErrorEvent Event, bool NewIssue, bool Regressed);

/// <summary>
/// What happened, for the webhook dispatcher: every stored event and every activity. Raised under the
/// store lock, so a listener sees the issue exactly as it was changed; it must only take a snapshot and queue.
/// </summary>
public sealed partial class EventStore
{
    public event Action<StoredEvent>? EventStored;
    public event Action<Issue, Activity>? ActivityRecorded;

    private void Record(Issue issue, Activity activity)
    {
        issue.AddActivity(activity);
        ActivityRecorded?.Invoke(issue, activity);
    }
}

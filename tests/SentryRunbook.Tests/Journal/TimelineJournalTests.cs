using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Journal;

/// <summary>The journal's actions on the timeline, and the times to acknowledge and resolve computed from them.</summary>
public class TimelineJournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);

    private static IncidentTimeline Sentry() =>
        Timelines.Build(
            new SentryIssue("7", "WEB-7", "Boom", null, "error", "unresolved", "new", "web", "1", "javascript", T0, T0.AddMinutes(50), 10, 2, null, null, null, false, null, Array.Empty<IssueStatPoint>()),
            Array.Empty<SentryActivity>(), Array.Empty<SentryDeploy>());

    [Fact]
    public void Actions_join_in_time_order_and_set_acknowledge_and_resolve()
    {
        var unresolved = new IssueState("unresolved", "new", null);
        var resolved = new IssueState("resolved", null, null);
        var journal = new[]
        {
            new JournalEntry(T0.AddMinutes(9), "ada@host", JournalActions.SendMessage, "PagerDuty", dedupKey: "k", messageKind: "Initial", succeeded: false),
            new JournalEntry(T0.AddMinutes(12), "ada@host", JournalActions.SendMessage, "Slack", dedupKey: "k", messageKind: "Initial", succeeded: true),
            new JournalEntry(T0.AddMinutes(20), "ada@host", JournalActions.NewDeploy, "web@1.0", deployId: "99", release: "web@1.0", environment: "production", detail: "rollback INC-42"),
            new JournalEntry(T0.AddMinutes(30), "ada@host", JournalActions.SetStatus, "7", "WEB-7", before: unresolved, after: resolved, change: "resolve"),
            new JournalEntry(T0.AddMinutes(31), "bob@host", JournalActions.SetStatus, "8", "WEB-8", before: unresolved, after: resolved, change: "resolve"),
            new JournalEntry(T0.AddMinutes(40), "ada@host", JournalActions.UndoStatus, "7", "WEB-7", before: resolved, after: unresolved),
            new JournalEntry(T0.AddMinutes(55), "ada@host", JournalActions.SetStatus, "7", "WEB-7", before: unresolved, after: resolved),
        };

        IncidentTimeline timeline = Timelines.WithJournal(Sentry(), journal);
        var runbook = timeline.Entries.Where(e => e.Source == "Runbook").ToList();
        Assert.Equal(new[] { "message_not_delivered", "message_sent", "deploy_recorded", "status_changed", "status_undone", "status_changed" }, runbook.Select(e => e.Kind));
        Assert.Equal("Initial message sent to PagerDuty (not delivered)", runbook[0].Text);
        Assert.Equal("Deploy of web@1.0 to production recorded (deploy 99): rollback INC-42", runbook[2].Text);
        Assert.Equal("ada@host", runbook[3].User);
        Assert.DoesNotContain(timeline.Entries, e => e.Text.Contains("WEB-8"));
        Assert.True(timeline.Entries.Zip(timeline.Entries.Skip(1)).All(p => p.First.Time <= p.Second.Time));

        // The failed page is no acknowledgement; the delivered Slack message is.
        Assert.Equal(TimeSpan.FromMinutes(12), timeline.TimeToAcknowledge);
        // Resolved at 30, undone at 40, resolved again at 55.
        Assert.Equal(TimeSpan.FromMinutes(55), timeline.TimeToResolve);
        Assert.Null(Timelines.WithJournal(Sentry(), journal.Take(6).ToArray()).ResolvedAt);
    }

    [Fact]
    public void Taking_an_issue_with_Set_SentryIssue_is_on_the_timeline_and_acknowledges_it()
    {
        var journal = new[]
        {
            new JournalEntry(T0.AddMinutes(4), "bob@host", JournalActions.SetIssue, "8", "WEB-8", change: "set priority high"),
            new JournalEntry(T0.AddMinutes(6), "ada@host", JournalActions.SetIssue, "7", "WEB-7", "web", "set priority high and assign to #backend", detail: "priority medium -> high; assignee nobody -> team:1 (#backend)"),
        };

        IncidentTimeline timeline = Timelines.WithJournal(Sentry(), journal);
        TimelineEntry set = Assert.Single(timeline.Entries, e => e.Source == "Runbook");
        Assert.Equal(("issue_set", "Set priority high and assign to #backend: priority medium -> high; assignee nobody -> team:1 (#backend)", "ada@host"), (set.Kind, set.Text, set.User));
        Assert.Equal(TimeSpan.FromMinutes(6), timeline.TimeToAcknowledge);
    }
}

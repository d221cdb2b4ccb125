using SentryRunbook.Journal;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Journal;

/// <summary>Undo's decisions: what an issue goes back to, and when it is left alone because it changed since.</summary>
public class StatusRestoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue(string id, string status, string? substatus, SentryStatusDetails? details = null) =>
        new(id, "WEB-" + id, "Boom", null, "error", status, substatus, "web", "1", "python", Now.AddHours(-2), Now.AddHours(-1), 5, 1, null, null, null, false, null,
            Array.Empty<IssueStatPoint>(), statusDetails: details);

    private static JournalEntry Change(string id, DateTimeOffset at, IssueState before, IssueState after) =>
        new(at, "ada@host", JournalActions.SetStatus, id, before: before, after: after);

    private static readonly IssueState New = new("unresolved", "new", null);
    private static readonly IssueState Resolved = new("resolved", null, null);
    private static readonly IssueState Archived = new("ignored", "archived_forever", null);

    [Fact]
    public void Collect_takes_the_first_before_and_the_last_after_per_issue_since_a_time()
    {
        var entries = new[]
        {
            Change("1", Now.AddHours(-3), Resolved, New),
            Change("1", Now.AddHours(-1), New, Resolved),
            Change("2", Now.AddMinutes(-50), New, Archived),
            Change("1", Now.AddMinutes(-30), Resolved, Archived),
            new JournalEntry(Now.AddMinutes(-20), "ada@host", JournalActions.UndoStatus, "2", before: Archived, after: New),
            new JournalEntry(Now.AddMinutes(-10), "ada@host", JournalActions.AddNote, "3"),
        };

        var collected = StatusRestore.Collect(entries, Now.AddHours(-2));
        Assert.Equal(new[] { "1", "2" }, collected.Select(c => c.IssueId));
        Assert.Same(entries[1], collected[0].First);
        Assert.Same(entries[3], collected[0].Last);
        Assert.Equal(3, StatusRestore.Collect(entries, null).SelectMany(c => new[] { c.First, c.Last }).Distinct().Count());
    }

    [Fact]
    public void An_issue_still_as_the_journal_left_it_goes_back_with_its_substatus()
    {
        var plan = StatusRestore.Decide(Change("1", Now, New, Resolved), Change("1", Now, New, Resolved), Issue("1", "resolved", null), Now);
        Assert.Equal(RestoreAction.Restore, plan.Action);
        Assert.Equal("unresolved", plan.Change!.Status);
        Assert.Equal("new", plan.Change.Substatus);
        Assert.Empty(plan.Change.Validate());
    }

    [Fact]
    public void An_issue_changed_since_is_left_alone_with_a_reason()
    {
        var plan = StatusRestore.Decide(Change("1", Now, New, Resolved), Change("1", Now, New, Resolved), Issue("1", "unresolved", "regressed"), Now);
        Assert.Equal(RestoreAction.ChangedSince, plan.Action);
        Assert.Equal("SentryIssueChangedSinceJournal", plan.ErrorId);
        Assert.Contains("regressed", plan.Reason);
        Assert.Null(plan.Change);

        // A different resolution counts as a change too.
        var other = StatusRestore.Decide(Change("1", Now, New, Resolved), Change("1", Now, New, Resolved), Issue("1", "resolved", null, new SentryStatusDetails(inRelease: "web@2")), Now);
        Assert.Equal(RestoreAction.ChangedSince, other.Action);
    }

    [Fact]
    public void An_issue_already_back_needs_nothing()
    {
        var plan = StatusRestore.Decide(Change("1", Now, New, Resolved), Change("1", Now, New, Resolved), Issue("1", "unresolved", "new"), Now);
        Assert.Equal(RestoreAction.AlreadyRestored, plan.Action);
    }

    [Theory]
    [InlineData("resolved", null, "inNextRelease", "resolve in the next release")]
    [InlineData("resolved", null, "inRelease", "resolve in release web@1.2")]
    [InlineData("ignored", "archived_until_escalating", "", "archive until it escalates")]
    [InlineData("ignored", "archived_until_condition_met", "count", "archive until 100 more events within 60 minutes")]
    [InlineData("ignored", "archived_until_condition_met", "until", "archive for 90 minutes")]
    [InlineData("ignored", "archived_forever", "", "archive forever")]
    [InlineData("unresolved", "ongoing", "", "unresolve (ongoing)")]
    public void Each_recorded_state_has_the_change_that_recreates_it(string status, string? substatus, string details, string expected)
    {
        SentryStatusDetails d = details switch
        {
            "inNextRelease" => new SentryStatusDetails(inNextRelease: true),
            "inRelease" => new SentryStatusDetails(inRelease: "web@1.2"),
            "count" => new SentryStatusDetails(ignoreCount: 100, ignoreWindow: 60),
            "until" => new SentryStatusDetails(ignoreUntil: Now.AddMinutes(89.5)),
            _ => SentryStatusDetails.None,
        };
        StatusChange? change = StatusRestore.ChangeFor(new IssueState(status, substatus, d), Now, out string? problem);
        Assert.Null(problem);
        Assert.Equal(expected, change!.Describe());
        Assert.Empty(change.Validate());
    }

    [Fact]
    public void States_Sentry_cannot_be_asked_for_are_refused_with_why()
    {
        Assert.Null(StatusRestore.ChangeFor(new IssueState("resolved", null, new SentryStatusDetails(inCommit: "abc1234")), Now, out string? commit));
        Assert.Contains("commit abc1234", commit);
        Assert.Null(StatusRestore.ChangeFor(new IssueState("ignored", "archived_until_condition_met", new SentryStatusDetails(ignoreUntil: Now.AddMinutes(-5))), Now, out string? expired));
        Assert.Contains("has passed", expired);
        var plan = StatusRestore.Decide(Change("1", Now, new IssueState("resolved", null, new SentryStatusDetails(inCommit: "abc1234")), Archived), Change("1", Now, Archived, Archived), Issue("1", "ignored", "archived_forever"), Now);
        Assert.Equal(RestoreAction.CannotRestore, plan.Action);
        Assert.Equal("SentryIssueStateNotRestorable", plan.ErrorId);
    }

    [Fact]
    public void A_substatus_goes_only_with_an_unresolve()
    {
        Assert.Contains(new StatusChange { Status = "resolved", Substatus = "new" }.Validate(), e => e.ErrorId == "SentrySubstatusInvalid");
        Assert.Contains(new StatusChange { Status = "unresolved", Substatus = "archived_forever" }.Validate(), e => e.ErrorId == "SentrySubstatusInvalid");
        var change = new StatusChange { Status = "unresolved", Substatus = "new" };
        Assert.False(change.HasTakenEffect(Issue("1", "unresolved", "ongoing")));
        Assert.True(change.HasTakenEffect(Issue("1", "unresolved", "new")));
        Assert.False(change.IsAlreadyApplied(Issue("1", "unresolved", "ongoing")));
    }
}

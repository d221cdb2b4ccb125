using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Postmortem;

public class TimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue(DateTimeOffset? firstSeen, DateTimeOffset? lastSeen, string status = "unresolved") =>
        new("7", "WEB-7", "Error", null, "error", status, null, "web", "1", "node", firstSeen, lastSeen, 10, 5, null, "web@1.0.0", "web@1.0.0", true, null, Array.Empty<IssueStatPoint>());

    private static SentryActivity A(string type, int minutes, string? user = null, string? text = null) =>
        new(null, "7", type, T0.AddMinutes(minutes), user, text is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["text"] = text });

    [Fact]
    public void Entries_merge_in_time_order_and_ties_keep_the_merge_order()
    {
        var deploys = new[]
        {
            new SentryDeploy("1", "web@1.0.0", "production", null, null, T0.AddMinutes(-10), T0.AddMinutes(-5)),
            new SentryDeploy("2", "web@0.9.0", "production", null, null, null, T0.AddMinutes(30)),     // a rollback after first seen
            new SentryDeploy("3", "web@0.8.0", "production", null, null, null, T0.AddDays(-3)),         // an old unrelated release: left out
        };
        // Sentry lists activity newest first; two entries share 10:30 with the rollback deploy.
        var activity = new[] { A("set_resolved", 30, "bob"), A("note", 5, "alice", "looking"), A("first_seen", 0), A("assigned", 30, "bob") };

        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(40)), activity, deploys);

        Assert.Equal(new[] { "deploy", "first_seen", "note", "deploy", "set_resolved", "assigned", "last_seen" }, t.Entries.Select(e => e.Kind));
        Assert.Equal("web@1.0.0 deployed to production", t.Entries[0].Text);
        Assert.Equal("Deploy", t.Entries[3].Source);
        Assert.Equal("alice", t.Entries[2].User);
        Assert.Equal("looking", t.Entries[2].Text);
        Assert.DoesNotContain(t.Entries, e => e.Text.Contains("0.8.0"));
        Assert.Equal("WEB-7", t.ShortId);
    }

    [Fact]
    public void Without_an_alert_detection_is_first_seen_and_the_first_note_acknowledges()
    {
        var activity = new[] { A("note", 4, "alice", "on it"), A("note", 9, "alice", "ack"), A("set_resolved_in_release", 85, "alice") };
        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(80)), activity, Array.Empty<SentryDeploy>());

        Assert.Equal(T0, t.FirstSeen);
        Assert.Equal(T0, t.DetectedAt);                        // no alert: Sentry raising the issue, never a note
        Assert.Equal(T0.AddMinutes(4), t.AcknowledgedAt);
        Assert.Equal(T0.AddMinutes(85), t.ResolvedAt);
        Assert.Equal(TimeSpan.Zero, t.TimeToDetect);
        Assert.Equal(TimeSpan.FromMinutes(4), t.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(85), t.TimeToResolve);
        Assert.Equal("Resolved in the next release", t.Entries.Single(e => e.Kind == "set_resolved_in_release").Text);
    }

    [Fact]
    public void A_resolution_and_its_note_acknowledge_when_they_were_written_not_at_once()
    {
        // The only human actions: a resolve at 10:30 with the note written alongside it.
        var activity = new[] { A("note", 30, "alice", "fixed by rollback"), A("set_resolved", 30, "alice") };
        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(29)), activity, Array.Empty<SentryDeploy>());
        Assert.Equal(TimeSpan.FromMinutes(30), t.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(30), t.TimeToResolve);
    }

    [Fact]
    public void An_assignment_by_a_person_acknowledges_and_sentry_resolving_by_age_does_not()
    {
        var byAge = new SentryActivity(null, "7", "set_resolved_by_age", T0.AddMinutes(50), null, new Dictionary<string, string>());
        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(5)), new[] { A("assigned", 7, "bob"), byAge }, Array.Empty<SentryDeploy>());
        Assert.Equal(T0.AddMinutes(7), t.AcknowledgedAt);
        IncidentTimeline unattended = Timelines.Build(Issue(T0, T0.AddMinutes(5)), new[] { byAge }, Array.Empty<SentryDeploy>());
        Assert.Null(unattended.AcknowledgedAt);
        Assert.Equal(T0.AddMinutes(50), unattended.ResolvedAt);
    }

    [Fact]
    public void An_alert_entry_is_detection_and_the_next_note_is_acknowledgement()
    {
        var activity = new[] { A("note", 12, "alice", "investigating"), A("alert", 3), A("note", 1, "bot", "automated, before the alert") };
        IncidentTimeline t = Timelines.Build(Issue(T0, null), activity, Array.Empty<SentryDeploy>());

        Assert.Equal(T0.AddMinutes(3), t.DetectedAt);
        Assert.Equal(T0.AddMinutes(12), t.AcknowledgedAt);
        Assert.Equal(TimeSpan.FromMinutes(3), t.TimeToDetect);
        Assert.Equal(TimeSpan.FromMinutes(9), t.TimeToAcknowledge);
        Assert.Null(t.ResolvedAt);
        Assert.Null(t.TimeToResolve);
    }

    [Fact]
    public void Without_notes_detection_is_first_seen_and_nothing_is_acknowledged()
    {
        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(5)), Array.Empty<SentryActivity>(), Array.Empty<SentryDeploy>());
        Assert.Equal(T0, t.DetectedAt);
        Assert.Equal(TimeSpan.Zero, t.TimeToDetect);
        Assert.Null(t.AcknowledgedAt);
        Assert.Null(t.TimeToAcknowledge);
    }

    [Theory]
    [InlineData("set_regression")]
    [InlineData("set_unresolved")]
    public void Reopening_after_a_resolve_means_not_resolved(string reopen)
    {
        var activity = new[] { A("set_resolved", 20), A(reopen, 40) };
        Assert.Null(Timelines.Build(Issue(T0, T0.AddMinutes(50)), activity, Array.Empty<SentryDeploy>()).ResolvedAt);

        var resolvedAgain = new[] { A("set_resolved", 20), A(reopen, 40), A("set_resolved_in_release", 60) };
        Assert.Equal(T0.AddMinutes(60), Timelines.Build(Issue(T0, T0.AddMinutes(50)), resolvedAgain, Array.Empty<SentryDeploy>()).ResolvedAt);
    }

    [Fact]
    public void Ignored_is_described_and_is_not_resolved()
    {
        var ignored = new SentryActivity(null, "7", "set_ignored", T0.AddMinutes(20), "carol", new Dictionary<string, string> { ["ignoreCount"] = "100" });
        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(50), "ignored"), new[] { ignored }, Array.Empty<SentryDeploy>());
        Assert.Equal("Archived until 100 more events", t.Entries.Single(e => e.Kind == "set_ignored").Text);
        Assert.Null(t.ResolvedAt);
    }

    [Fact]
    public void The_seed_incidents_have_the_expected_milestones()
    {
        IncidentTimeline payment = PostmortemFixtures.Build("payment").Timeline;
        // No alert rule fired: detection is first seen, and the "Ack" note five minutes later acknowledges.
        Assert.Equal(TimeSpan.Zero, payment.TimeToDetect);
        Assert.Equal(TimeSpan.FromMinutes(5), payment.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(85), payment.TimeToResolve);
        Assert.Single(payment.Entries, e => e.Kind == "first_seen");
    }

    private static SentryIssue Member(string id, string shortId, DateTimeOffset firstSeen, DateTimeOffset lastSeen) =>
        new(id, shortId, "Error " + shortId, null, "error", "unresolved", null, "web", "1", "node", firstSeen, lastSeen, 10, 5, null, null, null, true, null, Array.Empty<IssueStatPoint>());

    private static SentryIncident Incident(params SentryIssue[] members) =>
        new(members, "storm", members[0], "P1", members[0].ShortId, "spike", "DeploymentRegression", Array.Empty<IncidentMemberReason>(), new[] { "web@2.0.0" }, new[] { "production" }, null);

    private static SentryActivity On(string issueId, string type, int minutes, string? user = null) =>
        new(null, issueId, type, T0.AddMinutes(minutes), user, new Dictionary<string, string>());

    [Fact]
    public void An_incident_timeline_marks_each_member_lists_a_shared_deploy_once_and_is_resolved_when_its_last_member_is()
    {
        SentryIssue a = Member("1", "WEB-1", T0, T0.AddMinutes(20)), b = Member("2", "API-1", T0.AddMinutes(2), T0.AddMinutes(30));
        var deploy = new SentryDeploy("9", "web@2.0.0", "production", null, null, null, T0.AddMinutes(-3));
        IncidentTimeline ta = Timelines.Build(a, new[] { On("1", "set_resolved", 25, "alice") }, new[] { deploy });
        IncidentTimeline tb = Timelines.Build(b, new[] { On("2", "assigned", 6, "bob"), On("2", "set_resolved", 40, "alice") }, new[] { deploy });

        IncidentTimeline t = Timelines.ForIncident(Incident(a, b), new[] { ta, tb }, new[] { deploy });

        Assert.Equal(Incident(a, b).Id, t.IncidentId);
        Assert.Equal(new[] { "1", "2" }, t.IssueIds);
        Assert.Single(t.Entries, e => e.Kind == "deploy");
        Assert.Null(t.Entries.Single(e => e.Kind == "deploy").Issue);
        Assert.Equal(new[] { "WEB-1", "API-1" }, t.Entries.Where(e => e.Kind == "first_seen").Select(e => e.Issue));
        Assert.Equal(T0.AddMinutes(30), t.Entries.Single(e => e.Kind == "last_seen").Time);
        Assert.Equal(T0, t.FirstSeen);
        Assert.Equal(T0.AddMinutes(6), t.AcknowledgedAt);          // bob's assignment of API-1: the first human action on any member
        Assert.Equal(T0.AddMinutes(40), t.ResolvedAt);             // API-1, the last member resolved
        Assert.Equal(TimeSpan.FromMinutes(40), t.TimeToResolve);

        IncidentTimeline open = Timelines.ForIncident(Incident(a, b), new[] { ta, Timelines.Build(b, Array.Empty<SentryActivity>(), Array.Empty<SentryDeploy>()) });
        Assert.Null(open.ResolvedAt);                               // one member still open: the incident is not resolved
    }

    [Fact]
    public void An_incident_timeline_reads_the_journal_of_every_member_and_an_undo_reopens_it()
    {
        SentryIssue a = Member("1", "WEB-1", T0, T0.AddMinutes(20)), b = Member("2", "API-1", T0.AddMinutes(2), T0.AddMinutes(30));
        IncidentTimeline t = Timelines.ForIncident(Incident(a, b), new[] { Timelines.Build(a, Array.Empty<SentryActivity>(), Array.Empty<SentryDeploy>()), Timelines.Build(b, Array.Empty<SentryActivity>(), Array.Empty<SentryDeploy>()) });
        var unresolved = new IssueState("unresolved", "new", null);
        var resolved = new IssueState("resolved", null, null);
        JournalEntry Change(string id, string shortId, int minutes, IssueState before, IssueState after, string action = JournalActions.SetStatus) =>
            new(T0.AddMinutes(minutes), "ops@host", action, id, shortId, "web", before: before, after: after);

        var journal = new[] { Change("1", "WEB-1", 31, unresolved, resolved), Change("2", "API-1", 33, unresolved, resolved), Change("3", "OTHER-1", 10, unresolved, resolved) };
        IncidentTimeline done = Timelines.WithJournal(t, journal);
        Assert.Equal(new[] { "WEB-1", "API-1" }, done.Entries.Where(e => e.Source == "Runbook").Select(e => e.Issue));   // OTHER-1 is not a member
        Assert.Equal(T0.AddMinutes(31), done.AcknowledgedAt);
        Assert.Equal(T0.AddMinutes(33), done.ResolvedAt);

        IncidentTimeline undone = Timelines.WithJournal(t, journal.Append(Change("2", "API-1", 50, resolved, unresolved, JournalActions.UndoStatus)).ToList());
        Assert.Null(undone.ResolvedAt);
        Assert.Equal(T0.AddMinutes(31), undone.MemberResolvedAt["1"]);
        Assert.Null(undone.MemberResolvedAt["2"]);
    }
}

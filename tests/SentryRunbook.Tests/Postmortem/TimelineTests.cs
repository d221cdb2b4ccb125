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
    public void Detect_acknowledge_and_resolve_times()
    {
        var activity = new[] { A("note", 4, "alice", "on it"), A("note", 9, "alice", "ack"), A("set_resolved_in_release", 85, "alice") };
        IncidentTimeline t = Timelines.Build(Issue(T0, T0.AddMinutes(80)), activity, Array.Empty<SentryDeploy>());

        Assert.Equal(T0, t.FirstSeen);
        Assert.Equal(T0.AddMinutes(4), t.DetectedAt);          // no alert: the first note
        Assert.Equal(T0.AddMinutes(4), t.AcknowledgedAt);
        Assert.Equal(T0.AddMinutes(85), t.ResolvedAt);
        Assert.Equal(TimeSpan.FromMinutes(4), t.TimeToDetect);
        Assert.Equal(TimeSpan.Zero, t.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(85), t.TimeToResolve);
        Assert.Equal("Resolved in the next release", t.Entries.Single(e => e.Kind == "set_resolved_in_release").Text);
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
        Assert.Equal(TimeSpan.FromMinutes(5), payment.TimeToDetect);
        Assert.Equal(TimeSpan.Zero, payment.TimeToAcknowledge);
        Assert.Equal(TimeSpan.FromMinutes(85), payment.TimeToResolve);
        Assert.Single(payment.Entries, e => e.Kind == "first_seen");
    }
}

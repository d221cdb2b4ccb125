using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class TriageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<IssueStatPoint> Hours(params long[] counts) =>
        counts.Select((c, i) => new IssueStatPoint(Now.AddHours(-counts.Length + i), c)).ToList();

    [Theory]
    [InlineData(new long[] { 0, 0, 0, 0, 200 }, "Spiking")]
    [InlineData(new long[] { 10, 12, 9, 11, 10 }, "Steady")]
    [InlineData(new long[] { 50, 60, 55, 40, 5 }, "Declining")]
    [InlineData(new long[] { 5, 3, 0, 0 }, "Quiet")]
    [InlineData(new long[] { }, "Quiet")]
    [InlineData(new long[] { 0, 0, 0, 3 }, "Steady")]
    public void Trend_from_the_hourly_histogram(long[] counts, string trend) => Assert.Equal(trend, TriageBuilder.Trend(Hours(counts)));

    [Fact]
    public void The_unfinished_hour_is_scaled_to_a_full_hour()
    {
        // 10 events an hour, and 2 in the first 12 minutes of the current hour: steady, not declining.
        var stats = Hours(10, 11, 9, 10, 2);
        Assert.Equal("Declining", TriageBuilder.Trend(stats));
        Assert.Equal("Steady", TriageBuilder.Trend(stats, stats[^1].Time.AddMinutes(12)));
    }

    [Fact]
    public void The_report_walks_every_checklist_step_and_says_what_is_missing()
    {
        var issue = new SentryIssue("1", "WEB-1", "PaymentProcessingError: payload could not be parsed", "handle", "fatal", "unresolved", "new", "web", "1", "node",
            Now.AddMinutes(-5), Now, 200, 150, null, "web@2.4.2", "web@2.4.2", true, null, Hours(0, 0, 0, 200));
        var data = new TriageData(issue, Now)
        {
            Tags = new[]
            {
                new SentryIssueTag("1", "environment", null, 200, 1, new[] { new SentryTagValue("production", null, 200, 100, null, null) }),
                new SentryIssueTag("1", "browser", null, 200, 2, new[] { new SentryTagValue("Chrome 120", null, 196, 98, null, null), new SentryTagValue("Firefox", null, 4, 2, null, null) }),
                new SentryIssueTag("1", "os", null, 200, 1, new[] { new SentryTagValue("Linux 6.1", null, 200, 100, null, null) }),
                new SentryIssueTag("1", "os.name", null, 200, 1, new[] { new SentryTagValue("Linux", null, 200, 100, null, null) }),
                new SentryIssueTag("1", "url", null, 200, 1, new[] { new SentryTagValue("https://shop/checkout", null, 200, 100, null, null) }),
                new SentryIssueTag("1", "payment_provider", null, 200, 1, new[] { new SentryTagValue("stripe", null, 200, 100, null, null) }),
                new SentryIssueTag("1", "customer.tier", null, 200, 2, new[] { new SentryTagValue("gold", null, 120, 60, null, null) }),
                new SentryIssueTag("1", "device", null, 40, 1, new[] { new SentryTagValue("iPhone", null, 40, 100, null, null) }),
                new SentryIssueTag("1", "os.name", null, 200, 1, new[] { new SentryTagValue("Linux", null, 200, 100, null, null) }),
            },
            Impact = new IncidentImpact("1", "WEB-1", Now.AddHours(-24), Now, 200, 150, 60, 150, 91, 93, null, new[] { "production" }, new[] { "web@2.4.2" }, Array.Empty<ImpactQuery>(), null, Array.Empty<string>()),
        };
        data.Problems["Latest event"] = "Sentry answered 404 (Event not found)";

        TriageReport report = TriageBuilder.Build(data);

        Assert.Equal(13, report.Checklist.Count);
        Assert.Equal("Spiking", report.Trend);
        Assert.True(report.IsNew);
        Assert.False(report.IsRegression);
        Assert.Equal("P0", report.Severity.Severity);
        Assert.Equal("web@2.4.2", report.Release);
        Assert.Equal(new[] { "browser: Chrome 120 (98%)", "os: Linux 6.1 (100%)", "payment_provider: stripe (100%)" }, report.TagPatterns);
        TriageStep frame = report.Checklist.Single(s => s.Step == "Failing frame");
        Assert.False(frame.Done);
        Assert.Contains("404", frame.Finding);
        Assert.Contains(report.RecommendedActions, a => a.StartsWith("P0: respond within 15 minutes"));
        Assert.Contains(report.RecommendedActions, a => a.Contains("initial alert"));
    }

    [Fact]
    public void Rollback_target_is_the_last_healthy_release_before_the_current_one()
    {
        var deploys = new[]
        {
            new SentryDeploy("1", "web@2.3.9", "production", null, null, null, Now.AddDays(-3)),
            new SentryDeploy("2", "web@2.4.1", "production", null, null, null, Now.AddMinutes(-45)),
            new SentryDeploy("3", "web@2.4.2", "production", null, null, null, Now.AddMinutes(-20)),
            new SentryDeploy("4", "web@2.4.2", "staging", null, null, null, Now.AddHours(-2)),
        };
        var health = new Dictionary<string, double?> { ["web@2.4.2"] = 91, ["web@2.4.1"] = 94.5, ["web@2.3.9"] = 99.7 };

        SentryRollbackTarget target = RollbackFinder.Find("production", "web", deploys, health)!;

        Assert.Equal("web@2.3.9", target.Release);
        Assert.Equal("web@2.4.2", target.CurrentRelease);
        Assert.Equal(99.7, target.CrashFreeSessionRate);
        Assert.Contains(target.Reasons, r => r.StartsWith("Skipped web@2.4.1") && r.Contains("94.5%"));
    }

    [Fact]
    public void Rollback_goes_past_the_release_that_introduced_the_problem()
    {
        var deploys = new[]
        {
            new SentryDeploy("1", "web@2.3.9", "production", null, null, null, Now.AddDays(-3)),
            new SentryDeploy("2", "web@2.4.1", "production", null, null, null, Now.AddMinutes(-45)),
            new SentryDeploy("3", "web@2.4.2", "production", null, null, null, Now.AddMinutes(-20)),
        };
        SentryRollbackTarget target = RollbackFinder.Find("production", "web", deploys, new Dictionary<string, double?>(), badRelease: "web@2.4.1")!;
        Assert.Equal("web@2.3.9", target.Release);
        Assert.Equal("web@2.4.2", target.CurrentRelease);
        Assert.Contains(target.Reasons, r => r.Contains("came with web@2.4.1"));
        Assert.Null(RollbackFinder.Find("production", "web", deploys, new Dictionary<string, double?>(), badRelease: "web@9.9.9"));
        // Once a later release no longer shows the problem, there is nothing to roll back.
        Assert.Null(RollbackFinder.Find("production", "web", deploys, new Dictionary<string, double?>(), badRelease: "web@2.4.1", affectedReleases: new[] { "web@2.4.1" }));
        Assert.NotNull(RollbackFinder.Find("production", "web", deploys, new Dictionary<string, double?>(), badRelease: "web@2.4.1", affectedReleases: new[] { "web@2.4.1", "web@2.4.2" }));
    }

    [Fact]
    public void Rollback_without_session_data_is_allowed_but_unverified()
    {
        var deploys = new[] { new SentryDeploy("1", "api@1.8.1", "production", null, null, null, Now.AddDays(-2)), new SentryDeploy("2", "api@1.8.2", "production", null, null, null, Now.AddHours(-6)) };
        SentryRollbackTarget target = RollbackFinder.Find("production", "api", deploys, new Dictionary<string, double?>())!;
        Assert.Equal("api@1.8.1", target.Release);
        Assert.Null(target.CrashFreeSessionRate);
        Assert.Contains(target.Reasons, r => r.Contains("unverified"));
        Assert.Null(RollbackFinder.Find("staging", "api", deploys, new Dictionary<string, double?>()));
    }
}

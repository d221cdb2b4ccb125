using System.Diagnostics;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>The seed-examples numbers later features and the runbook examples rely on.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ScenarioTests(SandboxFixture sandbox)
{
    private Store.EventStore Store => sandbox.Host.State.Store;

    [Fact]
    public void PaymentIncident_200EventsInFiveMinutes_150Users()
    {
        var issue = Store.FindByShortId("WEB-1")!;
        Assert.Equal("PaymentProcessingError: Stripe webhook payload could not be parsed", issue.Title);
        var events = Store.Read(_ => issue.Events.ToList());
        Assert.Equal(200, events.Count);
        Assert.All(events, e => Assert.True(e.Timestamp >= Store.CreatedAt.AddMinutes(-5) && e.Timestamp <= Store.CreatedAt));
        Assert.InRange(issue.UserCount, 140, 160);
        Assert.True(issue.IsUnhandled);
        Assert.Equal("fatal", issue.Level);
        Assert.Equal(["production"], issue.Environments);
        Assert.Equal(["web@2.4.2"], issue.Releases);
        Assert.Equal(4501, issue.Id);
    }

    [Fact]
    public void GeocodingOutage_180EventsFrom40UsersInTheLastHour()
    {
        var issue = Store.FindByShortId("API-1")!;
        Assert.Equal("ServiceUnavailableError: Geocoding API returned 503", issue.Title);
        Assert.Equal(180, Store.Read(_ => issue.Events.Count(e => e.Timestamp >= Store.CreatedAt.AddHours(-1))));
        Assert.Equal(40, issue.UserCount);
        Assert.False(issue.IsUnhandled);
        Assert.Equal("api@1.8.2", issue.LastRelease);
    }

    [Fact]
    public void CartRegression_320Users_FirstSeenAtTheReleaseCreation()
    {
        var issue = Store.FindByShortId("WEB-2")!;
        Assert.StartsWith("TypeError: Cannot read properties of undefined", issue.Title);
        Assert.Equal(320, issue.UserCount);
        Assert.Equal(900, issue.Count);
        var release = Store.Read(s => s.Releases.Find("web@2.4.1"))!;
        Assert.Equal(release.DateCreated, issue.FirstSeen);
        Assert.Equal(Store.CreatedAt.AddMinutes(-45), issue.FirstSeen, TimeSpan.FromMilliseconds(1));
        Assert.Equal("renderCartSummary", issue.Metadata.Function);
        Assert.Equal("src/cart/summary.ts", issue.Metadata.Filename);
        Assert.True(issue.IsUnhandled);
    }

    [Fact]
    public void OtherCuratedIssues_AndBackground()
    {
        var staging = Store.FindByShortId("WEB-3")!;
        Assert.Equal((12L, 3, "staging"), (staging.Count, staging.UserCount, staging.Environments.Single()));
        var worker = Store.FindByShortId("WORKER-1")!;
        Assert.Null(worker.FirstRelease);
        Assert.Empty(worker.Environments);
        Assert.All(Store.Read(_ => worker.Events.ToList()), e =>
        {
            Assert.Empty(e.Breadcrumbs);
            Assert.All(e.Exceptions.SelectMany(x => x.Frames), f => Assert.False(f.InApp));
        });
        var pool = Store.FindByShortId("API-2")!;
        Assert.Equal("TimeoutException: Connection pool exhausted (max 20)", pool.Title);
        Assert.True(Store.Read(_ => pool.MinuteCounts.Count) > 100);

        var issues = Store.Issues;
        Assert.True(issues.Count >= 306);
        Assert.True(issues.Count(i => i.Status == "unresolved") > 260);
        Assert.Contains(issues, i => i.Status == "resolved");
        Assert.Contains(issues, i => i.Status == "ignored");
        Assert.Contains(issues, i => i.Substatus == "regressed" && i.Activities.Any(a => a.Type == "set_regression"));
        Assert.InRange(Store.Read(s => s.AllEvents.Count), 10_000, 30_000);
    }

    [Fact]
    public void Sessions_CrashFreeRates()
    {
        double CrashFree(string project, TimeSpan from, TimeSpan to, string? release = null) => Store.Read(s =>
        {
            var buckets = s.SessionAggregates.Where(a => a.Project.Slug == project && a.Started >= s.CreatedAt - from && a.Started < s.CreatedAt - to && (release is null || a.Release == release)).ToList();
            return 1 - buckets.Sum(a => a.Crashed) / (double)buckets.Sum(a => a.Total);
        });
        Assert.InRange(CrashFree("web", TimeSpan.FromHours(1), TimeSpan.Zero, "web@2.4.2"), 0.90, 0.915);
        Assert.InRange(CrashFree("web", TimeSpan.FromMinutes(5), TimeSpan.Zero, "web@2.4.2"), 0.90, 0.915);
        Assert.InRange(CrashFree("web", TimeSpan.FromHours(1), TimeSpan.Zero), 0.95, 0.985);
        Assert.True(CrashFree("web", TimeSpan.FromHours(1), TimeSpan.Zero, "web@2.4.1") >= 0.99);
        Assert.True(CrashFree("web", TimeSpan.FromHours(24), TimeSpan.FromHours(1)) >= 0.99);
        Assert.True(CrashFree("api", TimeSpan.FromHours(24), TimeSpan.Zero) >= 0.995);
        Assert.True(CrashFree("api", TimeSpan.FromHours(1), TimeSpan.Zero) >= 0.995);
    }

    [Fact]
    public void Transactions_P95()
    {
        double P95(Func<Model.TransactionRecord, bool> filter) => Store.Read(s =>
        {
            var d = s.Transactions.Where(filter).Select(t => t.DurationMs).Order().ToList();
            return d[(int)Math.Ceiling(0.95 * d.Count) - 1];
        });
        var lastHour = Store.CreatedAt.AddHours(-1);
        Assert.InRange(P95(t => t.Name == "GET /v1/geocode" && t.Start >= lastHour), 8000, 8400);
        foreach (var name in Store.Read(s => s.Transactions.Select(t => t.Name).Distinct().Where(n => n != "GET /v1/geocode").ToList()))
            Assert.InRange(P95(t => t.Name == name), 100, 800);
        Assert.InRange(P95(t => t.Name == "GET /v1/geocode" && t.Start < lastHour), 100, 800);
    }

    [Fact]
    public void TheSameStartTime_GivesTheSameStore()
    {
        // Scenario times are relative to start-up: two stores built for one instant are equal issue by issue.
        // (How fast start-up is lives in bench/SentryRunbook.Bench.Sandbox, not in a timed test.)
        var now = DateTimeOffset.UtcNow;
        var a = Scenarios.SeedExamples.Build(new SandboxOptions(), now).Issues.Select(i => (i.ShortId, i.Title, i.Count)).ToList();
        var b = Scenarios.SeedExamples.Build(new SandboxOptions(), now).Issues.Select(i => (i.ShortId, i.Title, i.Count)).ToList();
        Assert.Equal(b, a);
        Assert.NotEmpty(a);
    }
}

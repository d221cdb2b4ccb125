using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class ReleaseHealthGathererTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static SentryDeploy Deploy(string release, string environment, double hoursAgo) =>
        new("d-" + release + environment, release, environment, null, null, null, Now.AddHours(-hoursAgo));

    private static SentryRelease Release(string version, SentryDeploy? last) =>
        new(version, version, Now.AddDays(-10), null, last, 0, new[] { "web" }, null, null, 0);

    private static SentrySessionGroup Group(string release, double sessions, double crashFree, double users, double crashFreeUsers) =>
        new(new Dictionary<string, string> { ["release"] = release },
            new Dictionary<string, double?> { ["sum(session)"] = sessions, ["crash_free_rate(session)"] = crashFree, ["count_unique(user)"] = users, ["crash_free_rate(user)"] = crashFreeUsers },
            new Dictionary<string, IReadOnlyList<double?>>());

    private static SentryApiException BadRequest(string detail) =>
        new(SentryErrorKind.InvalidRequest, "SentryInvalidRequest", "Sentry refused the request", "fix it", 400, detail);

    /// <summary>
    /// web@1.1.0 went to production 3 hours ago. web@1.0.1 is newer than web@1.0.0 but only reached staging;
    /// web@1.0.0 went to production 2 days ago and web@0.9.0 a week ago; web@1.1.1 went out after web@1.1.0.
    /// </summary>
    private static FakeSentryApi Api()
    {
        var deploys = new Dictionary<string, SentryDeploy[]>
        {
            ["web@1.1.1"] = new[] { Deploy("web@1.1.1", "production", 1) },
            ["web@1.1.0"] = new[] { Deploy("web@1.1.0", "staging", 4), Deploy("web@1.1.0", "production", 3) },
            ["web@1.0.1"] = new[] { Deploy("web@1.0.1", "staging", 20) },
            ["web@1.0.0"] = new[] { Deploy("web@1.0.0", "production", 48) },
            ["web@0.9.0"] = new[] { Deploy("web@0.9.0", "production", 168) },
        };
        return new FakeSentryApi
        {
            Deploys = v => deploys[v],
            ReleasePage = _ => new SentryPage<SentryRelease>(new[]
            {
                Release("web@1.1.1", deploys["web@1.1.1"][0]),
                Release("web@1.1.0", deploys["web@1.1.0"][1]),
                Release("web@1.0.1", deploys["web@1.0.1"][0]),
                Release("web@1.0.2", null),
                Release("web@1.0.0", deploys["web@1.0.0"][0]),
                Release("web@0.9.0", deploys["web@0.9.0"][0]),
            }, null, null),
            Sessions = q => new SentrySessionStats(new[] { Now.AddHours(-1) }, new[]
            {
                Group("web@1.1.0", 1200, 0.9, 400, 0.7),
                Group("web@1.0.0", 12000, 0.998, 3000, 0.99),
            }),
            Discover = q => q.Dataset == "errors"
                ? new SentryTable(new[] { Row(("count()", q.Query!.Contains("1.1.0") ? 30.0 : 60.0)) }, new Dictionary<string, string>(), new Dictionary<string, string?>())
                : new SentryTable(new[] { Row(("transaction", "GET /"), (q.Fields[1], q.Query!.Contains("1.1.0") ? 900.0 : 600.0), ("count()", 300.0)) }, new Dictionary<string, string>(), new Dictionary<string, string?>()),
            IssuePage = q => new SentryPage<SentryIssue>(q.Query!.StartsWith("first-release", StringComparison.Ordinal)
                ? new[] { new SentryIssue("7", "WEB-7", "TypeError: x", null, "error", "unresolved", "new", "web", "1", "node", Now.AddHours(-2), Now, 40, 25, null, "web@1.1.0", "web@1.1.0", true, null, Array.Empty<IssueStatPoint>()) }
                : Array.Empty<SentryIssue>(), null, null),
        };
    }

    private static IReadOnlyDictionary<string, object?> Row(params (string Key, object Value)[] cells) => cells.ToDictionary(c => c.Key, c => (object?)c.Value);

    private static ReleaseHealthSignals Gather(FakeSentryApi api, ReleaseHealthRequest? request = null) =>
        new ReleaseHealthGatherer(api).GatherAsync(request ?? new ReleaseHealthRequest { Release = "web@1.1.0", Environment = "production", Project = "web" }, Now, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void The_baseline_is_the_release_deployed_to_the_environment_just_before()
    {
        FakeSentryApi api = Api();
        ReleaseHealthSignals signals = Gather(api);
        Assert.Equal("web@1.0.0", signals.Baseline);
        Assert.Equal(Now.AddHours(-3), signals.Since);
        Assert.Contains("deployed to production before web@1.1.0", signals.BaselineSource);
        // A release that was never deployed costs no request.
        Assert.DoesNotContain("GET deploys web@1.0.2", api.Calls);
    }

    [Fact]
    public void Counts_come_from_Sentrys_rates()
    {
        ReleaseHealthSignals signals = Gather(Api());
        Assert.Equal(1200, signals.Sessions!.Sessions);
        Assert.Equal(120, signals.Sessions.CrashedSessions);       // 1200 · (1 - 0.9)
        Assert.Equal(400, signals.Sessions.Users);
        Assert.Equal(120, signals.Sessions.CrashedUsers);          // 400 · (1 - 0.7)
        Assert.Equal(24, signals.BaselineSessions!.CrashedSessions); // 12000 · 0.002
        Assert.True(signals.ProjectHasSessions);
        Assert.Equal(30, signals.Errors);
        Assert.Equal(60, signals.BaselineErrors);
        Assert.Single(signals.NewIssues);
        Assert.Equal(25, signals.NewIssues[0].Users);
        ReleaseTransaction t = Assert.Single(signals.Transactions);
        Assert.Equal(900, t.P95DurationMs);
        Assert.Equal(600, t.BaselineP95DurationMs);
        Assert.Equal(50, t.ChangePercent);
        Assert.Contains("first-release:\"web@1.1.0\"", signals.NewIssuesQuery);
        Assert.Contains("regressed_in_release:\"web@1.1.0\"", signals.RegressedIssuesQuery);
        Assert.StartsWith("GET sessions/?", signals.SessionsQuery);
    }

    [Fact]
    public void A_named_baseline_is_used_as_is()
    {
        ReleaseHealthSignals signals = Gather(Api(), new ReleaseHealthRequest { Release = "web@1.1.0", Environment = "production", Project = "web", Baseline = "web@0.9.0" });
        Assert.Equal("web@0.9.0", signals.Baseline);
        Assert.Contains("named by the caller", signals.BaselineSource);
    }

    [Fact]
    public void Old_servers_get_the_transactions_dataset_and_the_nearest_regression_search()
    {
        FakeSentryApi api = Api();
        Func<DiscoverQuery, SentryTable> discover = api.Discover!;
        api.Discover = q => q.Dataset == "spans" ? throw BadRequest("dataset must be one of: discover, transactions") : discover(q);
        Func<IssueQuery, SentryPage<SentryIssue>> issues = api.IssuePage!;
        api.IssuePage = q => q.Query!.StartsWith("regressed_in_release", StringComparison.Ordinal) ? throw BadRequest("Invalid search") : issues(q);
        ReleaseHealthSignals signals = Gather(api);
        Assert.Equal(900, Assert.Single(signals.Transactions).P95DurationMs);
        Assert.Contains("dataset=transactions", signals.TransactionsQuery);
        Assert.Contains("is:regressed release:\"web@1.1.0\"", signals.RegressedIssuesQuery);
    }

    [Fact]
    public void Without_release_health_the_project_has_no_sessions()
    {
        FakeSentryApi api = Api();
        api.Sessions = _ => throw new SentryApiException(SentryErrorKind.NotFound, "SentryNotFound", "no", "no", 404, "The requested resource does not exist");
        ReleaseHealthSignals signals = Gather(api);
        Assert.False(signals.ProjectHasSessions);
        Assert.Null(signals.Sessions);
        Assert.Contains(signals.MissingSignals, m => m.StartsWith("CrashFreeSessionRate: Sentry answered 404", StringComparison.Ordinal));
        ReleaseHealthVerdict verdict = ReleaseHealthJudge.Judge(signals);
        Assert.Contains(verdict.Reasons, r => r.Contains("judged on issues alone", StringComparison.Ordinal));
    }

    [Fact]
    public void A_release_never_deployed_there_needs_a_start()
    {
        FakeSentryApi api = Api();
        SentryApiException ex = Assert.Throws<SentryApiException>(() => Gather(api, new ReleaseHealthRequest { Release = "web@1.0.1", Environment = "production", Project = "web" }));
        Assert.Equal("SentryReleaseNotDeployed", ex.ErrorId);
        ReleaseHealthSignals signals = Gather(api, new ReleaseHealthRequest { Release = "web@1.0.1", Environment = "production", Project = "web", Since = Now.AddHours(-2) });
        Assert.Equal(Now.AddHours(-2), signals.Since);
        // Without its own deploy, the baseline is the last production deploy before the window (web@1.1.0, 3 hours ago).
        Assert.Equal("web@1.1.0", signals.Baseline);
    }
}

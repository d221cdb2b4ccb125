using System.Net;
using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.Tests.Client;

namespace SentryRunbook.Tests.Core;

/// <summary>Cron and uptime issues: triage reads the monitor's check-ins, and its patterns come from them.</summary>
public class MonitorTriageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Due = Now.AddMinutes(-40);

    private static SentryIssue Issue(string category = "cron", string type = "monitor_check_in_failure") =>
        new("7", "WORKER-7", "Monitor failure: Nightly export", string.Empty, "error", "unresolved", "new", "worker", "3", "other", Due.AddMinutes(10), Due.AddMinutes(10), 1, 0, null, null, null, false, null,
            Array.Empty<IssueStatPoint>(), priority: "high", issueCategory: category, issueType: type);

    /// <summary>Check-ins newest first from a compact spec ("missed,ok,ok"), one a day back from <see cref="Due"/>.</summary>
    private static SentryMonitor Cron(string statuses, string environment = "production") =>
        new("cron", "m-1", "nightly-export", "Nightly export", "worker", "20 11 * * *", 10, 60, "error", null,
            statuses.Split(',').Select((s, i) => new SentryCheckIn("c" + i, s, environment, Due.AddDays(-i), Due.AddDays(-i), s == "ok" ? 600_000 : null)).ToList());

    private static SentryMonitor Uptime(int failing, int total = 20) =>
        new("uptime", "1", "1", "Geocoding provider", "api", "every 60 s", null, null, failing > 0 ? "down" : "up", "https://maps.geo.example/v1/health",
            Enumerable.Range(0, total).Select(i => i < failing
                ? new SentryCheckIn("u" + i, "error", "production", Now.AddMinutes(-i), Now.AddMinutes(-i), 200, 503, "failure")
                : new SentryCheckIn("u" + i, "ok", "production", Now.AddMinutes(-i), Now.AddMinutes(-i), 150, 200, null)).ToList());

    private static SentryDeploy Deploy(DateTimeOffset finished, string environment = "production", string release = "worker@3.4.0") =>
        new("d1", release, environment, null, null, finished.AddMinutes(-3), finished);

    [Theory]
    [InlineData("cron", "monitor_check_in_failure", "cron")]
    [InlineData("cron", null, "cron")]
    [InlineData("outage", "monitor_check_in_failure", "cron")]
    [InlineData("uptime", "uptime_domain_failure", "uptime")]
    [InlineData("outage", "uptime_domain_failure", "uptime")]
    [InlineData("uptime", null, "uptime")]
    [InlineData("error", "error", null)]
    [InlineData("performance", "performance_n_plus_one_db_queries", null)]
    [InlineData(null, null, null)]
    public void Outage_issues_are_told_by_category_or_by_type_when_Sentry_says_outage(string? category, string? type, string? kind) =>
        Assert.Equal(kind, MonitorAnalyzer.KindOf(Issue(category!, type!)));

    [Theory]
    // newest first: ok, missed, failed, timed out, in a row failing, whether a success was read
    [InlineData("missed,ok,ok,ok", 3, 1, 0, 0, 1, true)]
    [InlineData("error,timeout,missed,ok", 1, 1, 1, 1, 3, true)]
    [InlineData("in_progress,error,ok", 1, 0, 1, 0, 1, true)]
    [InlineData("ok,missed,ok", 2, 1, 0, 0, 0, true)]
    [InlineData("missed,missed", 0, 2, 0, 0, 2, false)]
    public void Check_ins_are_counted_and_the_current_run_of_failures_found(string statuses, int ok, int missed, int failed, int timedOut, int inARow, bool lastOkRead)
    {
        SentryMonitorHealth health = MonitorAnalyzer.Summarize(Cron(statuses));
        Assert.Equal((ok, missed, failed, timedOut, inARow), (health.Ok, health.Missed, health.Failed, health.TimedOut, health.ConsecutiveFailures));
        Assert.Equal(statuses.Split(',').Length, health.CheckInsRead);
        Assert.Equal(lastOkRead, health.LastOk.HasValue);
        if (inARow > 0) Assert.Equal(Due.AddDays(-(statuses.Split(',').Select((s, i) => (s, i)).Where(x => x.s != "in_progress").Take(inARow).Last().i)), health.FailingSince);
        else Assert.Null(health.FailingSince);
    }

    [Fact]
    public void Check_ins_of_other_environments_are_left_out_when_the_issue_names_one()
    {
        var staging = Cron("error,error,error", "staging");
        var both = new SentryMonitor("cron", "m-1", "nightly-export", "Nightly export", "worker", "20 11 * * *", 10, 60, "error", null,
            staging.CheckIns.Concat(Cron("ok,ok").CheckIns.Select(c => new SentryCheckIn("p" + c.Id, c.Status, "production", c.DateCreated!.Value.AddMinutes(1), c.ExpectedTime!.Value.AddMinutes(1), c.DurationMs))).ToList());
        SentryMonitorHealth production = MonitorAnalyzer.Summarize(both, "production");
        Assert.Equal((2, 0, 2), (production.CheckInsRead, production.ConsecutiveFailures, production.Ok));
    }

    [Theory]
    // deploy this many minutes before the first missed run (due 40 min ago; the last good run a day earlier), its environment, then the expected pattern's confidence (0 = none)
    [InlineData(30, "production", 0.85)]
    [InlineData(300, "production", 0.7)]
    [InlineData(60 * 25, "production", 0)]
    [InlineData(-10, "production", 0)]
    [InlineData(30, "staging", 0)]
    public void A_job_failing_since_a_deploy_of_its_project_is_a_deployment_regression(int minutesBefore, string environment, double confidence)
    {
        SentryMonitorHealth health = MonitorAnalyzer.Summarize(Cron("missed,ok,ok"));
        IReadOnlyList<IncidentPattern> patterns = MonitorAnalyzer.Patterns(Issue(), health, new[] { Deploy(Due.AddMinutes(-minutesBefore), environment) }, IncidentPolicy.Default);
        if (confidence == 0)
        {
            Assert.Empty(patterns);
            return;
        }

        IncidentPattern pattern = Assert.Single(patterns);
        Assert.Equal((PatternNames.DeploymentRegression, confidence), (pattern.Pattern, pattern.Confidence));
        Assert.Contains($"after worker@3.4.0 was deployed to {environment}", pattern.Evidence[0]);
        Assert.StartsWith("The first missed check-in of nightly-export", pattern.Evidence[0]);
        Assert.Contains("1 missed, 0 failed, 0 timed out of the last 3", pattern.Evidence[1]);
        Assert.Contains("worker@3.4.0", pattern.ImmediateAction);
    }

    [Fact]
    public void A_job_that_never_succeeded_is_a_weaker_deployment_regression()
    {
        SentryMonitorHealth health = MonitorAnalyzer.Summarize(Cron("missed,missed"));
        IncidentPattern pattern = Assert.Single(MonitorAnalyzer.Patterns(Issue(), health, new[] { Deploy(Due.AddDays(-2)) }, IncidentPolicy.Default));
        Assert.Equal(0.5, pattern.Confidence);
        Assert.Contains("No successful check-in among the last 2", pattern.Evidence[1]);
    }

    [Theory]
    [InlineData(20, 0.85, "20 uptime checks of https://maps.geo.example/v1/health in a row failed since at least")]
    [InlineData(3, 0.85, "3 uptime checks of https://maps.geo.example/v1/health in a row failed since 2026-11-28 11:58 UTC (HTTP 503; failure)")]
    [InlineData(1, 0.55, "1 uptime checks")]
    [InlineData(0, 0, null)]
    public void Failing_uptime_checks_are_an_upstream_down(int failing, double confidence, string? evidence)
    {
        SentryMonitorHealth health = MonitorAnalyzer.Summarize(Uptime(failing));
        IReadOnlyList<IncidentPattern> patterns = MonitorAnalyzer.Patterns(Issue("uptime", "uptime_domain_failure"), health, Array.Empty<SentryDeploy>(), IncidentPolicy.Default);
        if (confidence == 0)
        {
            Assert.Empty(patterns);
            return;
        }

        IncidentPattern pattern = Assert.Single(patterns);
        Assert.Equal((PatternNames.ThirdPartyFailure, confidence), (pattern.Pattern, pattern.Confidence));
        Assert.StartsWith(evidence!, pattern.Evidence[0]);
        Assert.StartsWith("maps.geo.example is down", pattern.ImmediateAction);
    }

    [Fact]
    public void Triage_of_a_cron_issue_reads_its_monitor_instead_of_frames_and_breadcrumbs()
    {
        SentryMonitorHealth health = MonitorAnalyzer.Summarize(Cron("missed,ok,ok"));
        var data = new TriageData(Issue(), Now) { Monitor = health, ProjectDeploys = new[] { Deploy(Due.AddMinutes(-30)) } };
        TriageReport report = TriageBuilder.Build(data);

        Assert.Same(health, report.Monitor);
        Assert.DoesNotContain(report.Checklist, s => s.Step == "Failing frame" || s.Step == "Breadcrumbs");
        TriageStep checkIns = report.Checklist.Single(s => s.Step == "Check-ins");
        Assert.True(checkIns.Done);
        Assert.StartsWith("2 ok, 1 missed, 0 failed, 0 timed out of the last 3; failing since 2026-11-28 11:20 UTC (1 in a row)", checkIns.Finding);
        Assert.Contains("cron monitor nightly-export (Nightly export), schedule 20 11 * * *", report.Checklist.Single(s => s.Step == TriageBuilder.MonitorStep).Finding);
        // The occurrence event has no release, breadcrumbs or frames: that is no SDK misconfiguration.
        Assert.Equal(new[] { PatternNames.DeploymentRegression }, report.Patterns.Select(p => p.Pattern));
        Assert.Contains(report.RecommendedActions, a => a.StartsWith("DeploymentRegression: Check that worker@3.4.0 still schedules", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Severity.MissingSignals, m => m.StartsWith("Monitor", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missed,ok,ok", "cron job nightly-export (Nightly export): 1 bad run in a row since 2026-11-28 11:20 UTC (1 missed of the last 3); last successful run 2026-11-27 11:20 UTC")]
    [InlineData("error,timeout,ok", "cron job nightly-export (Nightly export): 2 bad runs in a row since 2026-11-27 11:20 UTC (1 failed, 1 timed-out of the last 3); last successful run 2026-11-26 11:20 UTC")]
    [InlineData("ok,missed", "cron job nightly-export (Nightly export) running again; last successful run 2026-11-28 11:20 UTC")]
    public void An_incident_message_about_a_cron_issue_states_its_monitors_outage(string statuses, string impact)
    {
        TriageReport report = TriageBuilder.Build(new TriageData(Issue(), Now) { Monitor = MonitorAnalyzer.Summarize(Cron(statuses)) });
        Assert.Equal(impact, SentryRunbook.Rendering.IncidentMessages.FromTriage(report, "Initial", null, Now).Impact);
    }

    [Fact]
    public void An_incident_message_about_an_uptime_issue_says_the_host_is_down()
    {
        TriageReport report = TriageBuilder.Build(new TriageData(Issue("uptime", "uptime_domain_failure"), Now) { Monitor = MonitorAnalyzer.Summarize(Uptime(3)) });
        Assert.Equal("https://maps.geo.example/v1/health down: 3 failed checks in a row since 2026-11-28 11:58 UTC, HTTP 503; last successful check 2026-11-28 11:57 UTC",
            SentryRunbook.Rendering.IncidentMessages.FromTriage(report, "Initial", null, Now).Impact);
    }

    [Fact]
    public void A_cron_issue_whose_monitor_could_not_be_read_has_one_missing_signal_with_the_reason()
    {
        var data = new TriageData(Issue(), Now);
        data.Problems[TriageBuilder.MonitorStep] = "cron monitor 'nightly-export' not read: the monitor was deleted or renamed since the issue was raised (Sentry answered 404)";
        TriageReport report = TriageBuilder.Build(data);
        Assert.Single(report.Severity.MissingSignals, m => m == "Monitor: " + data.Problems[TriageBuilder.MonitorStep]);
        Assert.Null(report.Monitor);
        Assert.False(report.Checklist.Single(s => s.Step == "Check-ins").Done);
        Assert.Empty(report.Patterns);
    }

    [Fact]
    public void An_error_issue_keeps_its_frames_and_breadcrumbs_and_has_no_monitor_signal()
    {
        TriageReport report = TriageBuilder.Build(new TriageData(Issue("error", "error"), Now));
        Assert.Contains(report.Checklist, s => s.Step == "Failing frame");
        Assert.Contains(report.Checklist, s => s.Step == "Breadcrumbs");
        Assert.DoesNotContain(report.Severity.MissingSignals, m => m.StartsWith("Monitor", StringComparison.Ordinal));
    }

    private static FakeSentryApi Api(SentryIssue issue, IReadOnlyDictionary<string, string> eventTags)
    {
        var api = new FakeSentryApi
        {
            LatestEvent = id => new SentryEvent("e1", id, "3", Due.AddMinutes(10), issue.Title, null, "other", null, "production", null,
                Array.Empty<SentryExceptionInfo>(), Array.Empty<SentryBreadcrumb>(), eventTags, null,
                new Dictionary<string, IReadOnlyDictionary<string, string>>(), new Dictionary<string, string>(), null, null),
            Tags = _ => Array.Empty<SentryIssueTag>(),
            Activity = _ => Array.Empty<SentryActivity>(),
            ReleasePage = _ => new SentryPage<SentryRelease>(new[] { new SentryRelease("worker@3.4.0", "3.4.0", Due.AddMinutes(-45), null, Deploy(Due.AddMinutes(-30)), 0, new[] { "worker" }, null, null, 0) }, null, null),
            Stats = _ => Array.Empty<SentryTimeSeries>(),
            Sessions = _ => new SentrySessionStats(Array.Empty<DateTimeOffset>(), Array.Empty<SentrySessionGroup>()),
        };
        return api;
    }

    [Fact]
    public async Task The_runner_reads_the_monitor_the_events_tag_names_and_no_suspect_commits()
    {
        SentryIssue issue = Issue();
        FakeSentryApi api = Api(issue, new Dictionary<string, string> { ["monitor.slug"] = "nightly-export", ["environment"] = "production" });
        api.Monitors["nightly-export"] = Cron("missed,ok,ok,ok");

        TriageReport report = await new TriageRunner(api).RunAsync(issue.Id, issue, new TriageOptions { MeasureImpact = false, IncludeSeer = false }, Now, CancellationToken.None);

        Assert.Contains("monitor:nightly-export", api.Calls);
        Assert.Equal((3, 1), (report.Monitor!.Ok, report.Monitor.Missed));
        Assert.Equal(PatternNames.DeploymentRegression, Assert.Single(report.Patterns).Pattern);
    }

    [Theory]
    [InlineData("monitor.slug", "gone", "cron monitor 'gone' not read: the monitor was deleted or renamed since the issue was raised (Sentry answered 404: The requested resource does not exist)")]
    [InlineData("unrelated", "x", "no 'monitor.slug' tag on the issue or its latest event names its cron monitor")]
    public async Task A_monitor_Sentry_will_not_give_is_a_missing_signal_never_an_error(string tag, string value, string reason)
    {
        SentryIssue issue = Issue();
        FakeSentryApi api = Api(issue, new Dictionary<string, string> { [tag] = value });

        TriageReport report = await new TriageRunner(api).RunAsync(issue.Id, issue, new TriageOptions { MeasureImpact = false, IncludeSeer = false }, Now, CancellationToken.None);

        Assert.Null(report.Monitor);
        Assert.Contains("Monitor: " + reason, report.Severity.MissingSignals);
    }

    [Fact]
    public async Task Cron_monitors_and_check_ins_are_read_from_Sentrys_answers()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        const string monitor = """{"id":"a1b2","slug":"nightly-export","name":"Nightly export","status":"active","config":{"schedule_type":"crontab","schedule":"0 3 * * *","checkin_margin":10,"max_runtime":60,"timezone":"UTC"},"project":{"id":"3","slug":"worker"},"environments":[{"name":"staging","status":"ok"},{"name":"production","status":"error"}]}""";
        const string checkIns = """[{"id":"c2","environment":"production","status":"missed","duration":null,"dateCreated":"2026-11-28T03:00:00Z","expectedTime":"2026-11-28T03:00:00Z"},{"id":"c1","environment":"production","status":"ok","duration":612000,"dateCreated":"2026-11-27T03:00:00Z","expectedTime":"2026-11-27T03:00:00Z"}]""";
        for (int i = 0; i < 2; i++) stub.Then(r => StubHandler.Json(HttpStatusCode.OK, r.RequestUri!.AbsolutePath.EndsWith("/checkins/", StringComparison.Ordinal) ? checkIns : monitor));

        SentryMonitor read = await client.GetCronMonitorAsync("nightly-export", 50, CancellationToken.None);

        Assert.Equal(("cron", "nightly-export", "0 3 * * *", 10, "error", "worker"), (read.Kind, read.Slug, read.Schedule, read.CheckInMarginMinutes, read.Status, read.Project));
        Assert.Equal(new[] { "missed", "ok" }, read.CheckIns.Select(c => c.Status));
        Assert.Equal(612000, read.CheckIns[1].DurationMs);
        Assert.Equal(
            new[] { "/api/0/organizations/acme/monitors/nightly-export/", "/api/0/organizations/acme/monitors/nightly-export/checkins/?per_page=50" },
            stub.Requests.Select(r => r.RequestUri!.PathAndQuery).OrderBy(p => p.Length));
    }

    [Fact]
    public async Task Uptime_monitors_and_checks_are_read_with_Sentrys_statuses_mapped()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        const string monitor = """{"id":"12","projectSlug":"api","environment":"prod","name":"Geocoding","status":"active","uptimeStatus":2,"mode":1,"url":"https://maps.geo.example/v1/health","method":"GET","intervalSeconds":60,"timeoutMs":5000}""";
        const string checks = """[{"uptimeCheckId":"u3","timestamp":"2026-11-28T11:59:00Z","scheduledCheckTime":"2026-11-28T11:59:00Z","checkStatus":"failure_incident","checkStatusReason":"failure","httpStatusCode":503,"durationMs":210,"environment":"prod"},{"uptimeCheckId":"u2","timestamp":"2026-11-28T11:58:00Z","scheduledCheckTime":"2026-11-28T11:58:00Z","checkStatus":"missed_window","checkStatusReason":null,"httpStatusCode":null,"durationMs":0,"environment":"prod"},{"uptimeCheckId":"u1","timestamp":"2026-11-28T11:57:00Z","scheduledCheckTime":"2026-11-28T11:57:00Z","checkStatus":"success","checkStatusReason":null,"httpStatusCode":200,"durationMs":150,"environment":"prod"}]""";
        for (int i = 0; i < 2; i++) stub.Then(r => StubHandler.Json(HttpStatusCode.OK, r.RequestUri!.AbsolutePath.EndsWith("/checks/", StringComparison.Ordinal) ? checks : monitor));

        SentryMonitor read = await client.GetUptimeMonitorAsync("api", "12", 50, CancellationToken.None);

        Assert.Equal(("uptime", "down", "https://maps.geo.example/v1/health", "every 60 s"), (read.Kind, read.Status, read.Url, read.Schedule));
        Assert.Equal(new[] { "error", "missed", "ok" }, read.CheckIns.Select(c => c.Status));
        Assert.Equal((503, "failure"), (read.CheckIns[0].HttpStatusCode, read.CheckIns[0].Reason));
        Assert.Contains(stub.Requests, r => r.RequestUri!.PathAndQuery == "/api/0/projects/acme/api/uptime/12/checks/?per_page=50");
    }
}

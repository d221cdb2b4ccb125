using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Rendering;

public class IncidentMessagesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static IncidentImpact Impact(long? events = 900, long? users = 320, double? peak = 52, double? crashFree = 90.6, double? p95 = 8200, TimeSpan? window = null) =>
        new("1", "WEB-1", Now - (window ?? TimeSpan.FromHours(24)), Now, events, users, peak, 150, crashFree, 93, p95,
            new[] { "production" }, new[] { "web@2.4.2" }, Array.Empty<ImpactQuery>(), null, Array.Empty<string>());

    private static TriageReport Report(string severity = "P0", IncidentImpact? impact = null, IReadOnlyList<IncidentPattern>? patterns = null, IReadOnlyList<string>? environments = null)
    {
        var issue = new SentryIssue("4504", "WEB-1", "PaymentProcessingError: payload could not be parsed", "handle", "fatal", "unresolved", "new", "checkout", "1", "node",
            Now.AddMinutes(-20), Now, 900, 320, "https://acme.sentry.io/issues/4504/", "web@2.4.2", "web@2.4.2", true, null, Array.Empty<IssueStatPoint>());
        var level = new IncidentSeverity(severity, "CrashFreeRate", new[] { "crash-free sessions 90.6% < 95%" }, TimeSpan.FromMinutes(15), "PagerDuty page to on-call engineer",
            Array.Empty<string>(), new SeverityInputs(90.6, 52, 150, new[] { "production" }, false, true), "4504", "15 minutes");
        return new TriageReport(issue, impact ?? Impact(), level, patterns ?? Array.Empty<IncidentPattern>(), "Spiking", true, false, "web@2.4.2",
            environments ?? new[] { "staging", "production" }, Array.Empty<SuspectCommit>(), null, Array.Empty<SentryBreadcrumb>(), new Dictionary<string, string>(),
            Array.Empty<string>(), Array.Empty<TriageStep>(), Array.Empty<string>(), null, null);
    }

    [Fact]
    public void An_initial_alert_from_triage_carries_the_runbook_fields()
    {
        MessageRequest request = IncidentMessages.FromTriage(Report(), "initial", null, Now);
        Assert.Equal("Initial", request.Kind);
        Assert.Equal("checkout", request.Service);
        Assert.Equal("P0", request.Severity);
        Assert.Equal("https://acme.sentry.io/issues/4504/", request.IssueUrl);
        Assert.Equal(Now.AddMinutes(-20), request.Started);
        Assert.Equal("production", request.Environment);
        Assert.Null(request.RootCause);

        request.Organization = "acme";
        IncidentMessage message = IncidentMessages.Build(request);
        Assert.Equal("Investigating", message.Status);
        Assert.Equal("320 users hit errors (900 events in the last 24 h), peaking at 52 errors/min; crash-free sessions at 90.6%; p95 latency 8.2 s", message.Impact);
        Assert.Equal(Now.AddMinutes(30), message.NextUpdate);
        Assert.Equal(Now, message.CreatedAt);
        Assert.Null(message.Duration);
        Assert.Null(message.PostmortemDue);
        Assert.Equal("sentryrunbook-acme-4504", message.DedupKey);
        Assert.Contains("Severity: P0 (respond within 15 minutes)", message.Text);
        Assert.Contains("Started: 2026-11-28 11:40 UTC", message.Text);
        Assert.Contains("Next update: 30 minutes (12:30 UTC)", message.Text);
        Assert.Contains("Incident Lead: @on-call engineer", message.Text);
        Assert.Equal(message.Text, message.ToString());
    }

    [Fact]
    public void A_resolution_from_triage_has_duration_root_cause_and_postmortem_due()
    {
        var pattern = new IncidentPattern(PatternNames.DeploymentRegression, 0.9, new[] { "web@2.4.2 deployed 5 minutes before first seen", "second" }, "Roll back");
        var weaker = new IncidentPattern(PatternNames.ThirdPartyFailure, 0.4, new[] { "stripe 503" }, "Circuit breaker");
        DateTimeOffset resolved = Now.AddMinutes(65);
        MessageRequest request = IncidentMessages.FromTriage(Report(patterns: new[] { pattern, weaker }), "Resolution", IncidentPolicy.Default, resolved);
        Assert.Equal("Deployment regression: web@2.4.2 deployed 5 minutes before first seen", request.RootCause);

        IncidentMessage message = IncidentMessages.Build(request);
        Assert.Equal("Resolved", message.Status);
        Assert.Equal(TimeSpan.FromMinutes(85), message.Duration);
        Assert.Equal(resolved.AddHours(48), message.PostmortemDue);
        Assert.Null(message.NextUpdate);
        Assert.StartsWith("RESOLVED \u2014 checkout\nDuration: 1 h 25 min\nRoot Cause: Deployment regression: web@2.4.2", message.Text);
        Assert.Contains("Fix Applied: not given", message.Text);
        Assert.Contains("Postmortem: to be written \u2014 due within 48 hours (2026-11-30 13:05 UTC)", message.Text);
    }

    [Theory]
    [InlineData("P0", 30)]
    [InlineData("P1", 60)]
    [InlineData("P2", 240)]
    [InlineData("P3", 1440)]
    public void Next_update_follows_the_severity_cadence(string severity, int minutes)
    {
        IncidentMessage message = IncidentMessages.Build(IncidentMessages.FromTriage(Report(severity), "Update", null, Now));
        Assert.Equal(Now.AddMinutes(minutes), message.NextUpdate);
        Assert.Equal("Identified", message.Status);
        Assert.EndsWith(minutes == 1440 ? "Next update: 1 day (2026-11-29 12:00 UTC)" : minutes == 240 ? "Next update: 4 hours (16:00 UTC)" : minutes == 60 ? "Next update: 1 hour (13:00 UTC)" : "Next update: 30 minutes (12:30 UTC)", message.Text);
    }

    [Fact]
    public void The_cadence_can_be_overridden_and_the_policy_changed()
    {
        var request = new MessageRequest { Kind = "Update", Severity = "P0", UpdateEvery = TimeSpan.FromMinutes(10), Status = "Monitoring", Now = Now };
        IncidentMessage message = IncidentMessages.Build(request);
        Assert.Equal(Now.AddMinutes(10), message.NextUpdate);
        Assert.Equal("Monitoring", message.Status);

        var policy = IncidentPolicy.FromOverrides(new System.Collections.Hashtable { ["Levels"] = new System.Collections.Hashtable { ["P0"] = new System.Collections.Hashtable { ["UpdateEveryMinutes"] = 15 } } });
        Assert.Equal(Now.AddMinutes(15), IncidentMessages.Build(new MessageRequest { Severity = "P0", Policy = policy, Now = Now }).NextUpdate);
    }

    [Fact]
    public void Defaults_fill_what_is_not_known()
    {
        IncidentMessage message = IncidentMessages.Build(new MessageRequest { Kind = "INITIAL", Now = Now });
        Assert.Equal("Initial", message.Kind);
        Assert.Equal("Service", message.Service);
        Assert.Null(message.Severity);
        Assert.Equal(
            "INCIDENT \u2014 Service\nStatus: Investigating\nImpact: Under investigation\nStarted: unknown\nIncident Lead: @on-call engineer\nNext update: 1 hour (13:00 UTC)",
            message.Text);
        Assert.Equal("sentryrunbook-service", message.DedupKey);

        IncidentMessage resolution = IncidentMessages.Build(new MessageRequest { Kind = "resolution", Now = Now, IncidentLead = "@bob" });
        Assert.Contains("Duration: unknown", resolution.Text);
        Assert.Contains("Root Cause: Under investigation", resolution.Text);

        Assert.Contains("Incident Lead: @bob", IncidentMessages.Build(new MessageRequest { Now = Now, IncidentLead = "@bob" }).Text);
        Assert.Contains("Incident Lead: @bob", IncidentMessages.Build(new MessageRequest { Now = Now, IncidentLead = "bob" }).Text);
    }

    [Fact]
    public void Bad_kind_or_severity_is_an_error_that_names_the_choices()
    {
        var kind = Assert.Throws<ArgumentException>(() => IncidentMessages.Build(new MessageRequest { Kind = "Panic", Now = Now }));
        Assert.Contains("Initial, Update or Resolution", kind.Message);
        Assert.Contains("Panic", kind.Message);
        Assert.Throws<ArgumentException>(() => IncidentMessages.FromTriage(Report(), "later", null, Now));
        var severity = Assert.Throws<ArgumentException>(() => IncidentMessages.Build(new MessageRequest { Severity = "P9", Now = Now }));
        Assert.Contains("P0, P1, P2, P3", severity.Message);
        Assert.Throws<ArgumentException>(() => IncidentMessages.Build(new MessageRequest { UpdateEvery = TimeSpan.Zero, Now = Now }));
        Assert.Throws<ArgumentNullException>(() => IncidentMessages.Build(null!));
    }

    [Fact]
    public void Impact_in_words_leaves_out_unknown_figures()
    {
        Assert.Equal("320 users hit errors (900 events in the last 24 h), peaking at 52 errors/min; crash-free sessions at 90.6%; p95 latency 8.2 s",
            IncidentMessages.DescribeImpact(Impact()));
        Assert.Equal("1,234,567 events in the last 7 d",
            IncidentMessages.DescribeImpact(Impact(events: 1_234_567, users: null, peak: null, crashFree: null, p95: null, window: TimeSpan.FromDays(7))));
        Assert.Equal("1 user hit errors; p95 latency 850 ms",
            IncidentMessages.DescribeImpact(Impact(events: null, users: 1, peak: null, crashFree: null, p95: 850)));
        Assert.Equal("peaking at 1,500.5 errors/min; crash-free sessions at 99.95%",
            IncidentMessages.DescribeImpact(Impact(events: null, users: null, peak: 1500.5, crashFree: 99.95, p95: null)));
        Assert.Equal(string.Empty, IncidentMessages.DescribeImpact(Impact(null, null, null, null, null)));

        // Nothing measured: the message says the impact is under investigation.
        MessageRequest request = IncidentMessages.FromTriage(Report(impact: Impact(null, null, null, null, null)), "Initial", null, Now);
        Assert.Null(request.Impact);
    }

    [Fact]
    public void Environment_is_the_first_production_one_else_the_first()
    {
        Assert.Equal("prod-eu", IncidentMessages.FromTriage(Report(environments: new[] { "staging", "prod-eu", "production" }), "Initial", null, Now).Environment);
        Assert.Equal("staging", IncidentMessages.FromTriage(Report(environments: new[] { "staging" }), "Initial", null, Now).Environment);
        Assert.Null(IncidentMessages.FromTriage(Report(environments: Array.Empty<string>()), "Initial", null, Now).Environment);
    }

    [Theory]
    [InlineData(45, "45 min")]
    [InlineData(85, "1 h 25 min")]
    [InlineData(120, "2 h")]
    [InlineData(0, "0 min")]
    [InlineData(1505, "1 d 1 h 5 min")]
    public void Durations_in_words(int minutes, string words) => Assert.Equal(words, MessageRenderer.FormatDuration(TimeSpan.FromMinutes(minutes)));
}

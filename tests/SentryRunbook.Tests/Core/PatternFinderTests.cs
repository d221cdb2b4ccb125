using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class PatternFinderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private static SentryIssue Issue(string title, DateTimeOffset firstSeen, string? release = "web@2.4.2", string substatus = "new", IReadOnlyList<IssueStatPoint>? stats = null) =>
        new("1", "WEB-1", title, null, "error", "unresolved", substatus, "web", "1", "node", firstSeen, Now, 100, 50, null, release, release, true, null, stats ?? Array.Empty<IssueStatPoint>());

    private static SentryFrame Frame(string function, bool inApp = true, int? line = 10) => new(function, null, "src/app.ts", null, line, 1, inApp, null);

    private static SentryBreadcrumb Http(string url, int? status, DateTimeOffset? at = null) =>
        new(at ?? Now, "http", "http", status >= 500 ? "error" : "info", null, status is int s ? new Dictionary<string, string> { ["url"] = url, ["method"] = "GET", ["status_code"] = s.ToString() } : new Dictionary<string, string> { ["url"] = url, ["method"] = "GET" });

    private static SentryEvent Event(string type, string value, IReadOnlyList<SentryFrame>? frames = null, IReadOnlyList<SentryBreadcrumb>? crumbs = null, string? release = "web@2.4.2", string? environment = "production", IReadOnlyDictionary<string, string>? extra = null, string? requestUrl = "https://shop.acme.example/checkout", bool withSdk = true) =>
        new("e1", "1", "1", Now, $"{type}: {value}", null, "node", release, environment, "/checkout",
            new[] { new SentryExceptionInfo(type, value, null, false, "onerror", frames ?? new[] { Frame("handle") }) },
            crumbs ?? new[] { new SentryBreadcrumb(Now, "default", "ui.click", "info", "clicked pay", None) },
            None, null, new Dictionary<string, IReadOnlyDictionary<string, string>>(), extra ?? None,
            requestUrl is null ? null : new SentryRequestInfo(requestUrl, "POST", null), withSdk ? new SentrySdkInfo("sentry.javascript.node", "11.12.0") : null);

    private static SentryDeploy Deploy(string release, DateTimeOffset at, string environment = "production") => new("d", release, environment, null, null, at.AddMinutes(-2), at);

    [Fact]
    public void A_first_event_soon_after_the_deploy_is_a_deployment_regression_with_the_rollback_target_and_commit()
    {
        var evidence = new PatternEvidence(Issue("TypeError: Cannot read properties of undefined", Now.AddMinutes(-45)), Now)
        {
            LatestEvent = Event("TypeError", "Cannot read properties of undefined (reading 'total')"),
            FirstReleaseDeploys = new[] { Deploy("web@2.4.1", Now.AddMinutes(-45)) },
            SuspectCommits = new[] { new SuspectCommit("abcdef1234567890", "refactor(api): rename totals.total\n\nbody", "Ada", null, "acme/web", Now.AddHours(-2), "via SCM integration", null) },
            RollbackTarget = new SentryRollbackTarget("web@2.3.9", "production", "web", "web@2.4.1", Now.AddDays(-3), 99.6, Array.Empty<string>()),
        };

        IncidentPattern top = PatternFinder.Find(evidence)[0];

        Assert.Equal(PatternNames.DeploymentRegression, top.Pattern);
        Assert.Equal(0.95, top.Confidence);
        Assert.Contains(top.Evidence, e => e.Contains("0 min after web@2.4.1 was deployed to production"));
        Assert.Contains(top.Evidence, e => e.Contains("abcdef123456") && e.Contains("rename totals.total") && !e.Contains("body"));
        Assert.Contains("web@2.3.9", top.ImmediateAction);
    }

    [Fact]
    public void A_deploy_to_another_environment_does_not_explain_the_issue()
    {
        var evidence = new PatternEvidence(Issue("RangeError: Invalid time value", Now.AddMinutes(-40), "web@2.4.1"), Now)
        {
            LatestEvent = Event("RangeError", "Invalid time value", environment: "staging"),
            Tags = new[] { new SentryIssueTag("1", "environment", null, 12, 1, new[] { new SentryTagValue("staging", null, 12, 100, null, null) }) },
            FirstRelease = new SentryRelease("web@2.4.1", null, Now.AddMinutes(-45), null, null, 1, new[] { "web" }, null, null, 1),
            FirstReleaseDeploys = new[] { Deploy("web@2.4.1", Now.AddMinutes(-45), "production") },
        };
        Assert.DoesNotContain(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.DeploymentRegression);
    }

    [Fact]
    public void An_issue_older_than_the_deploy_window_is_not_blamed_on_the_deploy()
    {
        var evidence = new PatternEvidence(Issue("Error: x", Now.AddHours(-5)), Now)
        {
            LatestEvent = Event("Error", "x"),
            FirstReleaseDeploys = new[] { Deploy("web@2.4.2", Now.AddHours(-7)) },
        };
        Assert.DoesNotContain(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.DeploymentRegression);
    }

    [Fact]
    public void A_regression_in_a_new_release_counts_as_a_deployment_regression()
    {
        var evidence = new PatternEvidence(Issue("Error: x", Now.AddDays(-10), substatus: "regressed"), Now)
        {
            LatestEvent = Event("Error", "x"),
            Activity = new[] { new SentryActivity("9", "1", "set_regression", Now.AddMinutes(-10), null, new Dictionary<string, string> { ["version"] = "web@2.5.0" }) },
        };
        IncidentPattern pattern = Assert.Single(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.DeploymentRegression);
        Assert.Contains(pattern.Evidence, e => e.Contains("Regressed") && e.Contains("web@2.5.0"));
    }

    [Fact]
    public void Failing_calls_to_an_external_host_are_a_third_party_failure()
    {
        var crumbs = new[]
        {
            Http("https://maps.geocoding-provider.example/v1/geocode?q=a", 503, Now.AddSeconds(-3)),
            Http("https://maps.geocoding-provider.example/v1/geocode?q=b", 503, Now.AddSeconds(-2)),
            Http("https://shop.acme.example/api/cart", 200),
        };
        var evidence = new PatternEvidence(Issue("ServiceUnavailableError: Geocoding API returned 503", Now.AddDays(-2), "api@1.8.2"), Now)
        {
            LatestEvent = Event("ServiceUnavailableError", "Geocoding API returned 503", crumbs: crumbs),
        };

        IncidentPattern top = PatternFinder.Find(evidence)[0];

        Assert.Equal(PatternNames.ThirdPartyFailure, top.Pattern);
        Assert.Contains(top.Evidence, e => e.StartsWith("2 of 2 HTTP calls to external host maps.geocoding-provider.example failed (503)"));
        Assert.Contains("circuit breaker", top.ImmediateAction);
        Assert.Contains("maps.geocoding-provider.example", top.ImmediateAction);
    }

    [Fact]
    public void Failures_of_the_applications_own_hosts_are_not_third_party()
    {
        var policy = IncidentPolicy.FromOverrides(new System.Collections.Hashtable { ["ApplicationDomains"] = new[] { "*.acme.example" } });
        var evidence = new PatternEvidence(Issue("Error: 500", Now.AddDays(-2)), Now)
        {
            LatestEvent = Event("Error", "500", crumbs: new[] { Http("https://api.acme.example/v1/orders", 500) }, requestUrl: null),
        };
        Assert.DoesNotContain(PatternFinder.Find(evidence, policy), p => p.Pattern == PatternNames.ThirdPartyFailure);
        Assert.Contains(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.ThirdPartyFailure);
    }

    [Fact]
    public void Parse_failures_with_the_input_in_context_are_data_corruption()
    {
        var crumbs = new[] { new SentryBreadcrumb(Now, "error", "json.parse", "error", "Unexpected token < in JSON at position 0", None) };
        var evidence = new PatternEvidence(Issue("PaymentProcessingError: Stripe webhook payload could not be parsed", Now.AddDays(-2)), Now)
        {
            LatestEvent = Event("PaymentProcessingError", "Stripe webhook payload could not be parsed", crumbs: crumbs, extra: new Dictionary<string, string> { ["payload_sample"] = "{\"id\": \"evt_1\", \"data\": <truncated" }),
        };

        IncidentPattern pattern = Assert.Single(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.DataCorruption);

        Assert.True(pattern.Confidence >= 0.6, pattern.Confidence.ToString());
        Assert.Contains(pattern.Evidence, e => e.Contains("could not be parsed"));
        Assert.Contains(pattern.Evidence, e => e.Contains("json.parse"));
        Assert.Contains(pattern.Evidence, e => e.Contains("payload_sample"));
    }

    [Fact]
    public void Errors_that_follow_traffic_and_pool_exhaustion_are_resource_exhaustion()
    {
        double[] traffic = { 100, 150, 300, 600, 900, 700, 400, 200, 120, 80, 60, 90 };
        var stats = traffic.Select((t, i) => new IssueStatPoint(Now.AddHours(-traffic.Length + i), (long)(t / 10 + (i % 2)))).ToList();
        var series = traffic.Select((t, i) => new SentryTimePoint(Now.AddHours(-traffic.Length + i), t)).ToList();
        var evidence = new PatternEvidence(Issue("TimeoutException: Connection pool exhausted (max 20)", Now.AddDays(-3), stats: stats), Now)
        {
            LatestEvent = Event("TimeoutException", "Connection pool exhausted (max 20)"),
            Traffic = series,
        };

        IncidentPattern top = PatternFinder.Find(evidence)[0];

        Assert.Equal(PatternNames.ResourceExhaustion, top.Pattern);
        string follows = Assert.Single(top.Evidence, e => e.StartsWith("Hourly errors follow traffic (r = "));
        Assert.InRange(double.Parse(follows.Substring("Hourly errors follow traffic (r = ".Length, 4), System.Globalization.CultureInfo.InvariantCulture), 0.95, 1.0);
        Assert.Contains("over 12 hours", follows);
        Assert.Contains(top.Evidence, e => e.Contains("pool exhausted"));
    }

    [Fact]
    public void Correlation_needs_six_common_hours_and_variance()
    {
        var stats = Enumerable.Range(0, 5).Select(i => new IssueStatPoint(Now.AddHours(-i), i)).ToList();
        var traffic = Enumerable.Range(0, 5).Select(i => new SentryTimePoint(Now.AddHours(-i), i)).ToList();
        Assert.Null(PatternFinder.Correlation(stats, traffic));
        var flat = Enumerable.Range(0, 8).Select(i => new IssueStatPoint(Now.AddHours(-i), 3)).ToList();
        Assert.Null(PatternFinder.Correlation(flat, Enumerable.Range(0, 8).Select(i => new SentryTimePoint(Now.AddHours(-i), i)).ToList()));
    }

    [Fact]
    public void Events_without_release_environment_breadcrumbs_or_in_app_frames_are_an_sdk_misconfiguration()
    {
        var frames = new[] { Frame("a.b", inApp: false, line: null), Frame("c", inApp: false, line: 1) };
        var evidence = new PatternEvidence(Issue("Error: Something went wrong", Now.AddDays(-1), release: null), Now)
        {
            LatestEvent = Event("Error", "Something went wrong", frames, Array.Empty<SentryBreadcrumb>(), release: null, environment: null),
        };

        IncidentPattern top = PatternFinder.Find(evidence)[0];

        Assert.Equal(PatternNames.SdkMisconfiguration, top.Pattern);
        Assert.Contains("Events carry no release", top.Evidence);
        Assert.Contains("Events carry no environment", top.Evidence);
        Assert.Contains("Events carry no breadcrumbs", top.Evidence);
        Assert.Contains(top.Evidence, e => e.StartsWith("None of the 2 stack frames"));
        Assert.Contains(top.Evidence, e => e.Contains("unsymbolicated"));
        Assert.Contains("Sentry.init", top.ImmediateAction);
    }

    [Theory]
    [InlineData("ValueError", "invalid literal for int() with base 10")]
    [InlineData("Error", "Meeting room is full")]
    [InlineData("GatewayError", "zoom link expired")]
    public void Ordinary_errors_with_lookalike_words_match_no_pattern(string type, string value)
    {
        var evidence = new PatternEvidence(Issue($"{type}: {value}", Now.AddDays(-20)), Now) { LatestEvent = Event(type, value) };
        Assert.Empty(PatternFinder.Find(evidence));
    }

    [Fact]
    public void Errors_that_merely_follow_traffic_are_not_an_exhaustion()
    {
        double[] traffic = { 100, 150, 300, 600, 900, 700, 400, 200 };
        var stats = traffic.Select((t, i) => new IssueStatPoint(Now.AddHours(-traffic.Length + i), (long)(t / 10))).ToList();
        var evidence = new PatternEvidence(Issue("KeyError: 'sku'", Now.AddDays(-3), stats: stats), Now)
        {
            LatestEvent = Event("KeyError", "'sku'"),
            Traffic = traffic.Select((t, i) => new SentryTimePoint(Now.AddHours(-traffic.Length + i), t)).ToList(),
        };
        Assert.DoesNotContain(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.ResourceExhaustion);
    }

    [Fact]
    public void An_old_regression_is_not_blamed_on_a_release()
    {
        var evidence = new PatternEvidence(Issue("Error: x", Now.AddDays(-60), substatus: "ongoing"), Now)
        {
            LatestEvent = Event("Error", "x"),
            Activity = new[] { new SentryActivity("9", "1", "set_regression", Now.AddDays(-20), null, new Dictionary<string, string> { ["version"] = "web@1.0.0" }) },
        };
        Assert.DoesNotContain(PatternFinder.Find(evidence), p => p.Pattern == PatternNames.DeploymentRegression);
    }

    [Fact]
    public void A_well_configured_ordinary_error_matches_no_pattern()
    {
        var evidence = new PatternEvidence(Issue("ReferenceError: foo is not defined", Now.AddDays(-20)), Now) { LatestEvent = Event("ReferenceError", "foo is not defined") };
        Assert.Empty(PatternFinder.Find(evidence));
    }
}

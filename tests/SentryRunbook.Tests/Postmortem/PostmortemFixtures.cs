using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Postmortem;

/// <summary>Three incidents modelled on the sandbox's seed (the runbook's worked examples), and a hostile variant of the first.</summary>
internal static class PostmortemFixtures
{
    public static readonly string[] Incidents = { "payment", "geocoding", "typeerror", "hostile" };

    public const string Script = "<script>alert(1)</script>";
    public const string EvilLink = "[x](javascript:alert(1))";

    private static readonly DateTimeOffset Day = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static DateTimeOffset At(int h, int m, int s = 0) => Day.AddHours(h).AddMinutes(m).AddSeconds(s);

    private static IReadOnlyDictionary<string, string> D(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static ImpactQuery Q(string figure, string endpoint, string result, params (string, string)[] parameters) =>
        new(figure, endpoint, parameters.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)).ToList(), result);

    private static IReadOnlyList<SentryTimePoint> Rate(DateTimeOffset start, TimeSpan step, params double[] values) =>
        values.Select((v, i) => new SentryTimePoint(start + TimeSpan.FromTicks(step.Ticks * i), v)).ToList();

    public static PostmortemInput Build(string name) => name switch
    {
        "payment" => Payment(hostile: false),
        "hostile" => Payment(hostile: true),
        "geocoding" => Geocoding(),
        "typeerror" => TypeError(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static PostmortemInput Payment(bool hostile)
    {
        string title = hostile ? Script + " " + EvilLink + " @here *bold* <img src=x onerror=alert(1)>" : "PaymentProcessingError: Stripe webhook payload could not be parsed";
        string value = hostile ? "payload \"}</code><script>alert(2)</script> `tick` & 'quote'" : "Stripe webhook payload could not be parsed";
        string note = hostile ? "ack <a href=\"http://evil.example\" onclick=\"x()\">me</a> [y](http://evil.example) @channel" : "Ack, looking at it; paging payments";
        string user = hostile ? "<b>mallory</b>" : "alice";
        string permalink = hostile ? "javascript:alert(1)" : "https://acme.sentry.io/issues/4504/";

        var issue = new SentryIssue("4504", "WEB-1", title, "handleWebhook(src/payments/webhook.ts)", "fatal", "resolved", null, "web", "1", "node",
            At(11, 40), At(12, 58), 900, 320, permalink, "web@2.4.2", "web@2.4.2", true, new SentryActor("user", "1", "alice", null),
            Array.Empty<IssueStatPoint>());
        var frame = new SentryFrame("handleWebhook", "payments.webhook", "src/payments/webhook.ts", "/app/src/payments/webhook.ts", 88, 17, true,
            hostile ? "const evt = JSON.parse(body) // </code><script>" : "const evt = parseStripeEvent(body, STRIPE_API_VERSION);");
        var crumbs = new[]
        {
            new SentryBreadcrumb(At(11, 39, 50), "navigation", "navigation", "info", null, D(("from", "/cart"), ("to", "/checkout"))),
            new SentryBreadcrumb(At(11, 39, 55), "http", "http", "info", null, D(("method", "POST"), ("url", "https://api.stripe.com/v1/payment_intents"), ("status_code", "200"))),
            new SentryBreadcrumb(At(11, 39, 58), "http", "http", "error", null, D(("method", "POST"), ("url", "https://shop.example.com/webhooks/stripe"), ("status_code", "400"))),
            new SentryBreadcrumb(At(11, 39, 59), "default", "console", "error", hostile ? "SyntaxError <script>alert(3)</script>" : "Failed to parse webhook payload: unexpected field 'payment_method_options'", D()),
        };
        var ev = new SentryEvent("a1b2c3d4e5f60718293a4b5c6d7e8f90", "4504", "1", At(12, 58), title, null, "node", "web@2.4.2", "production", "POST /webhooks/stripe",
            new[] { new SentryExceptionInfo("PaymentProcessingError", value, null, false, "onunhandledrejection", new[] { new SentryFrame("processTicksAndRejections", null, "node:internal/process/task_queues", null, 95, 5, false, null), frame }) },
            crumbs, D(("environment", "production")), new SentryUser("u1", "buyer@example.com", null, null, null), new Dictionary<string, IReadOnlyDictionary<string, string>>(), D(),
            new SentryRequestInfo("https://shop.example.com/webhooks/stripe", "POST", null), new SentrySdkInfo("sentry.javascript.node", "8.40.0"));
        var impact = new IncidentImpact("4504", "WEB-1", At(11, 40), At(13, 5), 900, 320, 52, 150, 90.6, 93.1, null,
            new[] { "production" }, new[] { "web@2.4.2" },
            new[]
            {
                Q("Events and UniqueUsers", "events/", "count()=900, count_unique(user)=320", ("dataset", "errors"), ("field", "count()"), ("field", "count_unique(user)"), ("query", "issue.id:4504"), ("project", "1"), ("environment", "production"), ("start", "2026-11-28T11:40:00Z"), ("end", "2026-11-28T13:05:00Z")),
                Q("PeakEventsPerMinute", "events-stats/", "peak 52/min", ("dataset", "errors"), ("yAxis", "count()"), ("interval", "1m"), ("query", "issue.id:4504"), ("start", "2026-11-28T11:40:00Z"), ("end", "2026-11-28T13:05:00Z")),
                Q("PeakUsersPerHour", "events-stats/", "peak 150 users in one clock hour", ("dataset", "errors"), ("yAxis", "count_unique(user)"), ("interval", "1h"), ("query", "issue.id:4504"), ("start", "2026-11-28T11:40:00Z"), ("end", "2026-11-28T13:05:00Z")),
                Q("CrashFreeSessionRate and CrashFreeUserRate", "sessions/", "crash_free_rate(session)=0.906, crash_free_rate(user)=0.931", ("field", "crash_free_rate(session)"), ("field", "crash_free_rate(user)"), ("interval", "1h"), ("project", "1"), ("environment", "production"), ("start", "2026-11-28T11:40:00Z"), ("end", "2026-11-28T13:05:00Z")),
            },
            null, new[] { "P95DurationMs: no performance data for transaction 'POST /webhooks/stripe' in the window" });
        var severity = new IncidentSeverity("P0", "CrashFreeRate", new[] { "crash-free sessions at 90.6% (below 95%)" }, TimeSpan.FromMinutes(15), "PagerDuty page to on-call engineer",
            new[] { "P95DurationMs" }, new SeverityInputs(90.6, 52, 150, new[] { "production" }, false, true), "4504", "15 minutes");
        var patterns = new[]
        {
            new IncidentPattern(PatternNames.DeploymentRegression, 0.9, new[] { "web@2.4.2 deployed to production 20 minutes before first seen", "first seen in web@2.4.2" }, "Roll back to web@2.3.9", "4504"),
            new IncidentPattern(PatternNames.DataCorruption, 0.6, new[] { "breadcrumb: Failed to parse webhook payload" }, "Quarantine malformed payloads", "4504"),
        };
        var commits = new[]
        {
            new SuspectCommit("9f8e7d6c5b4a39281706f5e4d3c2b1a098765432", hostile ? "bump stripe <script>alert(4)</script>\n\nbody" : "chore(deps): bump stripe to 14.0.0\n\nUpgrades the Stripe SDK.", hostile ? "@everyone" : "Bob Builder", "bob@example.com", "acme/web", At(11, 20), "via SCM integration", null),
        };
        var rollback = new SentryRollbackTarget("web@2.3.9", "production", "web", "web@2.4.2", At(8, 0), 99.7, new[] { "last healthy release deployed to production" });
        var triage = new TriageReport(issue, impact, severity, patterns, "Declining", true, false, "web@2.4.2", new[] { "production" }, commits, frame, crumbs,
            new Dictionary<string, string>(), new[] { "payment_provider: stripe (100%)" }, Array.Empty<TriageStep>(), Array.Empty<string>(), ev, rollback);

        var activity = new[]
        {
            new SentryActivity("5", "4504", "set_resolved_in_release", At(13, 5), user, D(("version", "web@2.4.3"))),
            new SentryActivity("4", "4504", "note", At(12, 45), user, D(("text", hostile ? "root cause: " + Script : "Root cause: Stripe API version not pinned; rolling back to web@2.3.9"))),
            new SentryActivity("3", "4504", "assigned", At(11, 46), user, D(("assignee", user), ("assigneeType", "user"))),
            new SentryActivity("2", "4504", "note", At(11, 45), user, D(("text", note))),
            new SentryActivity("1", "4504", "first_seen", At(11, 40), null, D()),
        };
        var deploys = new[]
        {
            new SentryDeploy("d1", "web@2.4.2", "production", null, null, At(11, 15), At(11, 20)),
            new SentryDeploy("d2", "web@2.3.9", "production", null, null, At(12, 50), At(12, 55)),
            new SentryDeploy("d0", "web@2.3.9", "production", null, null, null, At(8, 0)),
        };
        return new PostmortemInput
        {
            Triage = triage,
            Timeline = Timelines.Build(issue, activity, deploys),
            EventRate = Rate(At(11, 30), TimeSpan.FromMinutes(10), 0, 120, 260, 240, 150, 90, 40, 0, 0),
            Owner = hostile ? "@here <script>" : null,
            Now = At(15, 0),
            Organization = hostile ? "acme <i>corp</i>" : "acme",
            SentryHost = "https://sentry.io",
            FetchedAt = At(14, 55, 12),
        };
    }

    private static PostmortemInput Geocoding()
    {
        var issue = new SentryIssue("4505", "WEB-2", "ServiceUnavailableError: Geocoding API returned 503", "lookupAddress(src/geo/client.ts)", "error", "ignored", "archived_until_condition_met", "web", "1", "node",
            At(9, 10), At(10, 58), 180, 40, "https://acme.sentry.io/issues/4505/", "web@2.3.9", "web@2.4.2", false, null, Array.Empty<IssueStatPoint>());
        var frame = new SentryFrame("lookupAddress", "geo.client", "src/geo/client.ts", null, 42, null, true, null);
        var crumbs = new[]
        {
            new SentryBreadcrumb(At(10, 57, 58), "http", "http", "info", null, D(("method", "GET"), ("url", "https://shop.example.com/api/stores?near=94107"), ("status_code", "200"))),
            new SentryBreadcrumb(At(10, 57, 59), "http", "http", "warning", null, D(("method", "GET"), ("url", "https://geo.example-maps.com/v1/geocode?q=94107"), ("status_code", "503"))),
        };
        var ev = new SentryEvent("b2c3d4e5f60718293a4b5c6d7e8f90a1", "4505", "1", At(10, 58), issue.Title, null, "node", "web@2.4.2", "production", "GET /api/stores",
            new[] { new SentryExceptionInfo("ServiceUnavailableError", "Geocoding API returned 503", null, true, "generic", new[] { frame }) },
            crumbs, D(), null, new Dictionary<string, IReadOnlyDictionary<string, string>>(), D(), null, null);
        var impact = new IncidentImpact("4505", "WEB-2", At(9, 10), At(10, 58), 180, 40, 6, 40, null, null, 8200,
            new[] { "production" }, new[] { "web@2.4.2" },
            new[]
            {
                Q("Events and UniqueUsers", "events/", "count()=180, count_unique(user)=40", ("dataset", "errors"), ("field", "count()"), ("field", "count_unique(user)"), ("query", "issue.id:4505"), ("statsPeriod", "24h")),
                Q("PeakEventsPerMinute", "events-stats/", "peak 6/min", ("dataset", "errors"), ("yAxis", "count()"), ("interval", "1m"), ("query", "issue.id:4505"), ("statsPeriod", "24h")),
                Q("PeakUsersPerHour", "events-stats/", "peak 40 users in one clock hour", ("dataset", "errors"), ("yAxis", "count_unique(user)"), ("interval", "1h"), ("query", "issue.id:4505"), ("statsPeriod", "24h")),
                Q("P95DurationMs", "events/", "p95(span.duration)=8200 ms", ("dataset", "spans"), ("field", "p95(span.duration)"), ("query", "transaction:\"GET /api/stores\""), ("statsPeriod", "24h")),
            },
            null, new[] { "CrashFreeSessionRate: the project sent no sessions in the window (release health is off or not supported by its SDK)" });
        var severity = new IncidentSeverity("P2", "UserImpact", new[] { "40 users/hour (under 100)", "a workaround exists (cached results)" }, TimeSpan.FromHours(8), "Slack #alerts-production",
            new[] { "CrashFreeSessionRate" }, new SeverityInputs(null, 6, 40, new[] { "production" }, true, false), "4505", "Same business day");
        var patterns = new[] { new IncidentPattern(PatternNames.ThirdPartyFailure, 0.85, new[] { "breadcrumb: GET https://geo.example-maps.com/v1/geocode?q=94107 → 503" }, "Enable the circuit breaker fallback to cached results", "4505") };
        var triage = new TriageReport(issue, impact, severity, patterns, "Steady", false, false, "web@2.3.9", new[] { "production" }, Array.Empty<SuspectCommit>(), frame, crumbs,
            new Dictionary<string, string>(), Array.Empty<string>(), Array.Empty<TriageStep>(), Array.Empty<string>(), ev, null);
        var activity = new[]
        {
            new SentryActivity("3", "4505", "set_ignored", At(10, 30), "carol", D(("ignoreCount", "100"))),
            new SentryActivity("2", "4505", "note", At(9, 40), "carol", D(("text", "Geocoding provider is returning 503s; enabling the cached fallback"))),
        };
        return new PostmortemInput
        {
            Triage = triage,
            Timeline = Timelines.Build(issue, activity, Array.Empty<SentryDeploy>()),
            EventRate = Rate(At(9, 0), TimeSpan.FromMinutes(15), 0, 12, 30, 35, 28, 25, 20, 18),
            Owner = "@carol",
            Now = At(16, 0),
            Organization = "acme",
            SentryHost = "https://sentry.io",
            FetchedAt = At(15, 58),
        };
    }

    private static PostmortemInput TypeError()
    {
        var issue = new SentryIssue("4506", "WEB-3", "TypeError: Cannot read properties of undefined (reading 'street')", "renderAddress(src/components/Address.tsx)", "error", "resolved", null, "web", "1", "javascript",
            At(23, 30), Day.AddDays(1).AddMinutes(14), 1400, 320, "https://acme.sentry.io/issues/4506/", "web@2.4.1", "web@2.4.1", true, null, Array.Empty<IssueStatPoint>());
        var triage = new TriageReport(issue, null,
            new IncidentSeverity("P1", "UserImpact", new[] { "320 users/hour on a core flow" }, TimeSpan.FromHours(1), "Slack #incidents channel, tag team lead", Array.Empty<string>(), new SeverityInputs(null, null, 320, null, false, true), "4506", "1 hour"),
            new[] { new IncidentPattern(PatternNames.DeploymentRegression, 0.8, new[] { "first seen 0 minutes after web@2.4.1 was deployed to production" }, "Roll back to web@2.4.0", "4506") },
            "Declining", false, false, "web@2.4.1", new[] { "production" },
            new[] { new SuspectCommit("0badc0de1234567890abcdef1234567890abcdef", "refactor(api): rename address to shippingAddress", "Dana", null, "acme/web", At(22, 0), "via commit in release", "https://github.com/acme/web/pull/812") },
            null, Array.Empty<SentryBreadcrumb>(), new Dictionary<string, string>(), Array.Empty<string>(), Array.Empty<TriageStep>(), Array.Empty<string>(), null, null);
        var activity = new[]
        {
            new SentryActivity("4", "4506", "set_resolved_in_release", Day.AddDays(1).AddMinutes(15), "dana", D(("version", "web@2.4.2"))),
            new SentryActivity("3", "4506", "note", At(23, 50), "dana", D(("text", "Found the root cause: the API renamed address to shippingAddress in web@2.4.1"))),
            new SentryActivity("2", "4506", "assigned", At(23, 40), "erin", D(("assignee", "dana"))),
        };
        var deploys = new[]
        {
            new SentryDeploy("d3", "web@2.4.1", "production", null, null, At(23, 25), At(23, 30)),
            new SentryDeploy("d4", "web@2.4.2", "production", null, null, Day.AddDays(1).AddMinutes(5), Day.AddDays(1).AddMinutes(10)),
        };
        return new PostmortemInput
        {
            Triage = triage,
            Timeline = Timelines.Build(issue, activity, deploys),
            EventRate = Array.Empty<SentryTimePoint>(),
            Now = Day.AddDays(1).AddHours(9),
            Organization = "acme",
            SentryHost = null,
            FetchedAt = null,
        };
    }
}

using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// The documented incident: a few curated issues the runbook examples talk about, on top of a
/// deterministic background of ordinary noise so searches page and sort like a busy org.
/// </summary>
public static class SeedExamples
{
    // Constant seed: the background is identical on every start, only shifted in time.
    private const int BackgroundSeed = 20260515;
    private const int BackgroundIssues = 320;

    private static readonly Assignee SandboxUser = new("user", "1", "Sandbox User", "sandbox@example.com");
    private static readonly Assignee BackendTeam = new("team", "1", "backend", null);

    public static SandboxStore Build(SandboxOptions options, DateTimeOffset now)
    {
        var b = new ScenarioBuilder(options, now);
        AddCurated(b);
        AddBackground(b, new Random(BackgroundSeed));
        return b.Build();
    }

    public static SandboxStore BuildEmpty(SandboxOptions options, DateTimeOffset now) => new ScenarioBuilder(options, now).Build();

    private static TimeSpan Min(double m) => TimeSpan.FromMinutes(m);

    private static void AddCurated(ScenarioBuilder b)
    {
        // 1. The fresh payment outage: 200 events within 5 minutes.
        b.Add(new IssueSpec("web",
            new IssueMetadata("PaymentProcessingError", "Stripe webhook payload could not be parsed", "src/payments/webhook.ts", "handleStripeWebhook"),
            "src/payments/webhook.ts in handleStripeWebhook", "fatal", "unresolved", "new", "high", true, "production",
            "web@2.4.0", "web@2.4.0", 150, SandboxUser, b.Spread(200, 20, Min(5), TimeSpan.FromSeconds(8))));

        // 2. A downstream dependency failing for the last hour.
        b.Add(new IssueSpec("api",
            new IssueMetadata("ServiceUnavailableError", "Geocoding API returned 503", "Services/GeocodingClient.cs", "GeocodeAsync"),
            "Acme.Api.Services.GeocodingClient in GeocodeAsync", "error", "unresolved", "ongoing", "high", false, "production",
            "api@1.8.2", "api@1.8.2", 40, BackendTeam, b.Spread(180, 60, Min(60), Min(0.5))));

        // 3. A regression shipped with web@2.4.1 45 minutes ago.
        b.Add(new IssueSpec("web",
            new IssueMetadata("TypeError", "Cannot read properties of undefined (reading 'total')", "src/cart/summary.ts", "renderSummary"),
            "src/cart/summary.ts in renderSummary", "error", "unresolved", "new", "high", true, "production",
            "web@2.4.1", "web@2.4.1", 320, null, b.Spread(900, 45, Min(45), Min(0.2))));

        // 4. Only seen on staging: must disappear when filtering on production.
        b.Add(new IssueSpec("web",
            new IssueMetadata("RangeError", "Invalid time value", "src/utils/dates.ts", "formatDate"),
            "src/utils/dates.ts in formatDate", "error", "unresolved", "new", "medium", false, "staging",
            "web@2.4.1", "web@2.4.1", 3, null, b.Spread(12, 6, Min(6 * 60), Min(20))));

        // 5. A misconfigured SDK: no release, no environment, generic message.
        b.Add(new IssueSpec("worker",
            new IssueMetadata("Error", "Something went wrong", null, null),
            null, "error", "unresolved", "ongoing", "low", false, null,
            null, null, 0, null, b.Spread(37, 12, Min(12 * 60), Min(30))));

        // 6. Steady background timeouts all day.
        b.Add(new IssueSpec("api",
            new IssueMetadata("TimeoutException", "Connection pool exhausted", "Data/ConnectionFactory.cs", "OpenAsync"),
            "Acme.Api.Data.ConnectionFactory in OpenAsync", "error", "unresolved", "ongoing", "medium", false, "production",
            "api@1.8.0", "api@1.8.2", 25, null, b.Spread(600, 24, Min(24 * 60 - 10), Min(10))));
    }

    private static readonly (string Project, string Type, string Value, string File, string Function)[] Templates =
    [
        ("web", "TypeError", "Failed to fetch", "src/api/client.ts", "request"),
        ("web", "ChunkLoadError", "Loading chunk {0} failed.", "src/router.ts", "lazyLoad"),
        ("web", "ReferenceError", "{0} is not defined", "src/widgets/legacy.js", "init"),
        ("web", "Error", "ResizeObserver loop limit exceeded", "src/layout/grid.ts", "observe"),
        ("web", "SyntaxError", "Unexpected token '<' in JSON at position {0}", "src/api/parse.ts", "parseBody"),
        ("api", "NullReferenceException", "Object reference not set to an instance of an object.", "Controllers/OrdersController.cs", "Get"),
        ("api", "InvalidOperationException", "Sequence contains no elements (order {0})", "Services/OrderService.cs", "FindAsync"),
        ("api", "DbUpdateConcurrencyException", "The database operation was expected to affect 1 row(s) but affected 0", "Data/OrderRepository.cs", "SaveAsync"),
        ("api", "HttpRequestException", "Response status code does not indicate success: {0}", "Services/InventoryClient.cs", "ReserveAsync"),
        ("api", "TaskCanceledException", "A task was canceled.", "Services/MailClient.cs", "SendAsync"),
        ("worker", "KeyError", "'{0}'", "worker/jobs/sync.py", "sync_account"),
        ("worker", "ConnectionResetError", "[Errno 104] Connection reset by peer", "worker/queue.py", "consume"),
        ("worker", "ValueError", "invalid literal for int() with base 10: '{0}'", "worker/jobs/import_csv.py", "parse_row"),
        ("worker", "SoftTimeLimitExceeded", "SoftTimeLimitExceeded()", "worker/jobs/report.py", "build_report"),
    ];

    private static void AddBackground(ScenarioBuilder b, Random rng)
    {
        string[] levels = ["error", "error", "error", "error", "warning", "warning", "info", "fatal", "debug", "error"];
        string[] priorities = ["low", "medium", "high"];
        for (var i = 0; i < BackgroundIssues; i++)
        {
            var t = Templates[rng.Next(Templates.Length)];
            var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, t.Value, rng.Next(100, 999));
            var roll = rng.NextDouble();
            var status = roll < 0.85 ? "unresolved" : roll < 0.93 ? "resolved" : "ignored";
            var firstHoursAgo = rng.Next(2, 24 * 20);
            // Unresolved noise keeps happening today (but over an hour ago, so the curated incident tops
            // the default date sort); closed issues went quiet before they were closed.
            var lastHoursAgo = status == "unresolved" ? rng.Next(1, Math.Min(firstHoursAgo, 24)) : rng.Next(1, firstHoursAgo);
            var batches = History(b.Now, rng, firstHoursAgo, lastHoursAgo);
            var count = batches.Sum(x => x.Count);
            var substatus = status switch
            {
                "resolved" => null,
                "ignored" => rng.Next(2) == 0 ? "archived_until_escalating" : "archived_forever",
                _ => firstHoursAgo < 24 * 7 ? "new" : rng.Next(10) == 0 ? "regressed" : rng.Next(12) == 0 ? "escalating" : "ongoing",
            };
            var minor = rng.Next(0, 5);
            var release = $"{t.Project}@{(t.Project == "web" ? 2 : 1)}.{minor}.{rng.Next(0, 4)}";
            b.Add(new IssueSpec(t.Project,
                new IssueMetadata(t.Type, value, t.File, t.Function),
                $"{t.File} in {t.Function}",
                levels[rng.Next(levels.Length)],
                status,
                substatus,
                priorities[rng.Next(priorities.Length)],
                rng.Next(4) == 0,
                rng.Next(4) == 0 ? "staging" : "production",
                release,
                rng.Next(3) == 0 ? $"{t.Project}@{(t.Project == "web" ? 2 : 1)}.{minor + 1}.0" : release,
                (int)Math.Min(count, rng.Next(0, 60)),
                rng.Next(6) == 0 ? BackendTeam : rng.Next(8) == 0 ? SandboxUser : null,
                batches,
                status == "unresolved" ? null : b.Now.AddHours(-lastHoursAgo).AddMinutes(rng.Next(5, 50))));
        }
    }

    /// <summary>Hourly batches over the last day, daily batches before that: enough for 24h, 14d and 30d stats.</summary>
    private static List<EventBatch> History(DateTimeOffset now, Random rng, int firstHoursAgo, int lastHoursAgo)
    {
        var list = new List<EventBatch>();
        DateTimeOffset At(int hoursAgo) => now.AddHours(-hoursAgo).AddSeconds(-rng.Next(0, 3599)).AddTicks(-rng.Next(0, 10_000_000));
        list.Add(new EventBatch(At(firstHoursAgo), rng.Next(1, 6)));
        for (var h = firstHoursAgo - 1; h > lastHoursAgo; h--)
        {
            var daily = h >= 24;
            if (daily && h % 24 != 0) continue;
            if (rng.Next(3) == 0) continue;
            list.Add(new EventBatch(At(h), daily ? rng.Next(1, 80) : rng.Next(1, 12)));
        }
        // Keep lastSeen exactly `lastHoursAgo` (minus at most a few seconds) so "date" sorting is predictable.
        list.Add(new EventBatch(now.AddHours(-lastHoursAgo).AddSeconds(-rng.Next(1, 30)).AddTicks(-rng.Next(0, 10_000_000)), rng.Next(1, 4)));
        return list;
    }
}

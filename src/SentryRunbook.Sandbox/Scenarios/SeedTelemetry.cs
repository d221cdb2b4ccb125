using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// 24h of release health and performance data: per-minute session aggregates for web and api, and
/// transactions. Web's release web@2.4.2, deployed 20 minutes ago with the Stripe dependency bump, is
/// ≈91% crash-free (its webhook handler crashes); web@2.4.1 and web@2.3.9 stay ≥99%, so the project's
/// last hour is ≈97%; api stays ≥99.5%. `GET /v1/geocode` has p95 ≈ 8200 ms
/// over the last hour; `GET /v1/orders` follows the same traffic curve as the pool-exhaustion issue.
/// </summary>
public static class SeedTelemetry
{
    public static void Add(ScenarioBuilder b)
    {
        AddSessions(b);
        AddTransactions(b);
    }

    private static void AddSessions(ScenarioBuilder b)
    {
        var web = b.Project("web");
        var api = b.Project("api");
        var thisMinute = new DateTimeOffset(b.Now.UtcTicks - b.Now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        for (var k = 1440; k >= 1; k--)
        {
            var started = thisMinute.AddMinutes(-k);
            var traffic = SeedExamples.Traffic(started);
            var webRelease = k <= (int)SeedExamples.PaymentReleaseDeployedAgo.TotalMinutes ? SeedReleases.PaymentRelease
                : k <= 45 ? "web@2.4.1"
                : SeedReleases.At("web", started, b.Now);
            if (webRelease == SeedReleases.PaymentRelease)
            {
                // Since the deploy of the Stripe bump: 32 sessions a minute, 3 of them crash → ≈91% crash-free,
                // the same in any bucket, so the figure does not depend on where the hour boundary falls.
                var errored = k % 4 == 0 ? 1 : 0;
                SeedSessionUsers.Add(b, new SessionAggregate(web, started, null, 29 - errored, errored, 3, 0, webRelease, "production"));
            }
            else if (k <= 60)
            {
                var crashed = k % 11 == 0 ? 1 : 0;
                var errored = k % 4 == 0 ? 1 : 0;
                SeedSessionUsers.Add(b, new SessionAggregate(web, started, null, 32 - crashed - errored, errored, crashed, 0, webRelease, "production"));
            }
            else
            {
                var total = (int)Math.Round(10 + 30 * traffic);
                var crashed = k % 37 == 0 ? 1 : 0;
                var errored = k % 5 == 0 ? 1 : 0;
                SeedSessionUsers.Add(b, new SessionAggregate(web, started, null, total - crashed - errored, errored, crashed, 0, webRelease, "production"));
            }

            var apiTotal = (int)Math.Round(20 + 40 * traffic);
            var apiCrashed = k % 53 == 0 ? 1 : 0;
            var apiErrored = k % 3 == 0 ? 1 : 0;
            SeedSessionUsers.Add(b, new SessionAggregate(api, started, null, apiTotal - apiCrashed - apiErrored, apiErrored, apiCrashed, 0,
                SeedReleases.At("api", started, b.Now), "production"));
        }
    }

    private static readonly (string Project, string Name, string Op, double MedianMs, int PerHour)[] Endpoints =
    [
        ("web", "/", "pageload", 240, 14), ("web", "/products", "pageload", 210, 12), ("web", "/cart", "pageload", 180, 10),
        ("web", "/checkout", "navigation", 240, 6), ("web", "POST /webhooks/stripe", "http.server", 70, 4),
        ("api", "GET /v1/products", "http.server", 95, 16), ("api", "POST /v1/checkout", "http.server", 190, 6),
        ("api", "GET /v1/users/{id}", "http.server", 65, 10), ("api", "GET /v1/geocode", "http.server", 160, 10),
        ("worker", "sync_account", "queue.task", 280, 8), ("worker", "import_csv", "queue.task", 250, 3),
    ];

    private static void AddTransactions(ScenarioBuilder b)
    {
        var rng = b.Random;
        foreach (var (hourStart, _) in SeedExamples.Hours(b.Now))
        {
            var lastHour = hourStart >= b.Now.AddHours(-1.01);
            foreach (var e in Endpoints)
            {
                // The geocoding endpoint's last hour is the outage, generated below.
                if (lastHour && e.Name == "GET /v1/geocode") continue;
                for (var n = 0; n < e.PerHour; n++)
                    Add(b, e.Project, e.Name, e.Op, hourStart.AddSeconds(rng.Next(0, 3600)), e.MedianMs * LogNormal(rng), "ok");
            }
            // GET /v1/orders follows the traffic curve (×10 the pool-exhaustion error rate).
            var orders = (int)Math.Round(10 * SeedExamples.PoolEventsPerPeakHour * SeedExamples.Traffic(hourStart));
            for (var n = 0; n < orders; n++)
                Add(b, "api", "GET /v1/orders", "http.server", hourStart.AddSeconds(rng.Next(0, 3600)), 120 * LogNormal(rng), "ok");
        }

        // Geocoding outage: 240 requests in the last hour waiting on a provider answering 503; quantiles
        // laid out so the 95th percentile is ≈ 8200 ms whatever percentile interpolation a query uses.
        const int count = 240;
        for (var i = 0; i < count; i++)
        {
            var u = (i + 0.5) / count;
            var duration = u <= 0.95 ? 8200 * Math.Pow(u / 0.95, 0.6) : 8200 + (u - 0.95) * 4000;
            var at = b.Now.AddMinutes(-59.5).AddSeconds(rng.Next(0, 3560));
            Add(b, "api", "GET /v1/geocode", "http.server", at, duration, u < 0.75 ? "unavailable" : "deadline_exceeded");
        }
    }

    /// <summary>Log-normal factor with median 1: p95 ≈ 2.3× the median, so ordinary endpoints land at 100–800 ms.</summary>
    private static double LogNormal(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Exp(0.5 * normal);
    }

    private static void Add(ScenarioBuilder b, string projectSlug, string name, string op, DateTimeOffset start, double durationMs, string status)
    {
        var project = b.Project(projectSlug);
        var id = b.NextEventId();
        b.Store.AddTransaction(new TransactionRecord(id, project, id, id[..16], name, op, start, Math.Round(durationMs, 3), status,
            SeedReleases.At(projectSlug, start, b.Now) ?? null, "production", null, [],
            projectSlug switch { "web" => "javascript", "api" => "csharp", _ => "python" }, start.AddMilliseconds(durationMs + 50)));
    }
}

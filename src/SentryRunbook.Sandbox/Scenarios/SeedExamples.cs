using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// The runbook's documented incidents as real events, on top of a deterministic background of ordinary
/// issues, sessions and transactions. Later tests assert these numbers: WEB-1 has exactly 200 events in
/// the last 5 minutes; API-1 exactly 180 events from 40 users in the last hour; WEB-2 exactly 320 users,
/// first seen at the first event of web@2.4.1.
/// </summary>
public static class SeedExamples
{
    // Constant seed: the data is identical on every start, only shifted in time.
    public const int Seed = 20260515;

    /// <summary>web@2.4.2, the release behind the payment incident, was deployed this long before start-up (SeedDeploys).</summary>
    public static readonly TimeSpan PaymentReleaseDeployedAgo = TimeSpan.FromMinutes(20);
    /// <summary>web@2.4.1 was created (first event of WEB-2) this long before start-up.</summary>
    public static readonly TimeSpan CartReleaseCreatedAgo = TimeSpan.FromMinutes(45);

    public static readonly Assignee SandboxUser = new("user", "1", "Sandbox User", "sandbox@example.com");
    public static readonly Assignee BackendTeam = new("team", "1", "backend", null);
    /// <summary>A member of the organization on no team: Sentry refuses to assign issues to them ("Cannot assign to non-team member").</summary>
    public static readonly Assignee OutsideMember = new("user", "2", "Olive Outside", "olive@example.com");
    /// <summary>A team of the organization with access to no project: Sentry refuses to assign issues to it.</summary>
    public static readonly Team MobileTeam = new("2", "mobile", "Mobile");

    public static EventStore Build(SandboxOptions options, DateTimeOffset now)
    {
        var b = new ScenarioBuilder(options, now, Seed);
        SeedReleases.Register(b);
        AddPaymentIncident(b);
        AddGeocodingOutage(b);
        AddCartRegression(b);
        AddStagingOnly(b);
        AddMisconfiguredSdk(b);
        AddPoolExhaustion(b);
        SeedBackground.Add(b);
        SeedTelemetry.Add(b);
        SeedDeploys.Add(b);
        SeedMonitors.Add(b);
        return b.Store;
    }

    public static EventStore BuildEmpty(SandboxOptions options, DateTimeOffset now) => new ScenarioBuilder(options, now, Seed).Store;

    private static TimeSpan Min(double m) => TimeSpan.FromMinutes(m);

    private static readonly SdkInfo NodeSdk = new("sentry.javascript.node", "11.12.0", [new SdkPackage("npm:@sentry/node", "11.12.0")]);
    private static readonly SdkInfo BrowserSdk = new("sentry.javascript.react", "11.12.0", [new SdkPackage("npm:@sentry/react", "11.12.0")]);
    public static readonly SdkInfo DotnetSdk = new("sentry.dotnet.aspnetcore", "6.12.1", [new SdkPackage("nuget:Sentry.AspNetCore", "6.12.1")]);

    private static EventUser WebUser(int n) => new($"u-{n}", $"customer{n}@example.com", null, null, null, null);

    // 1. The fresh payment outage: 200 events within 5 minutes, web@2.4.2 (deployed 20 minutes ago).
    private static void AddPaymentIncident(ScenarioBuilder b)
    {
        var web = b.Project("web");
        var rng = b.Random;
        var contexts = b.Contexts("""{"runtime":{"name":"node","version":"v20.20.2"},"os":{"name":"Linux","version":"6.1.0"},"stripe":{"api_version":"2026-10-01","pinned_api_version":"2025-06-30","webhook_endpoint":"we_1PqR7sL2eZvKYlo2"}}""");
        Frame[] frames =
        [
            new("node:internal/process/task_queues", null, "process.processTicksAndRejections", "task_queues", 95, 5, false),
            new("/app/node_modules/express/lib/router/layer.js", "/app/node_modules/express/lib/router/layer.js", "Layer.handle [as handle_request]", "express.lib.router:layer", 95, 5, false),
            new("src/server/routes.ts", "/app/src/server/routes.ts", "router.post", "server.routes", 88, 3, true,
                "router.post('/webhooks/stripe', express.raw({ type: 'application/json' }), handleStripeWebhook);"),
            new("src/payments/webhook.ts", "/app/src/payments/webhook.ts", "handleStripeWebhook", "payments.webhook", 42, 11, true,
                "    const event = parseStripeEvent(req.body, signature, PINNED_API_VERSION);",
                ["export async function handleStripeWebhook(req: Request, res: Response) {", "  const signature = req.header('Stripe-Signature');"],
                ["    await fulfil(event);", "    res.sendStatus(200);"]),
        ];
        ExceptionValue[] exception = [new("PaymentProcessingError", "Stripe webhook payload could not be parsed", null, new Mechanism("auto.node.onunhandledrejection", false), frames)];
        const string payloadSample = "{object:\"event\",\"id\":\"evt_1QzX8bL2eZvKYlo2C0mPl3xA\",\"api_version\":\"2026-10-01\",\"data\":{\"object\":{\"amount_total\":4999,\"currency\":\"usd\"";
        var request = new EventRequest("https://shop.example.com/webhooks/stripe", "POST",
            [new("Content-Type", "application/json"), new("Stripe-Signature", "t=1767771600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"),
             new("Stripe-Version", "2026-10-01"), new("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")], [], [], null);
        var extra = $$"""{"payload_sample":{{System.Text.Json.JsonSerializer.Serialize(payloadSample)}},"stripe_event_type":"checkout.session.completed","content_length":4812}""";
        var times = b.Spread(200, Min(5) - TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), 3);
        for (var i = 0; i < times.Count; i++)
        {
            var at = times[i];
            b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = web, Timestamp = at, Received = at.AddMilliseconds(60),
                Level = "fatal", Platform = "node", Release = SeedReleases.PaymentRelease, Environment = "production",
                Transaction = "POST /webhooks/stripe", ServerName = "web-" + (i % 4 + 1),
                Exceptions = exception,
                Breadcrumbs =
                [
                    new(at.AddMilliseconds(-2400), "http", "http", "info", "POST /webhooks/stripe (delivered by Stripe, 200)",
                        """{"method":"POST","url":"/webhooks/stripe","status_code":200,"Stripe-Version":"2026-10-01","previous Stripe-Version":"2025-06-30"}"""),
                    new(at.AddMilliseconds(-1100), "default", "console", "warning", "Stripe API version 2026-10-01 does not match pinned 2025-06-30", """{"logger":"console"}"""),
                    new(at.AddMilliseconds(-20), "error", "json.parse", "error", "Unexpected token o in JSON at position 1",
                        $$"""{"payload_sample":{{System.Text.Json.JsonSerializer.Serialize(payloadSample)}},"position":1}"""),
                ],
                // 150 distinct customers: each of the first 150 events has its own, the rest repeat them.
                User = WebUser(1000 + (i < 150 ? i : rng.Next(150))),
                SdkTags = [new("payment_provider", "stripe"), new("webhook.event_type", "checkout.session.completed")],
                ContextsJson = contexts.Json, ContextTags = contexts.Tags,
                Request = request, Sdk = NodeSdk, ExtraJson = extra, Size = 6120,
            });
        }
        var issue = b.Store.FindByShortId("WEB-1")!;
        // The organization has Seer for this issue: its summary, as Seer words one (AI-generated, not checked by anyone).
        issue.SeerSummary = new SeerSummary(
            "Stripe webhooks fail to parse after Stripe moved the account to API version 2026-10-01",
            "parseStripeEvent rejects every webhook payload with PaymentProcessingError since the web@2.4.2 deploy.",
            "POST /webhooks/stripe -> handleStripeWebhook -> parseStripeEvent(PINNED_API_VERSION) throws.",
            "The payload's Stripe-Version (2026-10-01) differs from the pinned 2025-06-30, and the parser rejects unknown versions.",
            0.82,
            0.71);
        b.Store.Assign(issue, SandboxUser, times[10].AddSeconds(30));
    }

    // 2. A downstream dependency failing for the last hour: 180 events, exactly 40 users.
    private static void AddGeocodingOutage(ScenarioBuilder b)
    {
        var api = b.Project("api");
        var rng = b.Random;
        var contexts = b.Contexts("""{"runtime":{"name":".NET","version":"10.0.12","raw_description":".NET 10.0.12"},"os":{"name":"Linux","version":"Debian 12","raw_description":"Debian GNU/Linux 12 (bookworm)"}}""");
        Frame[] frames =
        [
            new(null, null, "async Task ControllerActionInvoker.InvokeActionMethodAsync()", "Microsoft.AspNetCore.Mvc.Core", null, null, false),
            new("Controllers/GeocodeController.cs", "/src/Acme.Api/Controllers/GeocodeController.cs", "async Task<IActionResult> GeocodeController.Get(string q)",
                "Acme.Api.Controllers.GeocodeController", 31, 13, true, "        var point = await _geocoding.Lookup(q, ct);"),
            new("Services/GeocodingClient.cs", "/src/Acme.Api/Services/GeocodingClient.cs", "async Task<GeoPoint> GeocodingClient.Lookup(string address, CancellationToken ct)",
                "Acme.Api.Services.GeocodingClient", 57, 17, true, "            throw new ServiceUnavailableError($\"Geocoding API returned {(int)response.StatusCode}\");",
                ["        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)", "        {"], ["        }", "        response.EnsureSuccessStatusCode();"]),
        ];
        ExceptionValue[] exception = [new("ServiceUnavailableError", "Geocoding API returned 503", "Acme.Api.Services", new Mechanism("generic", true), frames)];
        var times = b.Spread(180, Min(59.5), TimeSpan.FromSeconds(20), 6);
        for (var i = 0; i < times.Count; i++)
        {
            var at = times[i];
            var query = "q=" + Uri.EscapeDataString($"{100 + i % 40} Main St");
            var crumbs = new List<Breadcrumb>();
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                crumbs.Add(new Breadcrumb(at.AddMilliseconds(-2700 * (4 - attempt)), "http", "http", "error", null,
                    $$"""{"url":"https://maps.geocoding-provider.example/v1/geocode?{{query}}","method":"GET","status_code":503,"reason":"Service Unavailable","attempt":{{attempt}}}"""));
            }
            crumbs.Add(new Breadcrumb(at.AddMilliseconds(-5), "default", "Acme.Api.Services.GeocodingClient", "warning", "Geocoding provider unavailable after 3 attempts", null));
            b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = api, Timestamp = at, Received = at.AddMilliseconds(45),
                Level = "error", Platform = "csharp", Release = "api@1.8.2", Environment = "production",
                Transaction = "GET /v1/geocode", ServerName = "api-" + (i % 3 + 1),
                Exceptions = exception, Breadcrumbs = crumbs,
                User = new EventUser($"acct-{2000 + (i < 40 ? i : rng.Next(40))}", null, null, null, null, null),
                ContextsJson = contexts.Json, ContextTags = contexts.Tags,
                Request = new EventRequest("https://api.acme.example/v1/geocode?" + query, "GET",
                    [new("Accept", "application/json"), new("User-Agent", "AcmeMobile/5.2 (iOS 18.1)")], [new("q", $"{100 + i % 40} Main St")], [], null),
                Sdk = DotnetSdk, Size = 4210,
            });
        }
        var issue = b.Store.FindByShortId("API-1")!;
        b.Store.SetPriority(issue, "high");
        b.Store.Assign(issue, BackendTeam, times[5]);
    }

    private static readonly string[] Browsers =
    [
        """{"browser":{"name":"Chrome","version":"130.0.0"},"os":{"name":"Windows","version":"10"}}""",
        """{"browser":{"name":"Chrome","version":"130.0.0"},"os":{"name":"macOS","version":"15.1"}}""",
        """{"browser":{"name":"Safari","version":"18.1"},"os":{"name":"iOS","version":"18.1"},"device":{"family":"iPhone","model":"iPhone"}}""",
        """{"browser":{"name":"Firefox","version":"132.0"},"os":{"name":"Windows","version":"10"}}""",
        """{"browser":{"name":"Edge","version":"130.0.0"},"os":{"name":"Windows","version":"11"}}""",
    ];

    // 3. A regression shipped with web@2.4.1: first seen at its first event 45 minutes ago, 900 events, 320 users.
    private static void AddCartRegression(ScenarioBuilder b)
    {
        var web = b.Project("web");
        var rng = b.Random;
        Frame[] frames =
        [
            new("app:///assets/vendor-3f2a91.js", "app:///assets/vendor-3f2a91.js", "Ai", null, 2, 81234, false),
            new("src/cart/CartPage.tsx", "app:///src/cart/CartPage.tsx", "CartPage", "cart/CartPage", 64, 9, true, "      {renderCartSummary(cart)}"),
            new("src/cart/summary.ts", "app:///src/cart/summary.ts", "renderCartSummary", "cart/summary", 18, 34, true,
                "  const total = response.totals.total.toFixed(2);",
                ["export function renderCartSummary(response: CartResponse) {", "  const items = response.items.length;"],
                ["  return `${items} items, ${total} ${response.currency}`;", "}"]),
        ];
        ExceptionValue[] exception = [new("TypeError", "Cannot read properties of undefined (reading 'total')", null, new Mechanism("auto.browser.global_handlers.onerror", false), frames)];
        var times = b.Spread(900, CartReleaseCreatedAgo, TimeSpan.FromSeconds(12), 6);
        b.Release("web@2.4.1", "web", times[0]);
        for (var i = 0; i < times.Count; i++)
        {
            var at = times[i];
            var user = 5000 + (i < 320 ? i : rng.Next(320));
            var contexts = b.Contexts(Browsers[user % Browsers.Length]);
            b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = web, Timestamp = at, Received = at.AddMilliseconds(120),
                Level = "error", Platform = "javascript", Release = "web@2.4.1", Environment = "production", Transaction = "/cart",
                Exceptions = exception,
                Breadcrumbs =
                [
                    new(at.AddSeconds(-3), "navigation", "navigation", "info", null, """{"from":"/products","to":"/cart"}"""),
                    new(at.AddMilliseconds(-400), "http", "xhr", "info", null, """{"method":"GET","url":"/api/cart","status_code":200,"response_keys":"items,summary,currency"}"""),
                ],
                User = WebUser(user),
                ContextsJson = contexts.Json, ContextTags = contexts.Tags,
                Request = new EventRequest("https://shop.example.com/cart", "GET", [new("User-Agent", "Mozilla/5.0"), new("Referer", "https://shop.example.com/products")], [], [], null),
                Sdk = BrowserSdk, Size = 3400,
            });
        }
    }

    // 4. Only seen on staging: must disappear when filtering on production.
    private static void AddStagingOnly(ScenarioBuilder b)
    {
        var web = b.Project("web");
        var contexts = b.Contexts(Browsers[0]);
        Frame[] frames =
        [
            new("src/orders/OrderList.tsx", "app:///src/orders/OrderList.tsx", "OrderRow", "orders/OrderList", 40, 12, true),
            new("src/utils/dates.ts", "app:///src/utils/dates.ts", "formatDate", "utils/dates", 12, 20, true, "  return new Intl.DateTimeFormat(locale).format(new Date(value));"),
        ];
        ExceptionValue[] exception = [new("RangeError", "Invalid time value", null, new Mechanism("generic", true), frames)];
        var times = b.Spread(12, Min(40), Min(6), 0);
        for (var i = 0; i < times.Count; i++)
        {
            b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = web, Timestamp = times[i], Received = times[i].AddMilliseconds(90),
                Level = "error", Platform = "javascript", Release = "web@2.4.1", Environment = "staging", Transaction = "/orders",
                Exceptions = exception,
                Breadcrumbs = [new(times[i].AddSeconds(-1), "navigation", "navigation", "info", null, """{"from":"/","to":"/orders"}""")],
                User = new EventUser($"qa-{i % 3 + 1}", $"qa{i % 3 + 1}@acme.example", null, null, null, null),
                ContextsJson = contexts.Json, ContextTags = contexts.Tags, Sdk = BrowserSdk, Size = 2100,
            });
        }
    }

    // 5. A misconfigured SDK: no release, no environment, no breadcrumbs, minified frames and none in-app.
    private static void AddMisconfiguredSdk(ScenarioBuilder b)
    {
        var worker = b.Project("worker");
        Frame[] frames =
        [
            new("app:///dist/worker.min.js", "app:///dist/worker.min.js", "e", null, 1, 2210, false),
            new("app:///dist/worker.min.js", "app:///dist/worker.min.js", "c.d", null, 1, 8812, false),
            new("app:///dist/worker.min.js", "app:///dist/worker.min.js", "a.b", null, 1, 10432, false),
        ];
        ExceptionValue[] exception = [new("Error", "Something went wrong", null, new Mechanism("generic", true), frames)];
        var sdk = new SdkInfo("sentry.javascript.node", "7.120.0", []);
        foreach (var at in b.Spread(37, Min(12 * 60), Min(30), 3))
        {
            b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = worker, Timestamp = at, Received = at.AddMilliseconds(300),
                Level = "error", Platform = "node", Exceptions = exception, Sdk = sdk, Size = 900,
            });
        }
    }

    /// <summary>Relative traffic by UTC hour of day: a daytime peak around 15:00, a night-time trough.</summary>
    public static double Traffic(DateTimeOffset at)
    {
        var hour = at.UtcDateTime.Hour + at.UtcDateTime.Minute / 60.0;
        var distance = Math.Min(Math.Abs(hour - 15), 24 - Math.Abs(hour - 15));
        return 0.2 + 0.8 * Math.Exp(-(distance * distance) / (2 * 4.0 * 4.0));
    }

    // 6. Connection-pool exhaustion whose hourly rate follows traffic over 24h (SeedTelemetry emits the endpoint's transactions).
    private static void AddPoolExhaustion(ScenarioBuilder b)
    {
        var api = b.Project("api");
        var rng = b.Random;
        var contexts = b.Contexts("""{"runtime":{"name":".NET","version":"10.0.12","raw_description":".NET 10.0.12"},"os":{"name":"Linux","version":"Debian 12","raw_description":"Debian GNU/Linux 12 (bookworm)"}}""");
        Frame[] frames =
        [
            new("Controllers/OrdersController.cs", "/src/Acme.Api/Controllers/OrdersController.cs", "async Task<IActionResult> OrdersController.List()", "Acme.Api.Controllers.OrdersController", 22, 9, true),
            new("Data/OrderRepository.cs", "/src/Acme.Api/Data/OrderRepository.cs", "async Task<IReadOnlyList<Order>> OrderRepository.ListAsync()", "Acme.Api.Data.OrderRepository", 48, 13, true),
            new("Data/ConnectionFactory.cs", "/src/Acme.Api/Data/ConnectionFactory.cs", "async Task<DbConnection> ConnectionFactory.OpenAsync()", "Acme.Api.Data.ConnectionFactory", 35, 17, true,
                "            await connection.OpenAsync(ct);"),
            new(null, null, "async Task NpgsqlConnection.Open(bool async, CancellationToken ct)", "Npgsql", null, null, false),
        ];
        ExceptionValue[] exception = [new("TimeoutException", "Connection pool exhausted (max 20)", "System", new Mechanism("generic", true), frames)];
        var events = new List<DateTimeOffset>();
        foreach (var (hourStart, _) in Hours(b.Now))
        {
            var n = (int)Math.Round(PoolEventsPerPeakHour * Traffic(hourStart));
            for (var k = 0; k < n; k++) events.Add(Precision.Trim(hourStart.AddSeconds(rng.Next(0, 3600)), 6));
        }
        events.Sort();
        foreach (var at in events)
        {
            b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = api, Timestamp = at, Received = at.AddMilliseconds(50),
                Level = "error", Platform = "csharp", Release = SeedReleases.At("api", at, b.Now), Environment = "production",
                Transaction = "GET /v1/orders", Exceptions = exception,
                Breadcrumbs = [new(at.AddSeconds(-30), "query", "db.query", "info", "SELECT * FROM orders WHERE account_id = @p0", null)],
                User = new EventUser($"acct-{3000 + rng.Next(25)}", null, null, null, null, null),
                ContextsJson = contexts.Json, ContextTags = contexts.Tags, Sdk = DotnetSdk, Size = 3900,
            });
        }
    }

    public const int PoolEventsPerPeakHour = 40;

    /// <summary>The 24 whole hours before now (oldest first), each with its index from the oldest.</summary>
    public static IEnumerable<(DateTimeOffset Start, int Index)> Hours(DateTimeOffset now)
    {
        for (var h = 24; h >= 1; h--) yield return (now.AddHours(-h), 24 - h);
    }
}

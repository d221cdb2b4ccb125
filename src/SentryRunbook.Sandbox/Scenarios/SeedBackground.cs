using System.Globalization;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// A quiet background of ordinary issues across web/api/worker so searches page and sort like a busy
/// org: hourly events over the last day, daily ones before that (up to 20 days), mixed levels,
/// ~85% unresolved and the rest resolved or archived after their last event. A few resolved issues
/// get a later event and regress through the store's own rule.
/// </summary>
public static class SeedBackground
{
    public const int IssueCount = 340;

    private static readonly (string Project, string Type, string Value, string File, string Function)[] Templates =
    [
        ("web", "TypeError", "Failed to fetch", "api/client.ts", "request"),
        ("web", "ChunkLoadError", "Loading chunk {0} failed.", "router.ts", "lazyLoad"),
        ("web", "ReferenceError", "{0} is not defined", "widgets/legacy.js", "init"),
        ("web", "Error", "ResizeObserver loop limit exceeded", "layout/grid.ts", "observe"),
        ("web", "SyntaxError", "Unexpected token '<' in JSON at position {0}", "api/parse.ts", "parseBody"),
        ("api", "NullReferenceException", "Object reference not set to an instance of an object.", "Controllers/OrdersController.cs", "Get"),
        ("api", "InvalidOperationException", "Sequence contains no elements (order {0})", "Services/OrderService.cs", "FindAsync"),
        ("api", "DbUpdateConcurrencyException", "The database operation was expected to affect 1 row(s) but affected 0", "Data/OrderRepository.cs", "SaveAsync"),
        ("api", "HttpRequestException", "Response status code does not indicate success: {0}", "Services/InventoryClient.cs", "ReserveAsync"),
        ("api", "TaskCanceledException", "A task was canceled.", "Services/MailClient.cs", "SendAsync"),
        ("worker", "KeyError", "'{0}'", "jobs/sync.py", "sync_account"),
        ("worker", "ConnectionResetError", "[Errno 104] Connection reset by peer", "queue.py", "consume"),
        ("worker", "ValueError", "invalid literal for int() with base 10: '{0}'", "jobs/import_csv.py", "parse_row"),
        ("worker", "SoftTimeLimitExceeded", "SoftTimeLimitExceeded()", "jobs/report.py", "build_report"),
    ];

    // Feature areas make each issue's in-app frame distinct, so every background issue groups on its own.
    private static readonly string[] Areas =
    [
        "billing", "catalog", "search", "accounts", "checkout", "shipping", "inventory", "reports", "notifications", "auth",
        "admin", "reviews", "loyalty", "pricing", "tax", "returns", "support", "exports", "imports", "analytics",
        "media", "settings", "onboarding", "wishlist", "coupons", "subscriptions", "partners", "audit", "gdpr", "webhooks",
    ];

    private static readonly string[] Levels = ["error", "error", "error", "error", "warning", "warning", "info", "fatal", "debug", "error"];

    public static void Add(ScenarioBuilder b)
    {
        var rng = b.Random;
        var combinations = Templates.Length * Areas.Length;
        var used = new bool[combinations];
        for (var i = 0; i < IssueCount; i++)
        {
            // A random (template, area) pair not taken yet: the next free one after a random start.
            var pick = rng.Next(combinations);
            while (used[pick]) pick = (pick + 1) % combinations;
            used[pick] = true;
            AddIssue(b, rng, Templates[pick / Areas.Length], Areas[pick % Areas.Length], i);
        }
    }

    private static void AddIssue(ScenarioBuilder b, Random rng, (string Project, string Type, string Value, string File, string Function) t, string area, int index)
    {
        var project = b.Project(t.Project);
        var value = string.Format(CultureInfo.InvariantCulture, t.Value, rng.Next(100, 999));
        var roll = rng.NextDouble();
        var status = roll < 0.85 ? "unresolved" : roll < 0.93 ? "resolved" : "ignored";
        var firstHoursAgo = rng.Next(2, 24 * 20);
        // Unresolved noise keeps happening today (but over an hour ago, so the curated incidents top the
        // default date sort); closed issues went quiet before they were closed.
        var lastHoursAgo = status == "unresolved" ? rng.Next(1, Math.Min(firstHoursAgo, 24)) : rng.Next(1, firstHoursAgo);
        var digits = (index % 3) switch { 0 => 0, 1 => 3, _ => 6 };
        var times = History(b.Now, rng, firstHoursAgo, lastHoursAgo).Select(x => Precision.Trim(x, digits)).Order().ToList();

        var level = Levels[rng.Next(Levels.Length)];
        var environment = rng.Next(4) == 0 ? "staging" : "production";
        var unhandled = rng.Next(4) == 0;
        var users = Enumerable.Range(0, rng.Next(0, 60)).Select(_ => rng.Next(1, 5000)).ToArray();
        var (platform, file, module, sdk) = t.Project switch
        {
            "web" => ("javascript", $"src/{area}/{t.File}", $"{area}/{Path.GetFileNameWithoutExtension(t.File)}", new SdkInfo("sentry.javascript.react", "11.12.0", [])),
            "api" => ("csharp", $"{t.File.Replace("/", "/" + Capital(area), StringComparison.Ordinal)}", $"Acme.Api.{Capital(area)}.{Path.GetFileNameWithoutExtension(t.File)}", SeedExamples.DotnetSdk),
            _ => ("python", $"worker/{area}/{t.File}", $"worker.{area}.{Path.GetFileNameWithoutExtension(t.File).Replace('/', '.')}", new SdkInfo("sentry.python", "2.40.0", [])),
        };
        Frame[] frames =
        [
            new(null, null, t.Project == "api" ? "async Task Program.Main(string[] args)" : "run", t.Project == "api" ? "Microsoft.AspNetCore.Hosting" : "runtime", null, null, false),
            new(file, "/app/" + file, t.Function, module, 10 + index % 90, 5, true),
        ];
        ExceptionValue[] exception = [new(t.Type, value, null, new Mechanism("generic", !unhandled), frames)];

        // Every tenth long-lived unresolved issue was resolved once and came back: it regresses on ingest.
        var regressAt = status == "unresolved" && firstHoursAgo > 48 && times.Count > 3 && rng.Next(10) == 0 ? times.Count / 2 : -1;
        Issue? issue = null;
        for (var k = 0; k < times.Count; k++)
        {
            var at = times[k];
            if (k == regressAt) b.Store.Resolve(issue!, times[k - 1].AddMinutes(5));
            issue = b.Ingest(new ErrorEvent
            {
                EventId = b.NextEventId(), Project = project, Timestamp = at, Received = at.AddMilliseconds(70),
                Level = level, Platform = platform, Release = SeedReleases.At(t.Project, at, b.Now), Environment = environment,
                Exceptions = exception,
                Breadcrumbs = [new(at.AddSeconds(-2), "default", "app", "info", $"handling {area} request", null)],
                User = users.Length == 0 ? null : new EventUser($"u-{users[rng.Next(users.Length)]}", null, null, null, null, null),
                Sdk = sdk, Size = 1500,
            }).Issue;
        }

        if (issue is null) return;
        var closedAt = issue.LastSeen.AddMinutes(rng.Next(5, 50));
        switch (status)
        {
            case "resolved":
                b.Store.Resolve(issue, closedAt, inNextRelease: rng.Next(3) == 0);
                break;
            case "ignored":
                b.Store.Ignore(issue, rng.Next(2) == 0 ? "archived_until_escalating" : "archived_forever", closedAt);
                break;
            default:
                if (regressAt < 0 && firstHoursAgo >= 24 * 7 && rng.Next(12) == 0) b.Store.SetSubstatus(issue, "escalating");
                break;
        }
        if (rng.Next(6) == 0) b.Store.Assign(issue, SeedExamples.BackendTeam, issue.FirstSeen.AddHours(1));
        else if (rng.Next(8) == 0) b.Store.Assign(issue, SeedExamples.SandboxUser, issue.FirstSeen.AddHours(1));
    }

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>Event times: a few per hour over the last day, a few per day before that.</summary>
    private static List<DateTimeOffset> History(DateTimeOffset now, Random rng, int firstHoursAgo, int lastHoursAgo)
    {
        var list = new List<DateTimeOffset>();
        DateTimeOffset At(int hoursAgo) => now.AddHours(-hoursAgo).AddSeconds(-rng.Next(0, 3599)).AddTicks(-rng.Next(0, 10_000_000));
        for (var n = rng.Next(1, 4); n > 0; n--) list.Add(At(firstHoursAgo));
        for (var h = firstHoursAgo - 1; h > lastHoursAgo; h--)
        {
            var daily = h >= 24;
            if (daily && h % 24 != 0) continue;
            if (rng.Next(3) == 0) continue;
            for (var n = daily ? rng.Next(1, 10) : rng.Next(1, 6); n > 0; n--) list.Add(At(h));
        }
        // Keep lastSeen exactly `lastHoursAgo` (minus at most a few seconds) so "date" sorting is predictable.
        var last = now.AddHours(-lastHoursAgo).AddSeconds(-rng.Next(1, 30)).AddTicks(-rng.Next(0, 10_000_000));
        for (var n = rng.Next(1, 3); n > 0; n--) list.Add(last.AddSeconds(-n));
        return list;
    }
}

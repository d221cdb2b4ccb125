using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using SentryRunbook.Sandbox;
using SentryRunbook.Sandbox.Scenarios;

// Loads 100,000 error events (plus 24h of sessions and transactions) into an in-process sandbox through
// the scenario-file generator (the store's normal ingest path), then times the queries the runbook
// makes over real HTTP: warm-up, then N iterations, reporting median and p95.
// Usage: dotnet run -c Release --project bench/SentryRunbook.Bench.Sandbox [-- iterations]
var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
const int warmup = 5;
const int issues = 500;
const int eventsPerIssue = 200;

var file = new ScenarioFile();
foreach (var slug in new[] { "web", "api", "worker" }) file.Projects.Add(new ScenarioFile.ProjectSpec(slug, "javascript", slug));
for (var i = 0; i < issues; i++)
{
    var project = new[] { "web", "api", "worker" }[i % 3];
    var start = 24 * 60 - (i % 20) * 30.0;
    file.Issues.Add(new ScenarioFile.IssueSpec(project, "BenchError" + i, "value " + i, null,
        new ScenarioFile.FrameSpec($"src/area{i}/module.ts", "handler" + i, null, 10), i % 7 == 0 ? "fatal" : "error", i % 2 == 0,
        i % 5 == 0 ? "staging" : "production", $"{project}@1.{i % 4}.0", "GET /route" + i % 30, eventsPerIssue, 1 + i % 150, start, i % 60,
        [new ScenarioFile.CrumbSpec("http", "fetch", "info", "GET /x -> 200", null, 1)], [new("area", "a" + i % 30)], null, "unresolved"));
}
foreach (var slug in new[] { "web", "api" })
    file.Sessions.Add(new ScenarioFile.SessionSpec(slug, slug + "@1.3.0", "production", 24, Enumerable.Repeat(2000, 24).ToArray(),
        Enumerable.Repeat(20, 24).ToArray(), Enumerable.Repeat(40, 24).ToArray(), Enumerable.Repeat(700, 24).ToArray()));
file.Transactions.Add(new ScenarioFile.TransactionSpec("api", "GET /v1/orders", "http.server", null, "production", 24, Enumerable.Repeat(400, 24).ToArray(), 120, 600, 0.01));

var load = Stopwatch.StartNew();
await using var host = await SandboxHost.StartAsync(new SandboxOptions { Port = 0, Scenario = "bench.json", ScenarioFile = file });
load.Stop();
var store = host.State.Store;
var eventCount = store.Read(s => s.AllEvents.Count);
var top = store.Issues.OrderByDescending(i => i.Count).First();
Console.WriteLine($"loaded {eventCount:N0} events, {store.Issues.Count} issues, {store.Read(s => s.SessionAggregates.Count):N0} session rows, {store.Read(s => s.Transactions.Count):N0} transactions in {load.Elapsed.TotalMilliseconds:N0} ms");

using var client = new HttpClient();
client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Token);
var org = host.Organization;
var someEvent = store.Read(s => s.AllEvents[s.AllEvents.Count / 2].EventId);
var cases = new (string Name, string Path)[]
{
    ("issue list: top 100 by date, 24h stats", $"/api/0/organizations/{org}/issues/?query=is:unresolved&sort=date&limit=100&statsPeriod=24h&groupStatsPeriod=24h"),
    ("issue search: custom tag (area:a3)", $"/api/0/organizations/{org}/issues/?query=is:unresolved%20area:a3&limit=100&statsPeriod=24h"),
    ("issue search: negated tag, scans events", $"/api/0/organizations/{org}/issues/?query=!area:a3%20has:user&limit=100&statsPeriod=24h"),
    ("issue search: bare event id (direct hit)", $"/api/0/organizations/{org}/issues/?query={someEvent}"),
    ("Discover errors: count() by issue (24h)", $"/api/0/organizations/{org}/events/?dataset=errors&field=issue&field=count()&field=count_unique(user)&sort=-count()&statsPeriod=24h&per_page=100"),
    ("Discover errors: count() for one issue", $"/api/0/organizations/{org}/events/?dataset=errors&field=count()&field=count_unique(user)&query=issue.id:{top.Id}&statsPeriod=24h&per_page=1"),
    ("events-stats count() 1m over 24h, one issue", $"/api/0/organizations/{org}/events-stats/?dataset=errors&yAxis=count()&interval=1m&query=issue.id:{top.Id}&statsPeriod=24h"),
    ("sessions crash-free (session+user), 24h hourly", $"/api/0/organizations/{org}/sessions/?field=crash_free_rate(session)&field=crash_free_rate(user)&field=sum(session)&project=1&statsPeriod=24h&interval=1h"),
};

var waitedOut = 0;
Console.WriteLine($"{"query",-50} {"median ms",10} {"p95 ms",10} {"bytes",10}");
foreach (var (name, path) in cases)
{
    var times = new List<double>();
    var bytes = 0;
    for (var i = 0; i < warmup + iterations; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync(host.BaseUri + path);
        var body = await response.Content.ReadAsByteArrayAsync();
        watch.Stop();
        if ((int)response.StatusCode == 429)
        {
            // The sandbox keeps sentry.io's rate limits on; this harness times queries, so it waits out the
            // window Sentry names, as a client should, and times the request again.
            var reset = long.Parse(response.Headers.GetValues("X-Sentry-Rate-Limit-Reset").First(), System.Globalization.CultureInfo.InvariantCulture);
            var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - DateTimeOffset.UtcNow;
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            waitedOut++;
            i--;
            continue;
        }
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{name}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        using (JsonDocument.Parse(body)) { }
        bytes = body.Length;
        if (i >= warmup) times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    var median = times[times.Count / 2];
    var p95 = times[Math.Min(times.Count - 1, (int)Math.Ceiling(0.95 * times.Count) - 1)];
    Console.WriteLine($"{name,-50} {median,10:F1} {p95,10:F1} {bytes,10:N0}");
}
Console.WriteLine($"429s waited out (sentry.io's limits stay on in the sandbox; not timed): {waitedOut}");

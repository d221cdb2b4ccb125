using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// Three cron monitors with a day of check-ins: a nightly report that runs fine, an hourly billing sync
/// whose last run failed, and a ten-minute cache warm-up that is healthy. Then two outages as Sentry's
/// monitors raise them: a nightly invoice export (worker) that ran fine for 14 nights and missed its run
/// 40 minutes ago, after worker@3.4.0 was deployed 70 minutes ago (a cron issue), and an uptime monitor of
/// the geocoding provider that has answered 503 for the last 61 minutes (an uptime issue).
/// </summary>
public static class SeedMonitors
{
    public const string InvoiceExportSlug = "invoice-export";
    public const string InvoiceExportName = "Nightly invoice export";
    /// <summary>The export's nightly run was due this long before start-up, and never checked in.</summary>
    public static readonly TimeSpan InvoiceExportDueAgo = TimeSpan.FromMinutes(40);
    public const int InvoiceExportMarginMinutes = 10;
    public const int InvoiceExportGoodNights = 14;
    /// <summary>The worker release deployed to production before the missed run.</summary>
    public const string WorkerRelease = "worker@3.4.0";
    public static readonly TimeSpan WorkerDeployedAgo = TimeSpan.FromMinutes(70);

    public const string GeocodingHealthUrl = "https://maps.geocoding-provider.example/v1/health";
    /// <summary>The provider's health check has failed (503) since this long before start-up; checked every minute for 6 hours.</summary>
    public static readonly TimeSpan GeocodingDownAgo = TimeSpan.FromMinutes(61);
    /// <summary>Sentry's default: three failures in a row open the uptime incident.</summary>
    public const int UptimeFailureThreshold = 3;

    public static void Add(ScenarioBuilder b)
    {
        var rng = b.Random;
        var worker = b.Project("worker");
        var api = b.Project("api");

        var nightly = b.Store.UpsertMonitor(worker, "nightly-report", "Nightly report", MonitorSchedule.Cron("0 3 * * *"), 30, 60, "UTC", b.Now.AddDays(-30));
        var billing = b.Store.UpsertMonitor(worker, "billing-sync", "Billing sync", MonitorSchedule.Every(1, "hour"), 5, 15, "UTC", b.Now.AddDays(-30));
        var warmup = b.Store.UpsertMonitor(api, "cache-warmup", "Cache warm-up", MonitorSchedule.Cron("*/10 * * * *"), 2, 5, "UTC", b.Now.AddDays(-30));

        foreach (var at in Runs(nightly, b.Now.AddDays(-7), b.Now))
            Run(b, nightly, at, "ok", rng.Next(600_000, 1_500_000));
        var hourly = Runs(billing, b.Now.AddDays(-1), b.Now).ToList();
        for (var i = 0; i < hourly.Count; i++)
            Run(b, billing, hourly[i], i == hourly.Count - 1 ? "error" : "ok", rng.Next(20_000, 90_000));
        foreach (var at in Runs(warmup, b.Now.AddHours(-6), b.Now))
            Run(b, warmup, at, "ok", rng.Next(1_000, 8_000));

        AddMissedExport(b, worker);
        AddGeocodingDowntime(b, api);
    }

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);

    // A nightly job that stopped checking in after a deploy: 14 good nights, then the run due 40 minutes ago was missed.
    private static void AddMissedExport(ScenarioBuilder b, Project worker)
    {
        var due = Minute(b.Now - InvoiceExportDueAgo);
        var export = b.Store.UpsertMonitor(worker, InvoiceExportSlug, InvoiceExportName, MonitorSchedule.Cron($"{due.Minute} {due.Hour} * * *"),
            InvoiceExportMarginMinutes, 60, "UTC", b.Now.AddDays(-60));
        for (var night = InvoiceExportGoodNights; night >= 1; night--)
            Run(b, export, due.AddDays(-night), "ok", b.Random.Next(300_000, 900_000));
        var lastOk = export.CheckIns[^1];

        b.Release(WorkerRelease, "worker", Precision.Trim(b.Now - WorkerDeployedAgo - TimeSpan.FromMinutes(10), 6));
        var release = b.Store.Read(s => s.Releases.Find(WorkerRelease))!;
        var deployed = Precision.Trim(b.Now - WorkerDeployedAgo, 6);
        b.Store.AddDeploy(release, "production", $"{WorkerRelease} to production", null, deployed.AddMinutes(-3), deployed, [worker.Id]);

        // Sentry's clock writes the synthetic missed check-in at the expected time once the margin has passed.
        b.Store.RecordCheckIn(export, b.NextEventId(), "production", "missed", null, due);
        var detected = due.AddMinutes(InvoiceExportMarginMinutes);
        var context = $$$"""{"monitor":{"id":"{{{export.Id}}}","slug":"{{{InvoiceExportSlug}}}","name":"{{{InvoiceExportName}}}","config":{"schedule_type":"crontab","schedule":"{{{export.Schedule.Expression}}}","checkin_margin":{{{InvoiceExportMarginMinutes}}},"max_runtime":60,"timezone":"UTC"},"status":"error"}}""";
        b.Ingest(new ErrorEvent
        {
            EventId = b.NextEventId(), Project = worker, Timestamp = detected, Received = detected,
            Level = "error", Platform = "other", Environment = "production",
            Fingerprint = ["crons:" + export.Id + ":1"],
            SdkTags = [new("monitor.id", export.Id), new("monitor.slug", InvoiceExportSlug), new("monitor.incident", "1")],
            ContextsJson = context,
            Occurrence = new Occurrence("monitor_check_in_failure", "cron", "Monitor failure: " + InvoiceExportName, "Your monitor has reached its failure threshold.",
                [new("Failure reason", "A missed check-in was detected"), new("Environment", "production"), new("Last successful check-in", lastOk.DateCreated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture))]),
            Size = 800,
        });
    }

    // An upstream down: the geocoding provider's health check has answered 503 for the last 61 minutes.
    private static void AddGeocodingDowntime(ScenarioBuilder b, Project api)
    {
        var monitor = b.Store.AddUptimeMonitor(api, "Geocoding provider", GeocodingHealthUrl, 60, "production");
        var downSince = Minute(b.Now - GeocodingDownAgo);
        var failures = 0;
        DateTimeOffset? opened = null;
        for (var at = Minute(b.Now.AddHours(-6)); at < b.Now; at = at.AddMinutes(1))
        {
            var down = at >= downSince;
            failures = down ? failures + 1 : 0;
            if (failures == UptimeFailureThreshold) opened = at;
            var ran = at.AddMilliseconds(b.Random.Next(50, 900));
            b.Store.RecordUptimeCheck(monitor, new UptimeCheck(b.NextEventId(), at, ran, down ? "failure" : "success", down ? "failure" : null,
                down ? 503 : 200, down ? b.Random.Next(80, 400) : b.Random.Next(120, 300), failures >= UptimeFailureThreshold, "us-east-1"));
        }

        var when = opened!.Value.AddSeconds(1);
        b.Ingest(new ErrorEvent
        {
            EventId = b.NextEventId(), Project = api, Timestamp = when, Received = when,
            Level = "error", Platform = "other", Environment = "production",
            Fingerprint = ["uptime-detector:" + monitor.Id],
            SdkTags = [new("uptime_rule", monitor.Id)],
            Occurrence = new Occurrence("uptime_domain_failure", "uptime", "Downtime detected for " + GeocodingHealthUrl, "Your monitored domain is down",
                [new("Failure reason", "failure - Got non-2xx status code (503)"), new("Duration", "231ms"), new("Method", "GET"), new("Status Code", "503")]),
            Size = 700,
        });
    }

    private static IEnumerable<DateTimeOffset> Runs(Model.Monitor monitor, DateTimeOffset from, DateTimeOffset until)
    {
        for (var at = monitor.Schedule.Next(from); at < until; at = monitor.Schedule.Next(at)) yield return at;
    }

    private static void Run(ScenarioBuilder b, Model.Monitor monitor, DateTimeOffset at, string status, long durationMs)
    {
        var id = b.NextEventId();
        b.Store.RecordCheckIn(monitor, id, "production", "in_progress", null, at);
        b.Store.RecordCheckIn(monitor, id, "production", status, durationMs, at.AddMilliseconds(durationMs));
    }
}

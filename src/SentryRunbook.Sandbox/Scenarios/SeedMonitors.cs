using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// Three cron monitors with a day of check-ins: a nightly report that runs fine, an hourly billing sync
/// whose last run failed, and a ten-minute cache warm-up that is healthy.
/// </summary>
public static class SeedMonitors
{
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

using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>Issue sparklines: `[[unixSeconds, count], …]`, buckets aligned to UTC hours/days, last bucket = the current one; summed from per-minute counters. Call under the store lock.</summary>
public static class Stats
{
    public static JsonArray Hourly(Issue issue, DateTimeOffset now, int buckets) => Build(issue, now, TimeSpan.FromHours(1), buckets);

    public static JsonArray Daily(Issue issue, DateTimeOffset now, int buckets) => Build(issue, now, TimeSpan.FromDays(1), buckets);

    /// <summary>`groupStatsPeriod=auto`: hourly for short search windows, daily otherwise (capped at 90 buckets).</summary>
    public static JsonArray Auto(Issue issue, DateTimeOffset now, DateTimeOffset windowStart)
    {
        var span = now - windowStart;
        return span <= TimeSpan.FromDays(2)
            ? Hourly(issue, now, Math.Max(1, (int)Math.Ceiling(span.TotalHours)))
            : Daily(issue, now, Math.Min(90, Math.Max(1, (int)Math.Ceiling(span.TotalDays))));
    }

    private static JsonArray Build(Issue issue, DateTimeOffset now, TimeSpan step, int buckets)
    {
        var last = new DateTimeOffset(now.UtcTicks - now.UtcTicks % step.Ticks, TimeSpan.Zero);
        var first = last - step * (buckets - 1);
        var counts = new long[buckets];
        var firstMinute = first.ToUnixTimeSeconds() / 60;
        var endMinute = (last + step).ToUnixTimeSeconds() / 60;
        var minutesPerBucket = (long)step.TotalMinutes;
        foreach (var (minute, count) in issue.MinuteCounts)
        {
            if (minute < firstMinute || minute >= endMinute) continue;
            counts[(minute - firstMinute) / minutesPerBucket] += count;
        }
        var array = new JsonArray();
        for (var i = 0; i < buckets; i++)
            array.Add(new JsonArray(Dates.UnixSeconds(first + step * i), counts[i]));
        return array;
    }
}

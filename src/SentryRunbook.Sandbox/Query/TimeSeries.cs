using System.Globalization;
using SentryRunbook.Sandbox.Search;

namespace SentryRunbook.Sandbox.Query;

/// <summary>Zero-filled buckets aligned to multiples of the interval (UTC, from the Unix epoch).</summary>
public sealed record BucketLayout(DateTimeOffset Start, TimeSpan Interval, int Count, DateTimeOffset Now)
{
    public DateTimeOffset End => Start + Interval * Count;

    public DateTimeOffset BucketStart(int i) => Start + Interval * i;

    /// <summary>The bucket a time falls in, or -1 outside the layout.</summary>
    public int Index(DateTimeOffset t)
    {
        if (t < Start) return -1;
        var i = (t - Start).Ticks / Interval.Ticks;
        return i < Count ? (int)i : -1;
    }

    public bool IsIncomplete(int i) => BucketStart(i) + Interval > Now;

    /// <summary>Rows per bucket (rows outside the layout are dropped).</summary>
    public List<QueryRow>[] Fill(IEnumerable<QueryRow> rows)
    {
        var buckets = new List<QueryRow>[Count];
        for (var i = 0; i < Count; i++) buckets[i] = [];
        foreach (var row in rows)
        {
            var i = Index(row.Timestamp);
            if (i >= 0) buckets[i].Add(row);
        }
        return buckets;
    }

    /// <summary>One yAxis over the buckets; per-bucket windows for epm()/eps(); empty values zero-filled.</summary>
    public double[] Values(FieldSpec f, List<QueryRow>[] buckets)
    {
        var values = new double[Count];
        for (var i = 0; i < Count; i++) values[i] = Aggregates.Number(Aggregates.Compute(f, buckets[i], Interval));
        return values;
    }
}

public static class TimeSeries
{
    /// <summary>Sentry's limit on points per series; requests over it get the window's default interval.</summary>
    public const int MaxBuckets = 10_000;

    /// <summary>
    /// `interval`: a duration (`1m`, `1h`, `1d`, or bare seconds); absent → Sentry's low-fidelity default for
    /// the window (≤1h: 1m, ≤1d: 5m, ≤30d: 1h, ≤60d: 4h, else 1d). Too many buckets fall back to that same
    /// default, as Sentry does ("if the user sends an invalid interval, use the default instead"), not to the
    /// next step that would fit: a client must cope with buckets much wider than it asked for.
    /// </summary>
    public static bool TryInterval(string? raw, TimeSpan window, out TimeSpan interval, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(raw))
        {
            interval = DefaultInterval(window);
        }
        else if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            interval = TimeSpan.FromSeconds(seconds);
        }
        else if (!Period.TryParse(raw, out interval) || interval <= TimeSpan.Zero)
        {
            error = $"Invalid interval: {raw}";
            return false;
        }

        if (window.Ticks / interval.Ticks > MaxBuckets)
        {
            interval = DefaultInterval(window);
        }
        return true;
    }

    private static TimeSpan DefaultInterval(TimeSpan window) =>
        window >= TimeSpan.FromDays(60) ? TimeSpan.FromDays(1)
        : window >= TimeSpan.FromDays(30) ? TimeSpan.FromHours(4)
        : window > TimeSpan.FromDays(1) ? TimeSpan.FromHours(1)
        : window > TimeSpan.FromHours(1) ? TimeSpan.FromMinutes(5)
        : TimeSpan.FromMinutes(1);

    /// <summary>Buckets from the interval boundary at or before `start`; the incomplete last bucket only with `partial`.</summary>
    public static BucketLayout Layout(DateTimeOffset start, DateTimeOffset end, TimeSpan interval, bool partial, DateTimeOffset now)
    {
        var first = Floor(start, interval);
        var last = partial ? Ceiling(end, interval) : Floor(end, interval);
        if (last <= first) last = first + interval;
        var count = (int)((last - first).Ticks / interval.Ticks);
        return new BucketLayout(first, interval, count, now);
    }

    public static DateTimeOffset Floor(DateTimeOffset t, TimeSpan step) => new(t.UtcTicks - (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % step.Ticks, TimeSpan.Zero);

    public static DateTimeOffset Ceiling(DateTimeOffset t, TimeSpan step)
    {
        var floor = Floor(t, step);
        return floor == t ? t : floor + step;
    }
}

using System.Globalization;

namespace SentryRunbook.Sandbox.Model;

/// <summary>
/// A cron monitor: a schedule (crontab, or every N units) and the check-ins its job reported, per
/// environment. Created by a scenario or upserted by a check-in carrying `monitor_config`, like Sentry.
/// Mutated under the store lock only.
/// </summary>
public sealed class Monitor
{
    public required string Id { get; init; }
    public required string Slug { get; init; }
    public required Project Project { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    public string Name { get; internal set; } = "";
    public MonitorSchedule Schedule { get; internal set; } = MonitorSchedule.Cron("* * * * *");
    public int? CheckinMargin { get; internal set; }
    public int? MaxRuntime { get; internal set; }
    public string Timezone { get; internal set; } = "UTC";
    public bool IsMuted { get; internal set; }
    /// <summary>Oldest first.</summary>
    public List<CheckIn> CheckIns { get; } = [];
}

/// <summary>One run of the job; an `in_progress` check-in is completed later under the same id.</summary>
public sealed class CheckIn
{
    public required string Id { get; init; }
    public required string Environment { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    public string Status { get; internal set; } = "in_progress";
    public long? DurationMs { get; internal set; }
    public DateTimeOffset DateUpdated { get; internal set; }
    public DateTimeOffset? DateInProgress { get; internal set; }
    public DateTimeOffset ExpectedTime { get; internal set; }
}

/// <summary>`crontab` with a five-field expression, or `interval` with a value and unit (minute, hour, day, week, month, year).</summary>
public sealed record MonitorSchedule(string Type, string? Expression, int Interval, string? Unit)
{
    public static MonitorSchedule Cron(string expression) => new("crontab", expression, 0, null);
    public static MonitorSchedule Every(int value, string unit) => new("interval", null, value, unit);

    /// <summary>True when the expression or unit is one the sandbox can compute next run times for.</summary>
    public bool IsValid => Type == "crontab" ? CronFields.TryParse(Expression!, out _) : Interval > 0 && Step(Unit) is not null;

    /// <summary>The first scheduled run strictly after `after` (UTC; the sandbox ignores monitor time zones).</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        if (Type == "interval")
        {
            var at = Step(Unit)!(after, Interval);
            return new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);
        }
        var fields = CronFields.TryParse(Expression!, out var f) ? f : throw new InvalidOperationException("invalid crontab " + Expression);
        var t = new DateTimeOffset(after.Year, after.Month, after.Day, after.Hour, after.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        // Minute steps over at most a year: enough for any expression that ever fires.
        for (var i = 0; i < 366 * 24 * 60; i++, t = t.AddMinutes(1))
            if (fields.Matches(t)) return t;
        return t;
    }

    private static Func<DateTimeOffset, int, DateTimeOffset>? Step(string? unit) => unit switch
    {
        "minute" => (t, n) => t.AddMinutes(n),
        "hour" => (t, n) => t.AddHours(n),
        "day" => (t, n) => t.AddDays(n),
        "week" => (t, n) => t.AddDays(7 * n),
        "month" => (t, n) => t.AddMonths(n),
        "year" => (t, n) => t.AddYears(n),
        _ => null,
    };
}

/// <summary>Five crontab fields (minute hour day-of-month month day-of-week) with `*`, `*/n`, `a`, `a-b`, `a-b/n` and lists.</summary>
public sealed class CronFields
{
    private readonly HashSet<int>[] _allowed;

    private CronFields(HashSet<int>[] allowed) => _allowed = allowed;

    public static bool TryParse(string expression, out CronFields fields)
    {
        fields = null!;
        var parts = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        (int Min, int Max)[] ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
        if (parts.Length != 5) return false;
        var allowed = new HashSet<int>[5];
        for (var i = 0; i < 5; i++)
        {
            allowed[i] = [];
            foreach (var item in parts[i].Split(','))
            {
                var (range, step) = item.Split('/') switch
                {
                    [var r] => (r, "1"),
                    [var r, var s] => (r, s),
                    _ => ("", ""),
                };
                if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) return false;
                int from, to;
                if (range == "*") (from, to) = ranges[i];
                else if (range.Split('-') is [var a, var b] && Int(a, out from) && Int(b, out to)) { }
                else if (Int(range, out from)) to = step == "1" ? from : ranges[i].Max;
                else return false;
                if (from < ranges[i].Min || to > ranges[i].Max + (i == 4 ? 1 : 0) || from > to) return false;
                for (var v = from; v <= to; v += n) allowed[i].Add(i == 4 ? v % 7 : v);
            }
        }
        fields = new CronFields(allowed);
        return true;
    }

    public bool Matches(DateTimeOffset t) =>
        _allowed[0].Contains(t.Minute) && _allowed[1].Contains(t.Hour) && _allowed[2].Contains(t.Day)
        && _allowed[3].Contains(t.Month) && _allowed[4].Contains((int)t.DayOfWeek);

    private static bool Int(string s, out int value) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

/// <summary>
/// An uptime monitor (Sentry's uptime detector): a URL checked every `IntervalSeconds` from a region, and the
/// results of its checks, oldest first. Mutated under the store lock only.
/// </summary>
public sealed class UptimeMonitor
{
    public required string Id { get; init; }
    public required Project Project { get; init; }
    public required string Name { get; init; }
    public required string Url { get; init; }
    public string Method { get; init; } = "GET";
    public int IntervalSeconds { get; init; } = 60;
    public int TimeoutMs { get; init; } = 5000;
    public string Environment { get; init; } = "production";
    /// <summary>Oldest first.</summary>
    public List<UptimeCheck> Checks { get; } = [];
    /// <summary>1 = up, 2 = down (Sentry's UptimeStatus).</summary>
    public int UptimeStatus => Checks.Count > 0 && Checks[^1].Status != "success" ? 2 : 1;
}

/// <summary>One check: `success`, `failure` or `missed_window`, why it failed (failure, timeout, dns_error, …) and the HTTP status.</summary>
public sealed record UptimeCheck(string Id, DateTimeOffset ScheduledAt, DateTimeOffset At, string Status, string? Reason, int? HttpStatusCode, int DurationMs, bool InIncident, string Region);

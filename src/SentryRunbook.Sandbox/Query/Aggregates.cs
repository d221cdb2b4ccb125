using System.Globalization;
using System.Text.Json.Nodes;

namespace SentryRunbook.Sandbox.Query;

/// <summary>Discover's aggregate functions over a set of rows, and the JSON form of any cell.</summary>
public static class Aggregates
{
    /// <summary>
    /// The value of a function over `rows`. Empty sets give 0 for counts and rates per time, null for
    /// percentiles, averages, min/max and failure_rate (ClickHouse's NaN, which Sentry sends as null).
    /// </summary>
    public static object? Compute(FieldSpec f, IReadOnlyList<QueryRow> rows, TimeSpan window)
    {
        switch (f.Name)
        {
            case "count":
                return (long)rows.Count;
            case "count_unique":
            {
                var arg = f.Argument!;
                var set = new HashSet<string>(StringComparer.Ordinal);
                if (arg.StartsWith("tag:", StringComparison.Ordinal))
                {
                    var key = arg[4..];
                    foreach (var r in rows)
                        if (r.Tag(key) is { Length: > 0 } v) set.Add(v);
                }
                else
                {
                    foreach (var r in rows)
                        if (QueryRow.Text(arg == "user" ? r.User : r.Get(arg)) is { Length: > 0 } v) set.Add(v);
                }
                return (long)set.Count;
            }
            case "failure_count":
                return (long)rows.Count(r => r.IsFailure);
            case "failure_rate":
                return rows.Count == 0 ? null : rows.Count(r => r.IsFailure) / (double)rows.Count;
            case "epm":
                return window.TotalMinutes <= 0 ? 0.0 : rows.Count / window.TotalMinutes;
            case "eps":
                return window.TotalSeconds <= 0 ? 0.0 : rows.Count / window.TotalSeconds;
            case "last_seen":
                return rows.Count == 0 ? null : rows.Max(r => r.Timestamp);
            case "first_seen":
                return rows.Count == 0 ? null : rows.Min(r => r.Timestamp);
        }

        var values = new List<double>(rows.Count);
        foreach (var r in rows)
            if (r.Duration is { } d) values.Add(d);
        if (f.Name == "sum") return values.Sum();
        if (values.Count == 0) return null;
        return f.Name switch
        {
            "avg" => values.Average(),
            "min" => values.Min(),
            "max" => values.Max(),
            _ => Percentile(values, f.Quantile),
        };
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default, what ClickHouse's quantileExact… approximates).</summary>
    public static double Percentile(List<double> values, double q)
    {
        values.Sort();
        var h = (values.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = (int)Math.Ceiling(h);
        return values[lo] + (h - lo) * (values[hi] - values[lo]);
    }

    /// <summary>A cell as JSON: numbers stay numbers (integers as integers), dates as Discover's `+00:00` strings.</summary>
    public static JsonNode? Json(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => double.IsFinite(d) ? JsonValue.Create(Math.Round(d, 6)) : null,
        bool b => JsonValue.Create(b),
        DateTimeOffset t => JsonValue.Create(DiscoverWire.Timestamp(t)),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>A number for time series buckets (null and non-numbers → 0, as Sentry zero-fills).</summary>
    public static double Number(object? value) => value switch
    {
        long l => l,
        int i => i,
        double d when double.IsFinite(d) => d,
        DateTimeOffset t => t.ToUnixTimeSeconds(),
        _ => 0,
    };
}

public static class DiscoverWire
{
    /// <summary>Discover's timestamp strings: `2026-01-06T12:34:56+00:00`.</summary>
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}

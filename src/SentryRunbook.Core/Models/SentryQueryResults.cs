using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>A Discover table (<c>/organizations/{org}/events/</c>): rows keyed by the exact field strings asked for.</summary>
    public sealed class SentryTable
    {
        public SentryTable(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyDictionary<string, string> fieldTypes, IReadOnlyDictionary<string, string?> units)
        {
            Rows = rows;
            FieldTypes = fieldTypes;
            Units = units;
        }

        /// <summary>Values are double, string or null.</summary>
        public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows { get; }
        public IReadOnlyDictionary<string, string> FieldTypes { get; }
        public IReadOnlyDictionary<string, string?> Units { get; }

        /// <summary>A numeric cell of the first row, or null when absent (no rows, missing field, null).</summary>
        public double? FirstNumber(string field) =>
            Rows.Count > 0 && Rows[0].TryGetValue(field, out object? value) && value is double number ? number : (double?)null;
    }

    /// <summary>A series of <c>events-stats</c>: zero-filled buckets of one y-axis.</summary>
    public sealed class SentryTimeSeries
    {
        public SentryTimeSeries(string yAxis, IReadOnlyList<SentryTimePoint> points)
        {
            YAxis = yAxis;
            Points = points;
        }

        public string YAxis { get; }
        public IReadOnlyList<SentryTimePoint> Points { get; }
    }

    public sealed class SentryTimePoint
    {
        public SentryTimePoint(DateTimeOffset time, double? value)
        {
            Time = time;
            Value = value;
        }

        public DateTimeOffset Time { get; }
        public double? Value { get; }

        public override string ToString() => $"{Time:u} {Value}";
    }

    /// <summary>Release-health totals and series from <c>/organizations/{org}/sessions/</c>. Rates are fractions 0..1 as Sentry sends them.</summary>
    public sealed class SentrySessionStats
    {
        public SentrySessionStats(IReadOnlyList<DateTimeOffset> intervals, IReadOnlyList<SentrySessionGroup> groups)
        {
            Intervals = intervals;
            Groups = groups;
        }

        public IReadOnlyList<DateTimeOffset> Intervals { get; }
        public IReadOnlyList<SentrySessionGroup> Groups { get; }
    }

    public sealed class SentrySessionGroup
    {
        public SentrySessionGroup(IReadOnlyDictionary<string, string> by, IReadOnlyDictionary<string, double?> totals, IReadOnlyDictionary<string, IReadOnlyList<double?>> series)
        {
            By = by;
            Totals = totals;
            Series = series;
        }

        public IReadOnlyDictionary<string, string> By { get; }
        public IReadOnlyDictionary<string, double?> Totals { get; }
        public IReadOnlyDictionary<string, IReadOnlyList<double?>> Series { get; }
    }
}

using System;
using System.Globalization;

namespace SentryRunbook.Text
{
    /// <summary>
    /// How findings, reasons and records write times, numbers and percentages: one way everywhere, so a
    /// figure reads the same in a triage step, a pattern's evidence and a postmortem.
    /// </summary>
    public static class Formats
    {
        /// <summary>A moment as <c>2026-12-03 09:09 UTC</c>.</summary>
        public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

        /// <summary>A moment that may be unknown; <paramref name="unknown"/> stands in for it.</summary>
        public static string Time(DateTimeOffset? time, string unknown = "an unknown time") => time is DateTimeOffset t ? Time(t) : unknown;

        /// <summary>Up to two decimals, no trailing zeros (<c>98.5</c>, <c>100</c>); <c>none</c> for no value.</summary>
        public static string Number(double? value) => value is double v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "none";

        /// <summary>A percentage written like <see cref="Number"/> (<c>98.5%</c>).</summary>
        public static string Percent(double value) => Number(value) + "%";

        /// <summary>
        /// A duration in words: <c>0 min</c>, <c>45 min</c>, <c>1 h 25 min</c>, <c>2 d 3 h</c>, <c>40 s</c> under a
        /// minute; <paramref name="unknown"/> when null. The postmortem, the format views and the demo print it alike.
        /// </summary>
        public static string Duration(TimeSpan? span, string unknown = "not recorded")
        {
            if (span is not TimeSpan s) return unknown;
            if (s < TimeSpan.Zero) s = TimeSpan.Zero;
            if (s.TotalDays >= 1) return $"{(int)s.TotalDays} d" + (s.Hours > 0 ? $" {s.Hours} h" : string.Empty);
            if (s.TotalHours >= 1) return $"{(int)s.TotalHours} h" + (s.Minutes > 0 ? $" {s.Minutes} min" : string.Empty);
            if (s.TotalMinutes >= 1) return $"{(int)s.TotalMinutes} min";
            return s.TotalSeconds >= 1 ? $"{(int)s.TotalSeconds} s" : "0 min";
        }

        /// <summary>Text cut to <paramref name="max"/> characters, the cut marked with <c>...</c>.</summary>
        public static string Clip(string text, int max) => text.Length <= max ? text : text.Substring(0, Math.Max(0, max - 3)) + "...";
    }
}

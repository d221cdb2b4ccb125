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

        /// <summary>Text cut to <paramref name="max"/> characters, the cut marked with <c>...</c>.</summary>
        public static string Clip(string text, int max) => text.Length <= max ? text : text.Substring(0, Math.Max(0, max - 3)) + "...";
    }
}

using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SentryRunbook.Analysis
{
    /// <summary>Sentry's period strings: a number and a unit of s, m, h, d or w (<c>24h</c>, <c>14d</c>).</summary>
    public static class Periods
    {
        private static readonly Regex Pattern = new Regex(@"^(?<n>\d{1,6})(?<u>[smhdw])$", RegexOptions.CultureInvariant);

        public static bool TryParse(string? text, out TimeSpan period)
        {
            period = TimeSpan.Zero;
            Match match = Pattern.Match(text ?? string.Empty);
            if (!match.Success) return false;
            double n = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            period = match.Groups["u"].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(7 * n),
            };
            return period > TimeSpan.Zero;
        }

        public static TimeSpan Parse(string text) =>
            TryParse(text, out TimeSpan period) ? period : throw new FormatException($"'{text}' is not a Sentry period: use a number and s, m, h, d or w, such as 24h or 14d.");
    }
}

using System.Globalization;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>Sentry's date strings: UTC, `Z`, and as many fractional digits as the value carries (0, 3 or 6).</summary>
public static class Dates
{
    public static string Iso(DateTimeOffset t)
    {
        var utc = t.UtcDateTime;
        var format = (utc.Ticks % TimeSpan.TicksPerSecond) == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'"
            : (utc.Ticks % TimeSpan.TicksPerMillisecond) == 0 ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"
            : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }

    public static long UnixSeconds(DateTimeOffset t) => t.ToUnixTimeSeconds();
}

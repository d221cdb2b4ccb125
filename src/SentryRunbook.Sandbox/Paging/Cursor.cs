using System.Globalization;

namespace SentryRunbook.Sandbox.Paging;

/// <summary>Sentry cursor `value:offset:is_prev`. The sandbox pages by offset; value is always 0.</summary>
public readonly record struct Cursor(long Value, int Offset, bool IsPrev)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Value}:{Offset}:{(IsPrev ? 1 : 0)}");

    /// <summary>Three integers or nothing: Sentry answers anything else with 400 "Invalid cursor parameter.".</summary>
    public static bool TryParse(string? text, out Cursor cursor)
    {
        cursor = default;
        if (text is null) return false;
        var parts = text.Split(':');
        if (parts.Length != 3) return false;
        const NumberStyles style = NumberStyles.AllowLeadingSign;
        if (!long.TryParse(parts[0], style, CultureInfo.InvariantCulture, out var value)
            || !int.TryParse(parts[1], style, CultureInfo.InvariantCulture, out var offset)
            || !int.TryParse(parts[2], style, CultureInfo.InvariantCulture, out var isPrev)
            || offset < 0)
            return false;
        cursor = new Cursor(value, offset, isPrev != 0);
        return true;
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SentryRunbook.Sandbox.Search;

/// <summary>
/// The pieces of Sentry's search grammar that issue search and event search share: tokens, keys,
/// quoted values, `[a, b]` lists, `*` wildcards, comparison operators, numbers and dates.
/// </summary>
public static class SearchTerms
{
    /// <summary>Splits on whitespace outside double quotes and brackets (so `message:"a b"` and `key:[a, b]` stay whole).</summary>
    public static IEnumerable<string> Tokenize(string query)
    {
        var sb = new StringBuilder();
        var quoted = false;
        var depth = 0;
        for (var i = 0; i < query.Length; i++)
        {
            var c = query[i];
            if (c == '\\' && quoted && i + 1 < query.Length)
            {
                sb.Append(c).Append(query[++i]);
                continue;
            }
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '[') depth++;
            else if (!quoted && c == ']' && depth > 0) depth--;
            if (char.IsWhiteSpace(c) && !quoted && depth == 0)
            {
                if (sb.Length > 0) yield return sb.ToString();
                sb.Clear();
                continue;
            }
            sb.Append(c);
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    /// <summary>The end of the key: the first ':' outside brackets (so `tags[a:b]:v` works); -1 for free text.</summary>
    public static int KeyEnd(string term)
    {
        if (term.StartsWith('"')) return -1;
        var depth = 0;
        for (var i = 0; i < term.Length; i++)
        {
            if (term[i] == '[') depth++;
            else if (term[i] == ']') depth--;
            else if (term[i] == ':' && depth == 0) return i;
        }
        return -1;
    }

    public static bool IsList(string raw) => raw.Length >= 2 && raw[0] == '[' && raw[^1] == ']';

    /// <summary>`a`, `"a b"` or a list `[a, "b c"]`.</summary>
    public static IReadOnlyList<string> Values(string raw)
    {
        if (!IsList(raw)) return [Unquote(raw)];
        return SplitList(raw[1..^1]).Select(part => Unquote(part.Trim())).ToArray();
    }

    private static IEnumerable<string> SplitList(string text)
    {
        var sb = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted)
            {
                yield return sb.ToString();
                sb.Clear();
                continue;
            }
            sb.Append(c);
        }
        yield return sb.ToString();
    }

    public static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value;

    /// <summary>Exact (or contains) match; `*` is a wildcard, `\*` a literal star.</summary>
    public static Func<string, bool> Pattern(string value, bool contains, bool ignoreCase)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!value.Contains('*'))
        {
            if (contains) return s => s.Contains(value, comparison);
            return s => string.Equals(s, value, comparison);
        }
        var sb = new StringBuilder(contains ? "" : "^");
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length && value[i + 1] == '*')
            {
                sb.Append(@"\*");
                i++;
            }
            else if (value[i] == '*') sb.Append(".*");
            else sb.Append(Regex.Escape(value[i].ToString()));
        }
        if (!contains) sb.Append('$');
        var regex = new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
        return regex.IsMatch;
    }

    /// <summary>Splits a leading `>=`, `<=`, `>` or `<` off a value; "" when there is none.</summary>
    public static (string Op, string Operand) Operator(string raw)
    {
        var op = raw.StartsWith(">=", StringComparison.Ordinal) || raw.StartsWith("<=", StringComparison.Ordinal) ? raw[..2]
            : raw.StartsWith('>') || raw.StartsWith('<') ? raw[..1] : "";
        return (op, raw[op.Length..]);
    }

    /// <summary>Applies a comparison operator ("" = equality) to the result of a CompareTo.</summary>
    public static bool Test(string op, int comparison) => op switch
    {
        ">" => comparison > 0,
        ">=" => comparison >= 0,
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        _ => comparison == 0,
    };

    /// <summary>Integers with Sentry's k/m/b multipliers (`times_seen:>1k`).</summary>
    public static bool TryCount(string text, out long value)
    {
        value = 0;
        if (text.Length == 0) return false;
        var factor = char.ToLowerInvariant(text[^1]) switch { 'k' => 1_000L, 'm' => 1_000_000L, 'b' => 1_000_000_000L, _ => 1L };
        var digits = factor == 1 ? text : text[..^1];
        if (!decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
        value = (long)(n * factor);
        return true;
    }

    /// <summary>An ISO date or date-time (naive = UTC); `dateOnly` when it had no time part.</summary>
    public static bool TryDate(string text, out DateTimeOffset at, out bool dateOnly)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        dateOnly = text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
        at = default;
        // A bare number is not a date here, though DateTimeOffset.TryParse would accept some.
        if (text.Length < 8 || !char.IsAsciiDigit(text[0]) || !text.Contains('-')) return false;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out at);
    }
}

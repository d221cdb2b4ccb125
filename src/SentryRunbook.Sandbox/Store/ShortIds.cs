namespace SentryRunbook.Sandbox.Store;

/// <summary>
/// Short IDs are `PROJECTSLUG-` + the per-project counter in Sentry's base-32 alphabet
/// (Crockford: no I, L, O, U; see getsentry/sentry src/sentry/utils/numbers.py). 10 → "A", 31 → "Z", 32 → "10".
/// </summary>
public static class ShortIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string Format(string projectSlug, long counter) => projectSlug.ToUpperInvariant() + "-" + Encode(counter);

    public static string Encode(long number)
    {
        if (number == 0) return "0";
        var chars = new Stack<char>();
        while (number > 0)
        {
            chars.Push(Alphabet[(int)(number % 32)]);
            number /= 32;
        }
        return new string(chars.ToArray());
    }

    /// <summary>Decodes like Sentry does: case-insensitive, O→0, I/L→1. Returns false on foreign symbols.</summary>
    public static bool TryDecode(string text, out long number)
    {
        number = 0;
        if (text.Length == 0 || text.Length > 12) return false;
        foreach (var raw in text.ToUpperInvariant())
        {
            var c = raw switch { 'O' => '0', 'I' or 'L' => '1', _ => raw };
            var digit = Alphabet.IndexOf(c);
            if (digit < 0) return false;
            number = number * 32 + digit;
        }
        return true;
    }

    /// <summary>Splits `WEB-1A` into slug and counter; the slug itself may contain dashes.</summary>
    public static bool TryParse(string shortId, out string projectSlug, out long counter)
    {
        projectSlug = "";
        counter = 0;
        var dash = shortId.LastIndexOf('-');
        if (dash <= 0 || dash == shortId.Length - 1) return false;
        projectSlug = shortId[..dash].ToLowerInvariant();
        return TryDecode(shortId[(dash + 1)..], out counter);
    }
}

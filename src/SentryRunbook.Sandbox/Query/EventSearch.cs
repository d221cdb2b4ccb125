using System.Globalization;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Search;
using SentryRunbook.Sandbox.Store;
using static SentryRunbook.Sandbox.Search.SearchTerms;

namespace SentryRunbook.Sandbox.Query;

/// <summary>
/// Sentry's event search syntax, the part runbooks use: `key:value`, `key:"quoted value"`, `!key:value`,
/// `has:key` / `!has:key`, `*` wildcards, lists `key:[a,b]`, comparisons on durations and numbers
/// (`transaction.duration:>1s`), `issue:SHORT-ID`, `issue.id:N`, `event.type:`, `is_transaction:`, tag keys
/// (bare or `tag[key]`), free text (contained in the title/message, case-insensitive), `AND` and `OR`
/// (AND binds tighter). Parentheses are refused. Match under the store lock.
/// </summary>
public sealed class EventSearch
{
    private readonly List<List<Func<QueryRow, bool>>> _alternatives = [];

    private EventSearch() { }

    /// <summary>
    /// Aggregate conditions (`count_unique(issue):>1`, Sentry's HAVING): they filter the groups of an aggregate
    /// Discover query, not events, so the caller applies them (<see cref="DiscoverQuery"/>) or refuses them with a 400.
    /// </summary>
    public IReadOnlyList<(string Function, string Op, string Operand)> AggregateConditions => _aggregates;

    private readonly List<(string Function, string Op, string Operand)> _aggregates = [];

    /// <summary>When the query pins issues (a positive `issue`/`issue.id` term, no OR), only their events need scanning.</summary>
    public IReadOnlyList<Issue>? PinnedIssues { get; private set; }

    public bool Matches(QueryRow row)
    {
        if (_alternatives.Count == 0) return true;
        foreach (var all in _alternatives)
        {
            var ok = true;
            foreach (var p in all)
            {
                if (p(row)) continue;
                ok = false;
                break;
            }
            if (ok) return true;
        }
        return false;
    }

    public static EventSearch? Parse(string query, EventStore store, out string? error)
    {
        error = null;
        var search = new EventSearch();
        var current = new List<Func<QueryRow, bool>>();
        List<Issue>? pinned = null;
        var sawOr = false;
        foreach (var token in SearchTerms.Tokenize(query.Trim()))
        {
            if (token == "AND") continue;
            if (token == "OR")
            {
                if (current.Count == 0)
                {
                    error = "Parse error: OR must sit between two search terms";
                    return null;
                }
                search._alternatives.Add(current);
                current = [];
                sawOr = true;
                continue;
            }
            if (token.StartsWith('(') || token.EndsWith(')') && !token.Contains('('))
            {
                error = "Parse error: the sandbox's search does not support parentheses";
                return null;
            }
            if (IsAggregateTerm(token))
            {
                if (!search.AddAggregate(token, out error)) return null;
                continue;
            }
            var predicate = Term(token, store, ref pinned, out error);
            if (predicate is null) return null;
            current.Add(predicate);
        }
        if (current.Count > 0) search._alternatives.Add(current);
        else if (sawOr)
        {
            error = "Parse error: OR must sit between two search terms";
            return null;
        }
        if (!sawOr) search.PinnedIssues = pinned;
        if (sawOr && search._aggregates.Count > 0)
        {
            error = "the sandbox does not support aggregate conditions combined with OR";
            return null;
        }
        return search;
    }

    /// <summary>A term whose key is a function call, such as `count():>10` or `count_unique(issue):>1`.</summary>
    private static bool IsAggregateTerm(string token)
    {
        var term = token.StartsWith('!') ? token[1..] : token;
        var colon = KeyEnd(term);
        return colon > 0 && term[..colon] is var key && key.EndsWith(')') && key.IndexOf('(') > 0;
    }

    private bool AddAggregate(string token, out string? error)
    {
        error = null;
        if (token.StartsWith('!'))
        {
            error = $"the sandbox does not support negated aggregate conditions: {token}";
            return false;
        }
        var colon = KeyEnd(token);
        var function = token[..colon];
        var raw = token[(colon + 1)..];
        var op = raw.StartsWith(">=", StringComparison.Ordinal) || raw.StartsWith("<=", StringComparison.Ordinal) ? raw[..2]
            : raw.StartsWith('>') || raw.StartsWith('<') ? raw[..1] : "=";
        var operand = op == "=" ? raw : raw[op.Length..];
        if (!double.TryParse(operand, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            error = $"Invalid number for {function}: {operand}";
            return false;
        }
        _aggregates.Add((function, op, operand));
        return true;
    }

    private static Func<QueryRow, bool>? Term(string token, EventStore store, ref List<Issue>? pinned, out string? error)
    {
        error = null;
        var negated = token.StartsWith('!');
        var term = negated ? token[1..] : token;
        var colon = KeyEnd(term);
        if (colon <= 0)
        {
            var text = Unquote(term);
            var pattern = Pattern(text, contains: true, ignoreCase: true);
            Func<QueryRow, bool> free = r => pattern(FreeText(r)) || (r.Error is { } e && e.Message is { } m && pattern(m));
            return negated ? r => !free(r) : free;
        }

        var key = term[..colon];
        var raw = term[(colon + 1)..];
        Func<QueryRow, bool>? p;
        switch (key)
        {
            case "has":
                var field = Unquote(raw);
                var get = Getter(field);
                p = r => Text(get(r)) is { Length: > 0 };
                break;
            case "issue":
            {
                var issues = Values(raw).Select(v => store.FindByShortId(v)).OfType<Issue>().ToList();
                if (!negated) Pin(ref pinned, issues);
                var ids = issues.Select(i => i.Id).ToHashSet();
                p = r => r.Error is { } e && ids.Contains(e.Issue.Id);
                break;
            }
            case "issue.id":
            {
                var ids = new HashSet<long>();
                foreach (var v in Values(raw))
                {
                    if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        error = $"Invalid value for issue.id: {v} is not an integer";
                        return null;
                    }
                    ids.Add(id);
                }
                if (!negated) Pin(ref pinned, ids.Select(store.FindById).OfType<Issue>().ToList());
                p = r => r.Error is { } e && ids.Contains(e.Issue.Id);
                break;
            }
            case "project":
            {
                var wanted = Values(raw).ToHashSet(StringComparer.Ordinal);
                p = r => wanted.Contains(r.Project.Slug) || wanted.Contains(r.Project.Id);
                break;
            }
            case "message":
            {
                var pattern = Pattern(Unquote(raw), contains: true, ignoreCase: true);
                p = r => pattern(Text(r.Get("message")) ?? "");
                break;
            }
            default:
                p = Compare(key, raw, out error);
                if (p is null) return null;
                break;
        }
        return negated ? r => !p(r) : p;
    }

    private static void Pin(ref List<Issue>? pinned, List<Issue> issues)
    {
        // Two positive issue terms intersect; the scan set is the smaller one (the predicates still apply).
        if (pinned is null || issues.Count < pinned.Count) pinned = issues;
    }

    private static Func<QueryRow, bool>? Compare(string key, string raw, out string? error)
    {
        error = null;
        var get = Getter(key);
        var op = raw.StartsWith(">=", StringComparison.Ordinal) || raw.StartsWith("<=", StringComparison.Ordinal) ? raw[..2]
            : raw.StartsWith('>') || raw.StartsWith('<') ? raw[..1] : "";
        if (op.Length > 0)
        {
            var operand = raw[op.Length..];
            if (key == "timestamp")
            {
                if (!TryTime(operand, out var at))
                {
                    error = $"Invalid date format for timestamp: {operand}";
                    return null;
                }
                return r => r.Get("timestamp") is DateTimeOffset t && Test(op, t.CompareTo(at));
            }
            if (!TryNumber(operand, FieldCatalog.IsDuration(key), out var number))
            {
                error = $"Invalid number for {key}: {operand}";
                return null;
            }
            return r => Number(get(r)) is { } v && Test(op, v.CompareTo(number));
        }

        var patterns = Values(raw).Select(v => Pattern(v, contains: false, ignoreCase: false)).ToList();
        var wantsEmpty = raw is "\"\"" or "";
        if (wantsEmpty) return r => Text(get(r)) is null or "";
        return r =>
        {
            var value = Text(get(r));
            if (value is null) return false;
            foreach (var pattern in patterns)
                if (pattern(value)) return true;
            return false;
        };
    }

    /// <summary>Resolves a search key to a value: known fields, `tag[key]`, else the tag of that name.</summary>
    private static Func<QueryRow, object?> Getter(string key)
    {
        if (key.StartsWith("tag[", StringComparison.Ordinal) && key.EndsWith(']')) return TagGetter(key[4..^1]);
        if (key.StartsWith("tags[", StringComparison.Ordinal) && key.EndsWith(']')) return TagGetter(key[5..^1]);
        if (FieldCatalog.IsAnyField(key)) return r => r.Get(key);
        return TagGetter(key);
    }

    private static Func<QueryRow, object?> TagGetter(string key)
    {
        var k = key.Split(',')[0].Trim();
        return r => r.Tag(k);
    }

    private static string FreeText(QueryRow r) => Text(r.Get("title")) ?? "";

    private static string? Text(object? value) => QueryRow.Text(value);

    private static double? Number(object? value) => value switch
    {
        double d => d,
        long l => l,
        int i => i,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>Numbers, and durations with a unit (ms, s, m, h, d; bare numbers are milliseconds).</summary>
    private static bool TryNumber(string text, bool duration, out double value)
    {
        value = 0;
        var units = new (string Suffix, double Factor)[] { ("ms", 1), ("s", 1000), ("m", 60_000), ("min", 60_000), ("h", 3_600_000), ("hr", 3_600_000), ("d", 86_400_000) };
        if (duration)
        {
            foreach (var (suffix, factor) in units.OrderByDescending(u => u.Suffix.Length))
            {
                if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
                if (!double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return false;
                value = n * factor;
                return true;
            }
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryTime(string text, out DateTimeOffset at)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (text.StartsWith('-') && Period.TryParse(text[1..], out var span))
        {
            at = DateTimeOffset.UtcNow - span;
            return true;
        }
        return DateTimeOffset.TryParse(Unquote(text), CultureInfo.InvariantCulture, styles, out at);
    }
}

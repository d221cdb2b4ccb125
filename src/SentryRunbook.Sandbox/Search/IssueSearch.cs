using System.Globalization;
using System.Text;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Search;

/// <summary>
/// The subset of Sentry's issue search syntax the runbook uses: `is:`, `level:`, `environment:`,
/// `release:`, `first-release:`, `regressed_in_release:`, `project:`, `firstSeen:`/`lastSeen:` (relative `-24h`, `+7d`), `assigned:`,
/// `times_seen:`, `issue.category:`, a `!` prefix to negate, quoted values, and free text
/// (case-insensitive substring of title or culprit).
/// </summary>
public sealed class IssueSearch
{
    private readonly List<Func<Issue, bool>> _predicates = [];
    private readonly HashSet<string> _statuses = new(StringComparer.Ordinal);

    /// <summary>True when something beyond a status filter narrows the result (drives `filtered`).</summary>
    public bool NarrowsBeyondStatus { get; private set; }

    public bool Matches(Issue issue) =>
        (_statuses.Count == 0 || _statuses.Contains(issue.Status)) && _predicates.All(p => p(issue));

    /// <summary>Parses a query; the predicates read issue aggregates, so match under the store lock.</summary>
    public static IssueSearch? Parse(string query, EventStore store, DateTimeOffset now, out string? error)
    {
        error = null;
        var search = new IssueSearch();
        foreach (var token in Tokenize(query))
        {
            var negated = token.StartsWith('!');
            var term = negated ? token[1..] : token;
            var colon = term.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? term[..colon] : null;
            var value = colon > 0 ? Unquote(term[(colon + 1)..]) : Unquote(term);
            Func<Issue, bool>? predicate;
            switch (key)
            {
                case "is":
                    var status = value switch { "unresolved" or "resolved" or "ignored" => value, "archived" or "muted" => "ignored", _ => null };
                    if (status is not null && !negated)
                    {
                        search._statuses.Add(status);
                        continue;
                    }
                    predicate = value switch
                    {
                        "unresolved" or "resolved" or "ignored" or "archived" or "muted" => i => i.Status != status,
                        "assigned" => i => i.AssignedTo is not null,
                        "unassigned" => i => i.AssignedTo is null,
                        "new" or "ongoing" or "regressed" or "escalating" => i => i.Substatus == value,
                        _ => null,
                    };
                    if (predicate is null)
                    {
                        error = $"Invalid value for \"is\" search, valid values are [\"assigned\", \"archived\", \"escalating\", \"new\", \"ongoing\", \"regressed\", \"resolved\", \"unassigned\", \"unresolved\"]";
                        return null;
                    }
                    if (negated && status is null) predicate = Not(predicate);
                    negated = false;
                    break;
                case "level":
                    predicate = i => string.Equals(i.Level, value, StringComparison.OrdinalIgnoreCase);
                    break;
                case "environment":
                    predicate = i => i.Environments.Contains(value);
                    break;
                case "release":
                    predicate = value == "latest"
                        ? i => store.Releases.Latest(i.Project) is { } latest && i.Releases.Contains(latest.Version)
                        : i => i.Releases.Contains(value);
                    break;
                case "first-release" or "first_release" or "firstRelease":
                    // Sentry's release page counts new issues with first-release:"VERSION" (REFERENCE.md §7, newGroups).
                    predicate = value == "latest"
                        ? i => store.Releases.Latest(i.Project) is { } newest && i.FirstRelease == newest.Version
                        : i => i.FirstRelease == value;
                    break;
                case "regressed_in_release":
                    // Sentry reads GroupHistory (status regressed, with the release); here the set_regression activity.
                    predicate = value == "latest"
                        ? i => store.Releases.Latest(i.Project) is { } newest && RegressedIn(i, newest.Version)
                        : i => RegressedIn(i, value);
                    break;
                case "project":
                    if (store.FindProject(value) is null)
                    {
                        error = $"Invalid query. Project(s) {value} do not exist or are not actively selected.";
                        return null;
                    }
                    predicate = i => i.Project.Slug == value;
                    break;
                case "firstSeen" or "lastSeen" or "age":
                    if (!TryRelative(value, now, out var cutoff, out var newer))
                    {
                        error = $"Invalid date value for {key}: {value}";
                        return null;
                    }
                    Func<Issue, DateTimeOffset> seen = key == "lastSeen" ? i => i.LastSeen : i => i.FirstSeen;
                    predicate = newer ? i => seen(i) >= cutoff : i => seen(i) < cutoff;
                    break;
                case "assigned":
                    predicate = value switch
                    {
                        "me" => i => i.AssignedTo is { Type: "user", Id: "1" },
                        "none" => i => i.AssignedTo is null,
                        _ => i => i.AssignedTo is { } a && (a.Name == value.TrimStart('#') || a.Email == value),
                    };
                    break;
                case "times_seen":
                    if (!TryComparison(value, out var compare))
                    {
                        error = $"Invalid number for times_seen: {value}";
                        return null;
                    }
                    predicate = i => compare(i.Count);
                    break;
                case "issue.category" or "issue.type":
                    predicate = i => value == "error";
                    break;
                case null:
                    var text = value;
                    predicate = i => i.Title.Contains(text, StringComparison.OrdinalIgnoreCase)
                                     || (i.Culprit?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);
                    break;
                default:
                    // Unknown keys are tag searches in Sentry; the sandbox has no such tags, so nothing matches.
                    predicate = _ => false;
                    break;
            }

            search.NarrowsBeyondStatus = true;
            search._predicates.Add(negated ? Not(predicate) : predicate);
        }
        return search;
    }

    private static Func<Issue, bool> Not(Func<Issue, bool> p) => i => !p(i);

    private static bool RegressedIn(Issue issue, string release) =>
        issue.Activities.Any(a => a.Type == "set_regression" && a.Data.TryGetValue("version", out var v) && v == release);

    /// <summary>`-24h` = within the last 24 hours (newer), `+24h` = older than that.</summary>
    private static bool TryRelative(string value, DateTimeOffset now, out DateTimeOffset cutoff, out bool newer)
    {
        cutoff = default;
        newer = value.StartsWith('-');
        if (value.Length < 3 || (value[0] != '-' && value[0] != '+')) return false;
        if (!Period.TryParse(value[1..], out var span)) return false;
        cutoff = now - span;
        return true;
    }

    private static bool TryComparison(string value, out Func<long, bool> compare)
    {
        compare = _ => false;
        var op = value.StartsWith(">=") || value.StartsWith("<=") ? value[..2] : value.StartsWith('>') || value.StartsWith('<') ? value[..1] : "";
        if (!long.TryParse(value[op.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        compare = op switch
        {
            ">" => c => c > n,
            ">=" => c => c >= n,
            "<" => c => c < n,
            "<=" => c => c <= n,
            _ => c => c == n,
        };
        return true;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value;

    /// <summary>Splits on whitespace outside double quotes (so `message:"a b"` and `"a b"` stay whole).</summary>
    public static IEnumerable<string> Tokenize(string query)
    {
        var sb = new StringBuilder();
        var quoted = false;
        foreach (var c in query)
        {
            if (c == '"') quoted = !quoted;
            if (char.IsWhiteSpace(c) && !quoted)
            {
                if (sb.Length > 0) yield return sb.ToString();
                sb.Clear();
                continue;
            }
            sb.Append(c);
        }
        if (sb.Length > 0) yield return sb.ToString();
    }
}

/// <summary>Sentry's `<int><unit>` periods (s, m, h, d, w).</summary>
public static class Period
{
    public static bool TryParse(string text, out TimeSpan span)
    {
        span = default;
        if (text.Length < 2) return false;
        if (!int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        span = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            _ => TimeSpan.MinValue,
        };
        return span != TimeSpan.MinValue;
    }
}

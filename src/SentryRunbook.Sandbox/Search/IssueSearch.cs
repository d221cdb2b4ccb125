using System.Globalization;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Search;

/// <summary>
/// Sentry's issue search: `key:value` terms, all of which must hold, with a `!` prefix to negate, lists
/// `key:[a, b]`, `*` wildcards, quoted values, comparison operators on counts and dates
/// (`times_seen:>100`, `firstSeen:>2026-01-01`, relative `-24h`/`+7d`), `has:`/`!has:`, and free text.
/// Issue fields (`is:`, `level:`, `environment:`, `release:`, `issue.id:`, `issue.priority:`, …) test the
/// issue itself. Event fields (tags, `user.*`, `error.*`) test its events: like Sentry's search, which
/// filters events and groups them by issue, an issue matches when one of its events meets every event
/// condition at once. An unknown key is a tag, as in Sentry. What the sandbox does not implement is an
/// error (a 400 to the caller), never a silent empty answer. Match under the store lock.
/// </summary>
public sealed class IssueSearch
{
    private readonly List<Func<Issue, bool>> _predicates = [];
    private readonly HashSet<string> _statuses = new(StringComparer.Ordinal);
    private readonly List<Func<ErrorEvent, bool>> _eventPredicates = [];
    // Positive tag conditions, checked first against the issue's tag aggregates so most issues skip the event scan.
    private readonly List<(string Key, Func<string, bool> Value)> _requiredTags = [];

    // Keys Sentry's issue search knows that the sandbox has no data for; an empty answer would be a lie.
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "timestamp", "event.timestamp", "issue.seer_actionability", "issue.seer_last_run", "detector",
    };

    private static readonly string[] IsValues =
    [
        "archived", "assigned", "escalating", "for_review", "ignored", "linked", "muted", "new", "ongoing",
        "regressed", "resolved", "reviewed", "unassigned", "unlinked", "unresolved",
    ];

    private static readonly string[] Priorities = ["high", "medium", "low"];

    /// <summary>True when something beyond a status filter narrows the result (drives `filtered`).</summary>
    public bool NarrowsBeyondStatus { get; private set; }

    public bool Matches(Issue issue)
    {
        if (_statuses.Count > 0 && !_statuses.Contains(issue.Status)) return false;
        foreach (var p in _predicates)
            if (!p(issue)) return false;
        if (_eventPredicates.Count == 0) return true;
        foreach (var (key, value) in _requiredTags)
            if (!issue.TagValues.TryGetValue(key, out var values) || !values.Keys.Any(value)) return false;
        // One positive tag condition alone is answered by the aggregate: no event scan.
        if (_eventPredicates.Count == 1 && _requiredTags.Count == 1) return true;
        foreach (var e in issue.Events)
            if (_eventPredicates.TrueForAll(p => p(e))) return true;
        return false;
    }

    /// <summary>Parses a query; the predicates read issue aggregates, so match under the store lock.</summary>
    public static IssueSearch? Parse(string query, EventStore store, DateTimeOffset now, out string? error)
    {
        var search = new IssueSearch();
        foreach (var token in SearchTerms.Tokenize(query))
        {
            if (!search.Add(token, store, now, out error)) return null;
        }
        error = null;
        return search;
    }

    private bool Add(string token, EventStore store, DateTimeOffset now, out string? error)
    {
        error = null;
        if (token is "OR" or "AND" or "||" or "&&")
        {
            error = "Boolean statements containing \"OR\" or \"AND\" are not supported in this search";
            return false;
        }
        if (token.StartsWith('(') || (token.EndsWith(')') && !token.Contains('(')))
        {
            error = "Parenthesized groups are not supported in this search";
            return false;
        }

        var negated = token.StartsWith('!');
        var term = negated ? token[1..] : token;
        var colon = SearchTerms.KeyEnd(term);
        if (colon <= 0)
        {
            var text = SearchTerms.Pattern(SearchTerms.Unquote(term), contains: true, ignoreCase: true);
            AddIssue(i => text(i.Title) || (i.Culprit is { } c && text(c)), negated);
            return true;
        }

        var key = term[..colon];
        var raw = term[(colon + 1)..];
        if (raw.Length == 0)
        {
            error = $"Empty value for {key}: write {key}:VALUE, or {key}:\"\" for an absent value";
            return false;
        }
        if (key.Contains('(') || Unsupported.Contains(key))
        {
            error = $"The sandbox's issue search does not support the \"{key}\" filter";
            return false;
        }
        if (key.StartsWith("tags[", StringComparison.Ordinal) && key.EndsWith(']')) return AddTag(key[5..^1], raw, negated, out error);

        var values = SearchTerms.Values(raw);
        switch (key)
        {
            case "is":
                return AddIs(raw, negated, out error);
            case "has":
                if (SearchTerms.IsList(raw))
                {
                    error = "\"in\" syntax invalid for \"has\" search";
                    return false;
                }
                AddHas(SearchTerms.Unquote(raw), negated);
                return true;
            case "level":
                AddIssue(AnyOf(values, ignoreCase: true, i => i.Level), negated);
                return true;
            case "environment":
            {
                var patterns = Patterns(values, ignoreCase: false);
                AddIssue(i => i.Environments.Any(env => patterns.Any(p => p(env))), negated);
                return true;
            }
            case "release":
            {
                var patterns = Patterns(values.Where(v => v != "latest"), ignoreCase: false);
                var latest = values.Contains("latest");
                AddIssue(i => i.Releases.Any(r => patterns.Any(p => p(r)))
                              || (latest && store.Releases.Latest(i.Project) is { } l && i.Releases.Contains(l.Version)), negated);
                return true;
            }
            case "regressed_in_release":
            {
                // Sentry reads GroupHistory (status regressed, with the release); here the set_regression activity.
                var patterns = Patterns(values.Where(v => v != "latest"), ignoreCase: false);
                var latest = values.Contains("latest");
                AddIssue(i => i.Activities.Any(a => a.Type == "set_regression" && a.Data.TryGetValue("version", out var v) && v is { } r
                              && (patterns.Any(p => p(r)) || (latest && store.Releases.Latest(i.Project) is { } l && l.Version == r))), negated);
                return true;
            }
            case "firstRelease" or "first_release" or "first-release":
                // Sentry's release page counts new issues with first-release:"VERSION" (REFERENCE.md §7, newGroups).
            {
                var patterns = Patterns(values.Where(v => v != "latest"), ignoreCase: false);
                var latest = values.Contains("latest");
                AddIssue(i => i.FirstRelease is { } r && (patterns.Any(p => p(r))
                              || (latest && store.Releases.Latest(i.Project) is { } l && l.Version == r)), negated);
                return true;
            }
            case "project":
            {
                var missing = values.Where(v => store.FindProject(v) is null).ToArray();
                if (missing.Length > 0)
                {
                    error = $"Invalid query. Project(s) {string.Join(", ", missing)} do not exist or are not actively selected.";
                    return false;
                }
                var ids = values.Select(v => store.FindProject(v)!.Id).ToHashSet(StringComparer.Ordinal);
                AddIssue(i => ids.Contains(i.Project.Id), negated);
                return true;
            }
            case "firstSeen" or "lastSeen" or "age":
                return AddDate(key, raw, now, negated, out error);
            case "times_seen" or "timesSeen":
                return AddCount(key, raw, negated, out error);
            case "assigned" or "assigned_or_suggested":
                // The sandbox models no ownership rules or suggestions, so "or suggested" is the assignee alone.
                AddIssue(i => values.Any(v => IsAssignedTo(i, v)), negated);
                return true;
            case "bookmarks":
                if (!values.All(v => v is "me" or "my_teams"))
                {
                    error = $"The sandbox has one user: {key} takes \"me\", not {raw}";
                    return false;
                }
                AddIssue(i => i.IsBookmarked, negated);
                return true;
            case "subscribed":
                if (!values.All(v => v is "me" or "my_teams"))
                {
                    error = $"The sandbox has one user: {key} takes \"me\", not {raw}";
                    return false;
                }
                AddIssue(i => i.IsSubscribed ?? IsAssignedTo(i, "me"), negated);
                return true;
            case "issue.category":
                // "outage" is Sentry's newer category for both cron and uptime issues.
                AddIssue(i => values.Contains(i.IssueCategory, StringComparer.Ordinal) || (i.IssueCategory is "cron" or "uptime" && values.Contains("outage", StringComparer.Ordinal)), negated);
                return true;
            case "issue.type":
                AddIssue(i => values.Contains(i.IssueType, StringComparer.Ordinal), negated);
                return true;
            case "issue.priority":
            {
                var bad = values.FirstOrDefault(v => !Priorities.Contains(v));
                if (bad is not null)
                {
                    error = $"Invalid priority value: {bad}. Valid values are high, medium, low";
                    return false;
                }
                AddIssue(i => i.Priority is { } p && values.Contains(p, StringComparer.Ordinal), negated);
                return true;
            }
            case "issue.id":
            {
                var ids = new HashSet<long>();
                foreach (var v in values)
                {
                    if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        error = $"Invalid value for issue.id: {v} is not an integer";
                        return false;
                    }
                    ids.Add(id);
                }
                AddIssue(i => ids.Contains(i.Id), negated);
                return true;
            }
            case "message" or "title":
            {
                var patterns = values.Select(v => SearchTerms.Pattern(v, contains: true, ignoreCase: true)).ToArray();
                AddIssue(i => patterns.Any(p => p(i.Title) || (i.Culprit is { } c && p(c))), negated);
                return true;
            }
            case "user.id" or "user.email" or "user.username" or "user.ip" or "user.name":
            {
                var field = UserField(key);
                AddEvent(EventValue(values, e => field(e.User)), negated);
                return true;
            }
            case "error.type":
                AddEvent(EventValues(values, e => e.Exceptions.Select(x => x.Type)), negated);
                return true;
            case "error.value":
                AddEvent(EventValues(values, e => e.Exceptions.Select(x => x.Value)), negated);
                return true;
            case "error.mechanism":
                AddEvent(EventValues(values, e => e.Exceptions.Select(x => x.Mechanism?.Type)), negated);
                return true;
            case "error.handled" or "error.unhandled":
            {
                if (!TryBool(values, out var wanted))
                {
                    error = $"Invalid value for {key}: {raw}. Use true, false, 1 or 0";
                    return false;
                }
                var unhandled = key == "error.unhandled" ? wanted : !wanted;
                AddEvent(e => e.Exceptions.Count > 0 && e.IsUnhandled == unhandled, negated);
                return true;
            }
            default:
                return AddTag(key, raw, negated, out error);
        }
    }

    private bool AddIs(string raw, bool negated, out string? error)
    {
        error = null;
        if (SearchTerms.IsList(raw))
        {
            error = "\"in\" syntax invalid for \"is\" search";
            return false;
        }
        var status = raw switch { "unresolved" or "resolved" or "ignored" => raw, "archived" or "muted" => "ignored", _ => null };
        if (status is not null)
        {
            if (!negated) _statuses.Add(status);
            else AddIssue(i => i.Status != status, negated: false);
            return true;
        }
        Func<Issue, bool>? predicate = raw switch
        {
            "assigned" => i => i.AssignedTo is not null,
            "unassigned" => i => i.AssignedTo is null,
            "new" or "ongoing" or "regressed" or "escalating" => i => i.Substatus == raw,
            // Sentry's "for review" inbox holds unresolved issues that are new, regressed or escalating until
            // someone marks them reviewed; the sandbox has no inbox table, so the substatus decides.
            "for_review" => i => i.Status == "unresolved" && i.Substatus is "new" or "regressed" or "escalating",
            "reviewed" => i => !(i.Status == "unresolved" && i.Substatus is "new" or "regressed" or "escalating"),
            // The sandbox has no issue-tracker integrations: nothing is linked.
            "linked" => _ => false,
            "unlinked" => _ => true,
            _ => null,
        };
        if (predicate is null)
        {
            error = $"Invalid value for \"is\" search, valid values are [{string.Join(", ", IsValues.Select(v => $"'{v}'"))}]";
            return false;
        }
        AddIssue(predicate, negated);
        return true;
    }

    private void AddHas(string key, bool negated)
    {
        if (key.StartsWith("user.", StringComparison.Ordinal))
        {
            var field = UserField(key);
            AddEvent(e => field(e.User) is { Length: > 0 }, negated);
            return;
        }
        if (key is "error.type" or "error.value" or "error.mechanism")
        {
            AddEvent(e => e.Exceptions.Count > 0, negated);
            return;
        }
        var tag = key.StartsWith("tags[", StringComparison.Ordinal) && key.EndsWith(']') ? key[5..^1] : key;
        if (!negated) _requiredTags.Add((tag, _ => true));
        AddEvent(e => TagOf(e, tag) is not null, negated);
    }

    private bool AddTag(string key, string raw, bool negated, out string? error)
    {
        error = null;
        var values = SearchTerms.Values(raw);
        // `key:""` asks for events without the tag, as in Sentry.
        if (values is [""])
        {
            AddEvent(e => TagOf(e, key) is null, negated);
            return true;
        }
        var patterns = Patterns(values, ignoreCase: false);
        Func<string, bool> any = v => patterns.Any(p => p(v));
        if (!negated) _requiredTags.Add((key, any));
        AddEvent(e => TagOf(e, key) is { } v && any(v), negated);
        return true;
    }

    private bool AddDate(string key, string raw, DateTimeOffset now, bool negated, out string? error)
    {
        error = null;
        Func<Issue, DateTimeOffset> seen = key == "lastSeen" ? i => i.LastSeen : i => i.FirstSeen;
        // Relative: `-24h` = within the last 24 hours, `+24h` = longer ago than that.
        if (raw.Length > 2 && raw[0] is '-' or '+' && Period.TryParse(raw[1..], out var span))
        {
            var cutoff = now - span;
            AddIssue(raw[0] == '-' ? i => seen(i) >= cutoff : i => seen(i) < cutoff, negated);
            return true;
        }
        var (op, operand) = SearchTerms.Operator(raw);
        if (!SearchTerms.TryDate(SearchTerms.Unquote(operand), out var at, out var dateOnly))
        {
            error = $"Invalid date format for {key}: {raw}. Use -24h, +7d, 2026-01-31 or 2026-01-31T12:00:00, optionally after >, >=, < or <=";
            return false;
        }
        if (op.Length == 0)
        {
            // A bare date is that whole day; a bare date-time that second.
            var end = at + (dateOnly ? TimeSpan.FromDays(1) : TimeSpan.FromSeconds(1));
            AddIssue(i => seen(i) >= at && seen(i) < end, negated);
            return true;
        }
        AddIssue(i => SearchTerms.Test(op, seen(i).CompareTo(at)), negated);
        return true;
    }

    private bool AddCount(string key, string raw, bool negated, out string? error)
    {
        error = null;
        var tests = new List<Func<long, bool>>();
        var (op, operand) = SearchTerms.Operator(raw);
        foreach (var v in op.Length > 0 ? [operand] : SearchTerms.Values(raw))
        {
            if (!SearchTerms.TryCount(v, out var n))
            {
                error = $"Invalid number for {key}: {raw}";
                return false;
            }
            tests.Add(c => SearchTerms.Test(op, c.CompareTo(n)));
        }
        AddIssue(i => tests.Any(t => t(i.Count)), negated);
        return true;
    }

    private void AddIssue(Func<Issue, bool> predicate, bool negated)
    {
        NarrowsBeyondStatus = true;
        _predicates.Add(negated ? i => !predicate(i) : predicate);
    }

    private void AddEvent(Func<ErrorEvent, bool> predicate, bool negated)
    {
        NarrowsBeyondStatus = true;
        _eventPredicates.Add(negated ? e => !predicate(e) : predicate);
    }

    private static string? TagOf(ErrorEvent e, string key)
    {
        foreach (var (k, v) in e.Tags)
            if (string.Equals(k, key, StringComparison.Ordinal)) return v;
        return null;
    }

    private static Func<EventUser?, string?> UserField(string key) => key switch
    {
        "user.id" => u => u?.Id,
        "user.email" => u => u?.Email,
        "user.username" => u => u?.Username,
        "user.ip" => u => u?.IpAddress,
        "user.name" => u => u?.Name,
        // `has:user.segment` and friends: fields the sandbox's users do not carry.
        _ => _ => null,
    };

    private static Func<ErrorEvent, bool> EventValue(IReadOnlyList<string> values, Func<ErrorEvent, string?> get)
    {
        var patterns = Patterns(values, ignoreCase: false);
        return e => get(e) is { } v && patterns.Any(p => p(v));
    }

    private static Func<ErrorEvent, bool> EventValues(IReadOnlyList<string> values, Func<ErrorEvent, IEnumerable<string?>> get)
    {
        var patterns = Patterns(values, ignoreCase: false);
        return e => get(e).Any(v => v is not null && patterns.Any(p => p(v)));
    }

    private static Func<Issue, bool> AnyOf(IReadOnlyList<string> values, bool ignoreCase, Func<Issue, string?> get)
    {
        var patterns = Patterns(values, ignoreCase);
        return i => get(i) is { } v && patterns.Any(p => p(v));
    }

    private static Func<string, bool>[] Patterns(IEnumerable<string> values, bool ignoreCase) =>
        values.Select(v => SearchTerms.Pattern(v, contains: false, ignoreCase)).ToArray();

    private static bool IsAssignedTo(Issue issue, string who) => who switch
    {
        "me" or "my_teams" => issue.AssignedTo is { Type: "user", Id: "1" },
        "none" => issue.AssignedTo is null,
        _ => issue.AssignedTo is { } a && (a.Name == who.TrimStart('#') || a.Email == who || a.Id == who),
    };

    private static bool TryBool(IReadOnlyList<string> values, out bool value)
    {
        value = false;
        if (values.Count != 1) return false;
        switch (values[0].ToLowerInvariant())
        {
            case "true" or "1": value = true; return true;
            case "false" or "0": value = false; return true;
            default: return false;
        }
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

using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Query;

/// <summary>
/// A parsed Discover request (`/events/`) and its execution: filter rows, group by the plain fields
/// when any function is selected, aggregate, sort. Run <see cref="Execute"/> under the store lock.
/// </summary>
public sealed class DiscoverQuery
{
    public const int MaxFields = 20;

    public required Dataset Dataset { get; init; }
    public required IReadOnlyList<FieldSpec> Fields { get; init; }
    public required EventSearch Search { get; init; }
    public required QueryScope Scope { get; init; }
    /// <summary>(index into Fields, descending); empty = the default order.</summary>
    public IReadOnlyList<(int Field, bool Descending)> Sort { get; init; } = [];

    public bool IsAggregate => Fields.Any(f => f.IsFunction);

    /// <summary>Aggregate conditions (HAVING): a group is kept only when each function of its events passes.</summary>
    public IReadOnlyList<(FieldSpec Function, string Op, double Operand)> Having { get; init; } = [];

    /// <summary>Tag keys seen in the store (bare tag keys are valid fields only when they exist). Call under the lock.</summary>
    public static Func<string, bool> TagKeys(EventStore s)
    {
        HashSet<string>? keys = null;
        return key =>
        {
            if (keys is null)
            {
                keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var issue in s.Issues) keys.UnionWith(issue.TagValues.Keys);
                foreach (var t in s.Transactions)
                foreach (var (k, _) in t.Tags)
                    keys.Add(k);
            }
            return keys.Contains(key);
        };
    }

    /// <summary>Every row of the dataset inside the scope that matches the search.</summary>
    public static IEnumerable<QueryRow> Rows(EventStore s, Dataset dataset, EventSearch search, QueryScope scope)
    {
        foreach (var row in Source(s, dataset, search))
            if (scope.Contains(row) && search.Matches(row)) yield return row;
    }

    private static IEnumerable<QueryRow> Source(EventStore s, Dataset dataset, EventSearch search)
    {
        if (dataset is Dataset.Errors or Dataset.Discover)
        {
            if (search.PinnedIssues is { } issues)
            {
                foreach (var issue in issues)
                foreach (var e in issue.Events)
                    yield return new QueryRow(e);
                // Pinned issues hold only error events: transactions cannot match an issue term.
                yield break;
            }
            foreach (var e in s.AllEvents) yield return new QueryRow(e);
        }
        if (dataset is Dataset.Transactions or Dataset.Discover or Dataset.Spans)
            foreach (var t in s.Transactions) yield return new QueryRow(t);
        if (dataset == Dataset.Spans)
            foreach (var sp in s.Spans)
                if (!sp.IsSegment) yield return new QueryRow(sp); // segments are already rows as transactions
    }

    private static double? AsNumber(object? value) => value switch
    {
        double d => d,
        long l => l,
        int i => i,
        _ => null,
    };

    /// <summary>The table: one value array per output row (same order as Fields), sorted, unpaged.</summary>
    public List<object?[]> Execute(EventStore s)
    {
        var rows = Rows(s, Dataset, Search, Scope);
        var table = new List<object?[]>();
        var orderKeys = new List<string>();
        if (!IsAggregate)
        {
            var list = rows.ToList();
            if (Sort.Count == 0)
                list.Sort((a, b) => b.Timestamp.CompareTo(a.Timestamp) is var c && c != 0 ? c : string.CompareOrdinal(Id(a), Id(b)));
            foreach (var row in list) table.Add(Fields.Select(f => Plain(f, row)).ToArray());
        }
        else
        {
            var groups = new Dictionary<string, (object?[] Keys, List<QueryRow> Rows)>(StringComparer.Ordinal);
            var plain = Fields.Where(f => !f.IsFunction).ToList();
            foreach (var row in rows)
            {
                var keys = plain.Select(f => Plain(f, row)).ToArray();
                var key = string.Join('\u001f', keys.Select(k => QueryRow.Text(k) ?? "\u0000"));
                if (!groups.TryGetValue(key, out var group)) groups[key] = group = (keys, []);
                group.Rows.Add(row);
            }
            // Without group-by fields an aggregate query always answers one row (count() = 0 on no data).
            if (plain.Count == 0 && groups.Count == 0) groups[""] = ([], []);
            foreach (var (key, group) in groups)
            {
                if (!Having.All(h => Aggregates.Compute(h.Function, group.Rows, Scope.Window) is var v && AsNumber(v) is double n && SentryRunbook.Sandbox.Search.SearchTerms.Test(h.Op, n.CompareTo(h.Operand)))) continue;
                var values = new object?[Fields.Count];
                var k = 0;
                for (var i = 0; i < Fields.Count; i++)
                    values[i] = Fields[i].IsFunction ? Aggregates.Compute(Fields[i], group.Rows, Scope.Window) : group.Keys[k++];
                table.Add(values);
                orderKeys.Add(key);
            }
        }

        var sort = Sort.Count > 0 ? Sort
            : IsAggregate ? [(Fields.Select((f, i) => (f, i)).First(x => x.f.IsFunction).i, true)]
            : [];
        if (sort.Count > 0)
        {
            var indexed = table.Select((values, i) => (values, tie: orderKeys.Count > 0 ? orderKeys[i] : "", i)).ToList();
            indexed.Sort((a, b) =>
            {
                foreach (var (field, descending) in sort)
                {
                    var c = CompareValues(a.values[field], b.values[field], descending);
                    if (c != 0) return c;
                }
                var t = string.CompareOrdinal(a.tie, b.tie);
                return t != 0 ? t : a.i.CompareTo(b.i);
            });
            table = indexed.Select(x => x.values).ToList();
        }
        return table;
    }

    private static string Id(QueryRow r) => QueryRow.Text(r.Get("id")) ?? "";

    private static object? Plain(FieldSpec f, QueryRow row) => f.Kind == FieldKind.Tag ? row.Tag(f.Name) : row.Get(f.Name);

    /// <summary>Numbers numerically, dates by time, the rest ordinally; nulls always last.</summary>
    public static int CompareValues(object? a, object? b, bool descending)
    {
        if (a is null || b is null) return a is null ? (b is null ? 0 : 1) : -1;
        int c;
        if (IsNumber(a) && IsNumber(b)) c = Aggregates.Number(a).CompareTo(Aggregates.Number(b));
        else if (a is DateTimeOffset da && b is DateTimeOffset db) c = da.CompareTo(db);
        else c = string.CompareOrdinal(QueryRow.Text(a), QueryRow.Text(b));
        return descending ? -c : c;
    }

    private static bool IsNumber(object o) => o is long or int or double;

    /// <summary>`meta` of a Discover answer.</summary>
    public JsonObject Meta()
    {
        var fields = new JsonObject();
        var units = new JsonObject();
        foreach (var f in Fields)
        {
            fields[f.Raw] = f.Type;
            units[f.Raw] = f.Unit;
        }
        return new JsonObject
        {
            ["fields"] = fields,
            ["units"] = units,
            ["isMetricsData"] = false,
            ["isMetricsExtractedData"] = false,
            ["tips"] = new JsonObject(),
            ["datasetReason"] = "unchanged",
            ["dataset"] = Datasets.Name(Dataset),
        };
    }
}

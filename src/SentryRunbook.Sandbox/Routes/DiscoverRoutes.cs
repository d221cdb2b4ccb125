using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.Query;
using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Discover (`/events/`, listOrganizationEvents), `events-stats` and `events-timeseries`
/// (listOrganizationEventsTimeseries). REFERENCE.md §8–§9.
/// </summary>
public static partial class DiscoverRoutes
{
    public const string TooManyFields = "You can view up to 20 fields at a time. Please delete some and try again.";
    public const string NoColumns = "No columns selected";
    public const string SortNotSelected = "Cannot sort by a field that is not selected.";

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/events/", context => Events(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/events-stats/", context => Stats(context, state)).WithMetadata(RequiredScope.EventRead);
        app.MapGet("/api/0/organizations/{org}/events-timeseries/", context => Timeseries(context, state)).WithMetadata(RequiredScope.EventRead);
    }

    /// <summary>The dataset parameter under the active profile; null with the 400 detail when refused.</summary>
    internal static Dataset? ReadDataset(HttpRequest request, SandboxOptions options, string fallback, out string? error)
    {
        error = null;
        var raw = request.Query.ContainsKey("dataset") ? request.Query["dataset"].ToString() : fallback;
        var legacy = SandboxProfile.IsLegacy(options);
        var dataset = Datasets.Parse(raw);
        if (dataset is null || (legacy && dataset == Dataset.Spans))
        {
            error = !legacy && Datasets.KnownButNotEmulated.Contains(raw)
                ? $"the sandbox does not emulate the {raw} dataset (it serves discover, errors, spans, transactions)"
                : legacy ? "dataset must be one of: discover, errors, transactions" : "dataset must be one of: discover, errors, spans, transactions";
        }
        return error is null ? dataset : null;
    }

    private static Task Events(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var request = context.Request;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var now = DateTimeOffset.UtcNow;
        var dataset = ReadDataset(request, state.Options, "discover", out var error);
        if (dataset is null) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var rawFields = request.Query["field"].OfType<string>().Where(f => f.Length > 0).ToList();
        if (rawFields.Count == 0) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, NoColumns);
        if (rawFields.Count > DiscoverQuery.MaxFields) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, TooManyFields);
        if (!PageRequest.TryRead(request, "per_page", out var page, out error)) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var scope = QueryScope.Read(request, store, now, out var status, out error);
        if (scope is null) return JsonOut.Detail(context, status, error!);

        var result = store.Read(s =>
        {
            var search = EventSearch.Parse(request.Query["query"].ToString(), s, out var e);
            if (search is null) return (Error: e, Total: 0, Body: (JsonObject?)null);
            var fields = ParseFields(rawFields, dataset.Value, DiscoverQuery.TagKeys(s), out e);
            if (fields is null) return (e, 0, null);
            var sort = ParseSort(request.Query["sort"].OfType<string>(), fields, out e);
            if (sort is null) return (e, 0, null);
            var having = ParseHaving(search, fields, dataset.Value, DiscoverQuery.TagKeys(s), out e);
            if (having is null) return (e, 0, null);
            var query = new DiscoverQuery { Dataset = dataset.Value, Fields = fields, Search = search, Scope = scope, Sort = sort, Having = having };
            var table = query.Execute(s);
            var data = new JsonArray();
            foreach (var values in table.Skip(page.Offset).Take(page.Size))
            {
                var row = new JsonObject();
                for (var i = 0; i < fields.Count; i++) row[fields[i].Raw] = Aggregates.Json(values[i]);
                data.Add(row);
            }
            return (null, table.Count, new JsonObject { ["data"] = data, ["meta"] = query.Meta() });
        });
        if (result.Body is null) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, result.Error!);
        LinkHeader.Apply(context, state.BaseUri, page, result.Total);
        return JsonOut.Write(context, result.Body);
    }

    /// <summary>
    /// Aggregate conditions (`count_unique(issue):>1`) filter the groups of an aggregate query, as Sentry's HAVING does.
    /// On a query without an aggregate field there are no groups to filter: a 400, never a silently empty answer.
    /// </summary>
    internal static List<(FieldSpec, string, double)>? ParseHaving(EventSearch search, List<FieldSpec> fields, Dataset dataset, Func<string, bool> tagKeys, out string? error)
    {
        error = null;
        var having = new List<(FieldSpec, string, double)>();
        foreach (var (function, op, operand) in search.AggregateConditions)
        {
            var field = FieldSpec.Parse(function, dataset, tagKeys, out error);
            if (field is null) return null;
            if (!field.IsFunction)
            {
                error = $"{function} is not an aggregate function";
                return null;
            }
            if (!fields.Any(f => f.IsFunction))
            {
                error = $"Aggregate condition {function}:{(op == "=" ? "" : op)}{operand} needs an aggregate query: select an aggregate field such as count()";
                return null;
            }
            having.Add((field, op, double.Parse(operand, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        return having;
    }

    internal static List<FieldSpec>? ParseFields(IEnumerable<string> raw, Dataset dataset, Func<string, bool> tagKeys, out string? error)
    {
        error = null;
        var fields = new List<FieldSpec>();
        foreach (var text in raw)
        {
            var field = FieldSpec.Parse(text, dataset, tagKeys, out error);
            if (field is null) return null;
            // A repeated field is one column, as in Sentry.
            if (fields.All(f => f.Raw != field.Raw)) fields.Add(field);
        }
        return fields;
    }

    /// <summary>
    /// `sort=-count()` / `sort=title` (repeatable): each must be a selected field, named as selected or by its
    /// function alias (`-count`, `-count_unique_user`, `p95_transaction_duration`), which Sentry's own clients send.
    /// </summary>
    /// <summary>Sentry's alias of a function column: every non-word character becomes `_`, trimmed at the ends.</summary>
    public static string FunctionAlias(string function) => NonWord().Replace(function.Trim(), "_").Trim('_');

    [System.Text.RegularExpressions.GeneratedRegex(@"[^\w]")]
    private static partial System.Text.RegularExpressions.Regex NonWord();

    internal static List<(int, bool)>? ParseSort(IEnumerable<string> raw, IReadOnlyList<FieldSpec> fields, out string? error)
    {
        error = null;
        var sort = new List<(int, bool)>();
        foreach (var text in raw.SelectMany(s => s.Split(',')).Select(s => s.Trim()).Where(s => s.Length > 0))
        {
            var descending = text.StartsWith('-');
            var name = descending ? text[1..] : text;
            var index = fields.Select((f, i) => (f, i))
                .FirstOrDefault(x => x.f.Raw == name || x.f.Raw.Trim() == name || (x.f.IsFunction && FunctionAlias(x.f.Raw) == name), (null!, -1)).Item2;
            if (index < 0)
            {
                error = SortNotSelected;
                return null;
            }
            sort.Add((index, descending));
        }
        return sort;
    }

    // ---- events-stats ------------------------------------------------------------------------------

    private sealed record SeriesRequest(Dataset Dataset, List<FieldSpec> YAxes, EventSearch Search, QueryScope Scope, BucketLayout Layout,
        List<FieldSpec> GroupFields, List<(int, bool)> Sort, int TopEvents, bool ExcludeOther);

    /// <summary>Parses what events-stats and events-timeseries share; null with an error detail when invalid. Call under the lock.</summary>
    private static SeriesRequest? ReadSeries(EventStore s, HttpRequest request, Dataset dataset, QueryScope scope, DateTimeOffset now,
        IEnumerable<string> yAxisValues, IEnumerable<string> groupValues, bool timeseries, out string? error)
    {
        var search = EventSearch.Parse(request.Query["query"].ToString(), s, out error);
        if (search is null) return null;
        if (search.AggregateConditions.Count > 0)
        {
            error = $"the sandbox does not support aggregate conditions in a time series ({search.AggregateConditions[0].Function}): filter the events, or ask /events/ for the groups";
            return null;
        }
        var tagKeys = DiscoverQuery.TagKeys(s);
        var yRaw = yAxisValues.Where(y => y.Length > 0).ToList();
        if (yRaw.Count == 0) yRaw.Add("count()");
        var yAxes = ParseFields(yRaw, dataset, tagKeys, out error);
        if (yAxes is null) return null;
        if (yAxes.FirstOrDefault(y => !y.IsFunction) is { } plain)
        {
            error = $"{plain.Raw} is not a valid yAxis: use an aggregate function such as count()";
            return null;
        }

        var topRaw = request.Query["topEvents"].ToString();
        var top = 0;
        if (topRaw.Length > 0 && (!int.TryParse(topRaw, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > 10))
        {
            error = top > 10 ? "Can only get up to 10 top events" : "topEvents needs to be at least 1";
            return null;
        }
        List<FieldSpec> groupFields = [];
        List<(int, bool)> sort = [];
        if (top > 0)
        {
            var fields = ParseFields(groupValues.Where(f => f.Length > 0).Concat(yRaw), dataset, tagKeys, out error);
            if (fields is null) return null;
            groupFields = fields;
            var sortRaw = request.Query["sort"].OfType<string>().Concat(request.Query["orderby"].OfType<string>()).ToList();
            if (sortRaw.Count == 0 && timeseries)
            {
                error = "sort is required with topEvents";
                return null;
            }
            var parsed = ParseSort(sortRaw, fields, out error);
            if (parsed is null) return null;
            sort = parsed;
            if (fields.All(f => f.IsFunction))
            {
                error = timeseries ? "groupBy is required with topEvents" : "field is required with topEvents";
                return null;
            }
        }

        if (!TimeSeries.TryInterval(request.Query["interval"].ToString(), scope.Window, out var interval, out error)) return null;
        var partial = timeseries || request.Query["partial"].ToString() == "1";
        var layout = TimeSeries.Layout(scope.Start, scope.End, interval, partial, now);
        // The series covers whole buckets: widen the row filter to them.
        var bucketScope = scope with { Start = layout.Start, End = layout.End.AddTicks(-1) };
        return new SeriesRequest(dataset, yAxes, search, bucketScope, layout, groupFields, sort, top, request.Query["excludeOther"].ToString() == "1");
    }

    /// <summary>(label, group values, rows) for topEvents, plus "Other"; a single unlabeled group otherwise.</summary>
    private static List<(string Label, List<(string Key, object? Value)> By, List<QueryRow> Rows, bool IsOther)> Groups(EventStore s, SeriesRequest r)
    {
        var rows = DiscoverQuery.Rows(s, r.Dataset, r.Search, r.Scope).ToList();
        if (r.TopEvents == 0) return [("", [], rows, false)];
        var query = new DiscoverQuery { Dataset = r.Dataset, Fields = r.GroupFields, Search = r.Search, Scope = r.Scope, Sort = r.Sort };
        var plain = r.GroupFields.Select((f, i) => (f, i)).Where(x => !x.f.IsFunction).ToList();
        var top = query.Execute(s).Take(r.TopEvents).ToList();
        string KeyOf(QueryRow row) => string.Join('\u001f', plain.Select(p => QueryRow.Text(p.f.Kind == FieldKind.Tag ? row.Tag(p.f.Name) : row.Get(p.f.Name)) ?? "\u0000"));
        var byKey = new Dictionary<string, List<QueryRow>>(StringComparer.Ordinal);
        var result = new List<(string, List<(string, object?)>, List<QueryRow>, bool)>();
        foreach (var values in top)
        {
            var key = string.Join('\u001f', plain.Select(p => QueryRow.Text(values[p.i]) ?? "\u0000"));
            var label = string.Join(",", plain.Select(p => QueryRow.Text(values[p.i]) ?? ""));
            var list = new List<QueryRow>();
            byKey[key] = list;
            result.Add((label, plain.Select(p => (p.f.Raw, values[p.i])).ToList(), list, false));
        }
        var other = new List<QueryRow>();
        foreach (var row in rows)
        {
            if (byKey.TryGetValue(KeyOf(row), out var list)) list.Add(row);
            else other.Add(row);
        }
        if (other.Count > 0 && !r.ExcludeOther) result.Add(("Other", [], other, true));
        return result;
    }

    private static Task Stats(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var request = context.Request;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var now = DateTimeOffset.UtcNow;
        var dataset = ReadDataset(request, state.Options, "discover", out var error);
        if (dataset is null) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var scope = QueryScope.Read(request, store, now, out var status, out error);
        if (scope is null) return JsonOut.Detail(context, status, error!);

        var (body, problem) = store.Read(s =>
        {
            var r = ReadSeries(s, request, dataset.Value, scope, now, request.Query["yAxis"].OfType<string>(), request.Query["field"].OfType<string>(), false, out var e);
            if (r is null) return ((JsonNode?)null, e);
            var groups = Groups(s, r);
            JsonObject SeriesFor(List<QueryRow> rows)
            {
                var buckets = r.Layout.Fill(rows);
                var perAxis = new JsonObject();
                for (var a = 0; a < r.YAxes.Count; a++)
                {
                    var y = r.YAxes[a];
                    var series = StatsSeries(r, y, r.Layout.Values(y, buckets));
                    if (r.YAxes.Count == 1) return series;
                    series["order"] = a;
                    perAxis[y.Raw] = series;
                }
                return perAxis;
            }

            if (r.TopEvents == 0) return (SeriesFor(groups[0].Rows), null);
            var top = new JsonObject();
            for (var g = 0; g < groups.Count; g++)
            {
                var series = SeriesFor(groups[g].Rows);
                series["order"] = g;
                top[groups[g].Label] = series;
            }
            return (top, (string?)null);
        });
        return body is null ? JsonOut.Detail(context, StatusCodes.Status400BadRequest, problem!) : JsonOut.Write(context, body);
    }

    private static JsonObject StatsSeries(SeriesRequest r, FieldSpec y, double[] values)
    {
        var data = new JsonArray();
        for (var i = 0; i < values.Length; i++)
        {
            var value = y.Type == "integer" ? JsonValue.Create((long)values[i]) : JsonValue.Create(Math.Round(values[i], 6));
            data.Add(new JsonArray(r.Layout.BucketStart(i).ToUnixTimeSeconds(), new JsonArray(new JsonObject { ["count"] = value })));
        }
        return new JsonObject
        {
            ["data"] = data,
            ["start"] = r.Layout.Start.ToUnixTimeSeconds(),
            ["end"] = r.Layout.End.ToUnixTimeSeconds(),
            ["isMetricsData"] = false,
            ["meta"] = new JsonObject
            {
                ["fields"] = new JsonObject { ["time"] = "date", [y.Raw] = y.Type },
                ["units"] = new JsonObject { ["time"] = null, [y.Raw] = y.Unit },
                ["isMetricsData"] = false,
                ["isMetricsExtractedData"] = false,
                ["tips"] = new JsonObject(),
                ["datasetReason"] = "unchanged",
                ["dataset"] = Datasets.Name(r.Dataset),
            },
        };
    }

    // ---- events-timeseries -------------------------------------------------------------------------

    private static Task Timeseries(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var request = context.Request;
        // Old self-hosted servers predate this endpoint.
        if (SandboxProfile.IsLegacy(state.Options) || !store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var now = DateTimeOffset.UtcNow;
        if (!request.Query.ContainsKey("dataset")) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, "dataset is required");
        var dataset = ReadDataset(request, state.Options, "", out var error);
        if (dataset is null) return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var scope = QueryScope.Read(request, store, now, out var status, out error);
        if (scope is null) return JsonOut.Detail(context, status, error!);

        var (body, problem) = store.Read(s =>
        {
            var r = ReadSeries(s, request, dataset.Value, scope, now, request.Query["yAxis"].OfType<string>(), request.Query["groupBy"].OfType<string>(), true, out var e);
            if (r is null) return ((JsonNode?)null, e);
            var groups = Groups(s, r);
            var list = new JsonArray();
            for (var g = 0; g < groups.Count; g++)
            {
                var (_, by, rows, isOther) = groups[g];
                var buckets = r.Layout.Fill(rows);
                foreach (var y in r.YAxes)
                {
                    var values = r.Layout.Values(y, buckets);
                    var points = new JsonArray();
                    for (var i = 0; i < values.Length; i++)
                    {
                        points.Add(new JsonObject
                        {
                            ["timestamp"] = r.Layout.BucketStart(i).ToUnixTimeMilliseconds(),
                            ["value"] = y.Type == "integer" ? JsonValue.Create((long)values[i]) : JsonValue.Create(Math.Round(values[i], 6)),
                            ["incomplete"] = r.Layout.IsIncomplete(i),
                            ["sampleCount"] = buckets[i].Count,
                            ["sampleRate"] = 1.0,
                        });
                    }
                    var series = new JsonObject
                    {
                        ["yAxis"] = y.Raw,
                        ["values"] = points,
                        ["meta"] = new JsonObject
                        {
                            ["valueType"] = y.Type,
                            ["valueUnit"] = y.Unit,
                            ["interval"] = (long)r.Layout.Interval.TotalMilliseconds,
                            ["order"] = g,
                            ["isOther"] = isOther,
                        },
                    };
                    if (r.TopEvents > 0)
                        series["groupBy"] = JsonOut.Array(by.Select(b => (JsonNode?)new JsonObject { ["key"] = b.Key, ["value"] = QueryRow.Text(b.Value) }));
                    list.Add(series);
                }
            }
            return (new JsonObject
            {
                ["meta"] = new JsonObject
                {
                    ["dataset"] = Datasets.Name(r.Dataset),
                    ["start"] = r.Layout.Start.ToUnixTimeMilliseconds(),
                    ["end"] = r.Layout.End.ToUnixTimeMilliseconds(),
                },
                ["timeSeries"] = list,
            }, (string?)null);
        });
        return body is null ? JsonOut.Detail(context, StatusCodes.Status400BadRequest, problem!) : JsonOut.Write(context, body);
    }
}

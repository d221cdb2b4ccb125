using System.Globalization;
using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Search;
using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Query;

/// <summary>
/// Sessions counted by final status: from pre-aggregated `sessions` buckets (one user per bucket row)
/// and from individual session updates (the worst status a sid reached: crashed &gt; abnormal &gt;
/// errored &gt; exited/ok = healthy).
/// </summary>
public readonly record struct SessionUnit(Project Project, DateTimeOffset Started, string? Release, string? Environment, string? Did, int Status, int Count)
{
    public const int Healthy = 0, Errored = 1, Abnormal = 2, Crashed = 3;
    public static readonly string[] StatusNames = ["healthy", "errored", "abnormal", "crashed"];

    /// <summary>Every session in the store. Call under the store lock.</summary>
    public static IEnumerable<SessionUnit> All(EventStore s)
    {
        foreach (var a in s.SessionAggregates)
        {
            if (a.Exited > 0) yield return new SessionUnit(a.Project, a.Started, a.Release, a.Environment, a.Did, Healthy, a.Exited);
            if (a.Errored > 0) yield return new SessionUnit(a.Project, a.Started, a.Release, a.Environment, a.Did, Errored, a.Errored);
            if (a.Abnormal > 0) yield return new SessionUnit(a.Project, a.Started, a.Release, a.Environment, a.Did, Abnormal, a.Abnormal);
            if (a.Crashed > 0) yield return new SessionUnit(a.Project, a.Started, a.Release, a.Environment, a.Did, Crashed, a.Crashed);
        }
        if (s.SessionUpdates.Count == 0) yield break;
        var worst = new Dictionary<(string, string), int>();
        foreach (var u in s.SessionUpdates)
        {
            var key = (u.Project.Id, u.Sid);
            var status = Rank(u);
            if (!worst.TryGetValue(key, out var seen) || status > seen) worst[key] = status;
        }
        foreach (var (key, latest) in s.LatestSessions)
            yield return new SessionUnit(latest.Project, latest.Started, latest.Release, latest.Environment, latest.Did, worst.GetValueOrDefault(key), 1);
    }

    private static int Rank(SessionUpdate u) => u.Status switch
    {
        "crashed" => Crashed,
        "abnormal" => Abnormal,
        "errored" => Errored,
        _ => u.Errors > 0 ? Errored : Healthy,
    };
}

/// <summary>`/organizations/{org}/sessions/` (getOrganizationSessions), REFERENCE.md §10.</summary>
public sealed class SessionsQuery
{
    public static readonly IReadOnlyList<string> GroupKeys = ["project", "release", "environment", "session.status"];
    private static readonly HashSet<string> DurationFields = ["avg", "p50", "p75", "p90", "p95", "p99", "max"];

    public required IReadOnlyList<string> Fields { get; init; }
    public required IReadOnlyList<string> GroupBy { get; init; }
    public required HashSet<string> ProjectIds { get; init; }
    public required HashSet<string> Environments { get; init; }
    public required Func<SessionUnit, bool> Filter { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public required DateTimeOffset ResponseEnd { get; init; }
    public required TimeSpan Interval { get; init; }
    public string? OrderBy { get; init; }
    public int? Limit { get; init; }
    public bool IncludeTotals { get; init; } = true;
    public bool IncludeSeries { get; init; } = true;
    public string QueryText { get; init; } = "";

    public int IntervalCount => (int)((End - Start).Ticks / Interval.Ticks);

    public static bool IsValidField(string field)
    {
        if (field is "sum(session)" or "count_unique(user)" or "crash_free_rate(session)" or "crash_free_rate(user)" or "crash_rate(session)" or "crash_rate(user)")
            return true;
        var open = field.IndexOf('(', StringComparison.Ordinal);
        return open > 0 && DurationFields.Contains(field[..open]) && field[open..] == "(session.duration)";
    }

    /// <summary>Release/environment filters of the `query` parameter (`release:x`, `!environment:y`, lists).</summary>
    public static Func<SessionUnit, bool>? ParseQuery(string query, out string? error)
    {
        error = null;
        var predicates = new List<Func<SessionUnit, bool>>();
        foreach (var token in SearchTerms.Tokenize(query.Trim()))
        {
            if (token == "AND") continue;
            var negated = token.StartsWith('!');
            var term = negated ? token[1..] : token;
            var colon = term.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? term[..colon] : "";
            if (key is not ("release" or "environment"))
            {
                error = $"Cannot filter sessions by \"{(key.Length > 0 ? key : term)}\": release health supports release and environment";
                return null;
            }
            var raw = term[(colon + 1)..];
            var values = (raw.StartsWith('[') && raw.EndsWith(']') ? raw[1..^1].Split(',') : [raw])
                .Select(v => v.Trim().Trim('"')).ToHashSet(StringComparer.Ordinal);
            Func<SessionUnit, bool> p = key == "release" ? u => u.Release is { } r && values.Contains(r) : u => u.Environment is { } e && values.Contains(e);
            predicates.Add(negated ? u => !p(u) : p);
        }
        return u => predicates.All(p => p(u));
    }

    /// <summary>
    /// Sentry's `get_constrained_date_range`: interval checks, then the range rounded up to whole
    /// intervals (hours for hourly intervals), the end rounded up, and one more interval in front when the
    /// rounding would cut off the requested start. Sub-hour intervals (SaaS's minute resolution) need a
    /// range of at most 6 hours.
    /// </summary>
    public static bool TryRange(string? rawInterval, DateTimeOffset start, DateTimeOffset end, bool explicitEnd, DateTimeOffset now,
        out DateTimeOffset first, out DateTimeOffset last, out DateTimeOffset responseEnd, out TimeSpan interval, out string? error)
    {
        first = last = responseEnd = default;
        error = null;
        interval = TimeSpan.FromHours(1);
        if (!string.IsNullOrEmpty(rawInterval)
            && !(long.TryParse(rawInterval, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && (interval = TimeSpan.FromSeconds(seconds)) > TimeSpan.Zero)
            && !Period.TryParse(rawInterval, out interval))
        {
            error = $"Invalid interval: {rawInterval}";
            return false;
        }
        var s = (long)interval.TotalSeconds;
        const long day = 86_400, hour = 3_600;
        if (s < 10 || s % 10 != 0)
        {
            error = "The interval has to be a multiple of the minimum interval of ten seconds.";
            return false;
        }
        if (s > day)
        {
            error = "The interval has to be less than one day.";
            return false;
        }
        if (day % s != 0)
        {
            error = "The interval should divide one day without a remainder.";
            return false;
        }
        var minuteResolution = s % hour != 0;
        if (explicitEnd) end = end.AddSeconds(1);
        var rounding = minuteResolution ? s : (long)Math.Ceiling(s / (double)hour) * hour;
        var range = rounding * (long)Math.Ceiling((end - start).TotalSeconds / rounding);
        if (minuteResolution && range > 6 * hour)
        {
            error = "The time-range when using one-minute resolution intervals is restricted to 6 hours.";
            return false;
        }
        if (minuteResolution && (now - start).TotalDays > 30)
        {
            error = "The time-range when using one-minute resolution intervals is restricted to the last 30 days.";
            return false;
        }
        var endTs = rounding * (long)Math.Ceiling(end.ToUnixTimeSeconds() / (double)rounding);
        var startTs = endTs - range;
        if (startTs > start.ToUnixTimeSeconds()) startTs -= rounding;
        if ((endTs - startTs) / s > TimeSeries.MaxBuckets)
        {
            error = "Your interval and date range would create too many results. Use a larger interval, or a smaller date range.";
            return false;
        }
        first = DateTimeOffset.FromUnixTimeSeconds(startTs);
        last = DateTimeOffset.FromUnixTimeSeconds(endTs);
        // Real-time queries end one minute into the future instead (Sentry's cache trick), as the response says.
        var nextMinute = DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / 60 + 1) * 60);
        responseEnd = last > now ? nextMinute : last;
        return true;
    }

    private sealed class Accumulator
    {
        public readonly long[] Sessions = new long[4];
        public readonly Dictionary<string, int> Users = new(StringComparer.Ordinal);

        public void Add(SessionUnit u)
        {
            Sessions[u.Status] += u.Count;
            if (u.Did is null) return;
            if (!Users.TryGetValue(u.Did, out var worst) || u.Status > worst) Users[u.Did] = u.Status;
        }

        public long Total(int? status) => status is { } st ? Sessions[st] : Sessions.Sum();

        public long UserCount(int? status) => status is { } st ? Users.Values.Count(v => v == st) : Users.Count;

        public JsonNode? Json(string field, int? status)
        {
            var value = Value(field, status);
            if (value is not { } v) return null;
            return field is "sum(session)" or "count_unique(user)" ? JsonValue.Create((long)v) : JsonValue.Create(v);
        }

        public double? Value(string field, int? status)
        {
            switch (field)
            {
                case "sum(session)": return Total(status);
                case "count_unique(user)": return UserCount(status);
                case "crash_rate(session)" or "crash_free_rate(session)":
                {
                    var total = Total(null);
                    if (total == 0) return null;
                    var rate = Sessions[SessionUnit.Crashed] / (double)total;
                    return field.StartsWith("crash_free", StringComparison.Ordinal) ? 1 - rate : rate;
                }
                case "crash_rate(user)" or "crash_free_rate(user)":
                {
                    if (Users.Count == 0) return null;
                    var rate = Users.Values.Count(v => v == SessionUnit.Crashed) / (double)Users.Count;
                    return field.StartsWith("crash_free", StringComparison.Ordinal) ? 1 - rate : rate;
                }
                default: return null; // session.duration: no longer recorded by Sentry since 2023
            }
        }
    }

    /// <summary>Runs the query under the store lock and builds the response body.</summary>
    public JsonObject Execute(EventStore store)
    {
        var count = IntervalCount;
        var groupByStatus = GroupBy.Contains("session.status");
        var keys = GroupBy.Where(g => g != "session.status").ToList();
        var groups = new Dictionary<string, (JsonObject By, Accumulator Totals, Accumulator[] Series)>(StringComparer.Ordinal);

        foreach (var u in SessionUnit.All(store))
        {
            if (u.Started < Start || u.Started >= End) continue;
            if (ProjectIds.Count > 0 && !ProjectIds.Contains(u.Project.Id)) continue;
            if (Environments.Count > 0 && (u.Environment is null || !Environments.Contains(u.Environment))) continue;
            if (!Filter(u)) continue;
            var values = keys.Select(k => k switch
            {
                "project" => u.Project.Id,
                "release" => u.Release ?? "",
                _ => u.Environment ?? "",
            }).ToList();
            var key = string.Join('\u001f', values);
            if (!groups.TryGetValue(key, out var group))
            {
                var by = new JsonObject();
                for (var i = 0; i < keys.Count; i++)
                    by[keys[i]] = keys[i] == "project" ? JsonValue.Create(long.Parse(values[i], CultureInfo.InvariantCulture)) : JsonValue.Create(values[i]);
                var series = new Accumulator[count];
                for (var i = 0; i < count; i++) series[i] = new Accumulator();
                groups[key] = group = (by, new Accumulator(), series);
            }
            group.Totals.Add(u);
            group.Series[(int)((u.Started - Start).Ticks / Interval.Ticks)].Add(u);
        }
        // Without groupBy there is always exactly one group, even with no sessions at all.
        if (keys.Count == 0 && groups.Count == 0)
        {
            var series = new Accumulator[count];
            for (var i = 0; i < count; i++) series[i] = new Accumulator();
            groups[""] = (new JsonObject(), new Accumulator(), series);
        }

        var rows = new List<(string Sort, JsonObject Group, double? OrderValue, double? Primary)>();
        foreach (var (key, group) in groups)
        {
            IEnumerable<int?> statuses = groupByStatus ? [SessionUnit.Healthy, SessionUnit.Errored, SessionUnit.Abnormal, SessionUnit.Crashed] : [null];
            foreach (var status in statuses)
            {
                var by = (JsonObject)group.By.DeepClone();
                if (status is { } st) by["session.status"] = SessionUnit.StatusNames[st];
                var totals = new JsonObject();
                var series = new JsonObject();
                foreach (var field in Fields)
                {
                    if (IncludeTotals) totals[field] = group.Totals.Json(field, status);
                    if (IncludeSeries) series[field] = JsonOut.Array(group.Series.Select(a => a.Json(field, status)));
                }
                var order = OrderBy is null ? null : group.Totals.Value(OrderBy.TrimStart('-'), status);
                rows.Add((key + "\u001f" + status, new JsonObject { ["by"] = by, ["totals"] = totals, ["series"] = series }, order, group.Totals.Value(Fields[0], status)));
            }
        }

        // Sentry answers at most 10,000 points (groups x intervals): it keeps the top 10,000 / intervals groups by the
        // orderBy, else by the first field, descending, and drops the rest without a word (sessions_v2's max_groups).
        var maxGroups = Math.Max(1, TimeSeries.MaxBuckets / Math.Max(1, count));
        if (OrderBy is null && rows.Count > maxGroups)
        {
            rows = rows.OrderBy(r => r.Primary is null ? 1 : 0).ThenByDescending(r => r.Primary ?? 0).ThenBy(r => r.Sort, StringComparer.Ordinal).Take(maxGroups).ToList();
        }

        IEnumerable<(string Sort, JsonObject Group, double? OrderValue, double? Primary)> ordered = rows.OrderBy(r => r.Sort, StringComparer.Ordinal);
        if (OrderBy is not null)
        {
            var descending = OrderBy.StartsWith('-');
            ordered = rows.OrderBy(r => r.OrderValue is null ? 1 : 0)
                .ThenBy(r => (descending ? -1 : 1) * (r.OrderValue ?? 0))
                .ThenBy(r => r.Sort, StringComparer.Ordinal);
        }
        ordered = ordered.Take(Math.Min(Limit ?? int.MaxValue, maxGroups));

        var intervals = new JsonArray();
        if (IncludeSeries)
            for (var i = 0; i < count; i++) intervals.Add(Dates.Iso(Start + Interval * i));
        return new JsonObject
        {
            ["start"] = Dates.Iso(Start),
            ["end"] = Dates.Iso(ResponseEnd),
            ["query"] = QueryText,
            ["intervals"] = intervals,
            ["groups"] = JsonOut.Array(ordered.Select(r => (JsonNode?)r.Group)),
        };
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Json
{
    /// <summary>Readers for tags (§4), activity (§5), committers (§6), releases and deploys (§7).</summary>
    internal static class DetailReaders
    {
        public static SentryIssueTag Tag(string issueId, JsonElement t)
        {
            string key = t.String("key") ?? throw new JsonException("a tag has no key");
            long total = t.Int64("totalValues");
            var values = new List<SentryTagValue>();
            if (t.Property("topValues") is JsonElement top && top.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement v in top.EnumerateArray())
                {
                    long count = v.Int64("count");
                    values.Add(new SentryTagValue(
                        v.String("value") ?? string.Empty,
                        v.String("name"),
                        count,
                        total > 0 ? Math.Round(count * 100.0 / total, 2) : 0,
                        v.Date("firstSeen"),
                        v.Date("lastSeen")));
                }
            }

            return new SentryIssueTag(issueId, key, t.String("name"), total, JsonRead.AsInt64(t.Property("uniqueValues")), values);
        }

        public static SentryActivity Activity(string issueId, JsonElement a)
        {
            JsonElement? user = a.Property("user");
            string? who = user?.String("name") ?? user?.String("email") ?? user?.String("username");
            if (who is null && a.Property("sentry_app") is JsonElement app) who = app.String("name");
            return new SentryActivity(a.String("id"), issueId, a.String("type") ?? "unknown", a.Date("dateCreated"), who, JsonFlatten.Map(a.Property("data")));
        }

        /// <summary><c>{"committers": [{"author": {...}, "commits": [...]}]}</c>; each commit is reported with its author.</summary>
        public static IReadOnlyList<SuspectCommit> Committers(JsonElement root)
        {
            var commits = new List<SuspectCommit>();
            if (root.Property("committers") is not JsonElement committers || committers.ValueKind != JsonValueKind.Array) return commits;
            foreach (JsonElement committer in committers.EnumerateArray())
            {
                JsonElement? author = committer.Property("author");
                if (committer.Property("commits") is not JsonElement list || list.ValueKind != JsonValueKind.Array) continue;
                foreach (JsonElement c in list.EnumerateArray())
                {
                    JsonElement? repository = c.Property("repository");
                    string? repositoryName = repository?.ValueKind == JsonValueKind.String ? repository?.GetString() : repository?.String("name");
                    commits.Add(new SuspectCommit(
                        c.String("id") ?? string.Empty,
                        c.String("message"),
                        author?.String("name") ?? author?.String("username"),
                        author?.String("email"),
                        repositoryName,
                        c.Date("dateCreated"),
                        c.String("suspectCommitType"),
                        c.Property("pullRequest")?.String("externalUrl")));
                }
            }

            return commits;
        }

        public static SentryDeploy Deploy(string release, JsonElement d) =>
            new SentryDeploy(d.String("id"), release, d.String("environment") ?? string.Empty, d.String("name"), d.String("url"), d.Date("dateStarted"), d.Date("dateFinished"));

        public static SentryRelease Release(JsonElement r)
        {
            string version = r.String("version") ?? throw new JsonException("a release has no version");
            var projects = new List<string>();
            if (r.Property("projects") is JsonElement list && list.ValueKind == JsonValueKind.Array)
            {
                projects.AddRange(list.EnumerateArray().Select(p => p.String("slug") ?? p.String("name")).Where(s => s != null)!);
            }

            return new SentryRelease(
                version,
                r.String("shortVersion"),
                r.Date("dateCreated"),
                r.Date("dateReleased"),
                r.Property("lastDeploy") is JsonElement deploy ? Deploy(version, deploy) : null,
                r.Int64("newGroups"),
                projects,
                r.Date("firstEvent"),
                r.Date("lastEvent"),
                r.Int64("commitCount"));
        }
    }

    /// <summary>Readers for Discover (§8), events-stats (§9) and sessions (§10).</summary>
    internal static class QueryReaders
    {
        public static SentryTable Table(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("a Discover answer is not a JSON object");
            var rows = new List<IReadOnlyDictionary<string, object?>>();
            if (root.Property("data") is JsonElement data && data.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement row in data.EnumerateArray())
                {
                    var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (JsonProperty cell in row.EnumerateObject())
                    {
                        cells[cell.Name] = cell.Value.ValueKind switch
                        {
                            JsonValueKind.Number => cell.Value.GetDouble(),
                            JsonValueKind.Null => null,
                            JsonValueKind.String => cell.Value.GetString(),
                            _ => cell.Value.GetRawText(),
                        };
                    }

                    rows.Add(cells);
                }
            }

            JsonElement? meta = root.Property("meta");
            var units = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (meta?.Property("units") is JsonElement u && u.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty unit in u.EnumerateObject()) units[unit.Name] = unit.Value.ValueKind == JsonValueKind.String ? unit.Value.GetString() : null;
            }

            return new SentryTable(rows, JsonFlatten.Map(meta?.Property("fields")), units);
        }

        /// <summary>
        /// One y-axis: <c>{"data": [[sec, [{"count": v}]], ...]}</c>; several: an object keyed by y-axis. The
        /// inner key is literally <c>count</c> even for other functions.
        /// </summary>
        public static IReadOnlyList<SentryTimeSeries> Stats(JsonElement root, IReadOnlyList<string> yAxes)
        {
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("an events-stats answer is not a JSON object");
            if (root.Property("data") is JsonElement single) return new[] { new SentryTimeSeries(yAxes.FirstOrDefault() ?? "count()", Points(single)) };

            var series = new List<SentryTimeSeries>();
            foreach (string axis in yAxes)
            {
                if (root.Property(axis)?.Property("data") is JsonElement data) series.Add(new SentryTimeSeries(axis, Points(data)));
            }

            return series;
        }

        private static IReadOnlyList<SentryTimePoint> Points(JsonElement data)
        {
            var points = new List<SentryTimePoint>();
            if (data.ValueKind != JsonValueKind.Array) return points;
            foreach (JsonElement bucket in data.EnumerateArray())
            {
                if (bucket.ValueKind != JsonValueKind.Array || bucket.GetArrayLength() < 2) continue;
                if (JsonRead.AsInt64(bucket[0]) is not long seconds) continue;
                double? value = null;
                if (bucket[1].ValueKind == JsonValueKind.Array)
                {
                    foreach (JsonElement item in bucket[1].EnumerateArray())
                    {
                        value = (value ?? 0) + (JsonFlatten.Double(item.Property("count")) ?? 0);
                    }
                }

                points.Add(new SentryTimePoint(DateTimeOffset.FromUnixTimeSeconds(seconds), value));
            }

            return points;
        }

        public static SentrySessionStats Sessions(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("a sessions answer is not a JSON object");
            var intervals = new List<DateTimeOffset>();
            if (root.Property("intervals") is JsonElement list && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement interval in list.EnumerateArray())
                {
                    if (JsonFlatten.Timestamp(interval) is DateTimeOffset time) intervals.Add(time);
                }
            }

            var groups = new List<SentrySessionGroup>();
            if (root.Property("groups") is JsonElement g && g.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement group in g.EnumerateArray())
                {
                    var totals = new Dictionary<string, double?>(StringComparer.Ordinal);
                    if (group.Property("totals") is JsonElement t && t.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty total in t.EnumerateObject()) totals[total.Name] = JsonFlatten.Double(total.Value);
                    }

                    var series = new Dictionary<string, IReadOnlyList<double?>>(StringComparer.Ordinal);
                    if (group.Property("series") is JsonElement s && s.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty field in s.EnumerateObject())
                        {
                            series[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                ? field.Value.EnumerateArray().Select(v => JsonFlatten.Double(v)).ToList()
                                : new List<double?>();
                        }
                    }

                    groups.Add(new SentrySessionGroup(JsonFlatten.Map(group.Property("by")), totals, series));
                }
            }

            return new SentrySessionStats(intervals, groups);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Json
{
    /// <summary>Reads the issue objects of the list, detail and short-id endpoints (REFERENCE.md §2.1, §2.3).</summary>
    internal static class IssueReader
    {
        public static SentryIssue Read(JsonElement issue)
        {
            if (issue.ValueKind != JsonValueKind.Object) throw new JsonException("an issue is not a JSON object");
            string id = issue.String("id") ?? throw new JsonException("an issue has no id");

            JsonElement? project = issue.Property("project");
            return new SentryIssue(
                id: id,
                shortId: issue.String("shortId") ?? string.Empty,
                title: issue.String("title") ?? string.Empty,
                culprit: issue.String("culprit"),
                level: issue.String("level") ?? "unknown",
                status: issue.String("status") ?? "unresolved",
                substatus: issue.String("substatus"),
                project: project?.String("slug") ?? string.Empty,
                projectId: project?.String("id"),
                platform: issue.String("platform"),
                firstSeen: issue.Date("firstSeen"),
                lastSeen: issue.Date("lastSeen"),
                count: issue.Int64("count"),
                userCount: issue.Int64("userCount"),
                permalink: issue.String("permalink"),
                firstRelease: ReleaseVersion(issue.Property("firstRelease")),
                lastRelease: ReleaseVersion(issue.Property("lastRelease")),
                isUnhandled: issue.Bool("isUnhandled"),
                assignedTo: Actor(issue.Property("assignedTo")),
                stats: Stats(issue.Property("stats")),
                // Detail answers have the keys (null when there is no release); list rows lack them.
                hasReleaseDetails: issue.TryGetProperty("firstRelease", out _) || issue.TryGetProperty("lastRelease", out _),
                retrievedAt: System.DateTimeOffset.UtcNow,
                priority: issue.String("priority"),
                issueCategory: issue.String("issueCategory"),
                seerFixabilityScore: Score(issue.Property("seerFixabilityScore")),
                statusDetails: StatusDetails(issue.Property("statusDetails")),
                issueType: issue.String("issueType"));
        }

        /// <summary>
        /// <c>statusDetails</c> (REFERENCE.md §2.1): Sentry sends unused archive keys as null, numbers sometimes as
        /// strings, and <c>inCommit</c> as a commit object whose repository may be an object or a name.
        /// </summary>
        internal static SentryStatusDetails StatusDetails(JsonElement? details)
        {
            if (details is null || details.Value.ValueKind != JsonValueKind.Object) return SentryStatusDetails.None;
            JsonElement d = details.Value;
            JsonElement? commit = d.Property("inCommit");
            string? commitId = null, repository = null;
            if (commit is JsonElement c && c.ValueKind == JsonValueKind.Object)
            {
                commitId = c.String("id") ?? c.String("commit");
                JsonElement? repo = c.Property("repository");
                repository = repo is JsonElement r ? (r.ValueKind == JsonValueKind.Object ? r.String("name") : r.ValueKind == JsonValueKind.String ? r.GetString() : null) : null;
            }
            else if (commit is JsonElement id && id.ValueKind == JsonValueKind.String)
            {
                commitId = id.GetString();
            }

            JsonElement? actor = d.Property("actor");
            return new SentryStatusDetails(
                inNextRelease: d.Property("inNextRelease") is JsonElement next && next.ValueKind == JsonValueKind.True,
                inRelease: d.String("inRelease"),
                inCommit: commitId,
                inCommitRepository: repository,
                ignoreUntil: d.Date("ignoreUntil"),
                ignoreCount: Int(d, "ignoreCount"),
                ignoreWindow: Int(d, "ignoreWindow"),
                ignoreUserCount: Int(d, "ignoreUserCount"),
                ignoreUserWindow: Int(d, "ignoreUserWindow"),
                ignoreUntilEscalating: d.Property("ignoreUntilEscalating") is JsonElement esc && esc.ValueKind == JsonValueKind.True,
                actor: actor is JsonElement a ? (a.ValueKind == JsonValueKind.Object ? a.String("name") ?? a.String("email") ?? a.String("id") : a.ValueKind == JsonValueKind.String ? a.GetString() : null) : null);
        }

        private static int? Int(JsonElement d, string name) =>
            JsonRead.AsInt64(d.Property(name)) is long n && n >= int.MinValue && n <= int.MaxValue ? (int)n : (int?)null;

        /// <summary>A release object, a bare <c>{"version": ...}</c> when the row is missing, or (older servers) a string.</summary>
        private static string? ReleaseVersion(JsonElement? release)
        {
            if (release is null) return null;
            return release.Value.ValueKind == JsonValueKind.String ? release.Value.GetString() : release.Value.String("version");
        }

        private static double? Score(JsonElement? score) =>
            score is JsonElement s && s.ValueKind == JsonValueKind.Number && s.TryGetDouble(out double value) ? value : (double?)null;

        private static SentryActor? Actor(JsonElement? actor)
        {
            if (actor is null || actor.Value.ValueKind != JsonValueKind.Object) return null;
            JsonElement a = actor.Value;
            return new SentryActor(a.String("type") ?? "user", a.String("id"), a.String("name"), a.String("email"));
        }

        /// <summary><c>stats</c> is keyed by period (<c>24h</c>, <c>14d</c>); buckets are <c>[unixSeconds, count]</c>.</summary>
        private static IReadOnlyList<IssueStatPoint> Stats(JsonElement? stats)
        {
            if (stats is null || stats.Value.ValueKind != JsonValueKind.Object) return Array.Empty<IssueStatPoint>();
            JsonElement? buckets = stats.Value.Property("24h");
            if (buckets is null)
            {
                foreach (JsonProperty period in stats.Value.EnumerateObject())
                {
                    buckets = period.Value;
                    break;
                }
            }

            if (buckets is null || buckets.Value.ValueKind != JsonValueKind.Array) return Array.Empty<IssueStatPoint>();
            var points = new List<IssueStatPoint>(buckets.Value.GetArrayLength());
            foreach (JsonElement bucket in buckets.Value.EnumerateArray())
            {
                if (bucket.ValueKind != JsonValueKind.Array || bucket.GetArrayLength() < 2) continue;
                long? seconds = JsonRead.AsInt64(bucket[0]);
                long? count = JsonRead.AsInt64(bucket[1]);
                if (seconds is null) continue;
                points.Add(new IssueStatPoint(DateTimeOffset.FromUnixTimeSeconds(seconds.Value), count ?? 0));
            }

            return points;
        }
    }
}

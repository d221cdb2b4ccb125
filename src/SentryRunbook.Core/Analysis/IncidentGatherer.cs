using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// Reads what grouping needs for a set of issues with few requests, groups them (<see cref="IncidentGrouper"/>)
    /// and measures each incident: releases and environments of all issues by Discover (errors, issue.id × release ×
    /// environment), each issue's latest event (breadcrumbs and tags: failing hosts), the deploys of their first
    /// releases, traces shared between issues (Discover: trace × count_unique(issue), then trace × issue.id), events
    /// and users of the last hour per issue for the member severities, and per incident one Discover query
    /// <c>issue.id:[…]</c> for its events and unique users, which are never summed across issues.
    /// </summary>
    public sealed class IncidentGatherer
    {
        /// <summary>Issues named per Discover query about releases: each has one or two release × environment rows, well under a page.</summary>
        private const int IssuesPerReleaseQuery = 30;
        /// <summary>Shared traces looked up by pair; 40 traces of two or three issues each stay within one page of 100 rows.</summary>
        private const int TracesLookedUp = 40;

        private readonly ISentryApi _api;
        private readonly IncidentPolicy _policy;
        private readonly Action<string> _log;
        private readonly List<ImpactQuery> _queries = new List<ImpactQuery>();

        public IncidentGatherer(ISentryApi api, IncidentPolicy? policy, Action<string> log)
        {
            _api = api;
            _policy = policy ?? IncidentPolicy.Default;
            _log = log;
        }

        public async Task<IReadOnlyList<SentryIncident>> GroupAsync(IReadOnlyList<SentryIssue> issues, IReadOnlyDictionary<string, TriageReport> triage, DateTimeOffset now, CancellationToken ct)
        {
            if (issues.Count == 0) return Array.Empty<SentryIncident>();
            DateTimeOffset earliest = issues.Select(i => i.FirstSeen ?? now.AddHours(-1)).Min();
            if (earliest < now.AddDays(-90)) earliest = now.AddDays(-90);
            var window = TimeWindow.Between(earliest.AddMinutes(-1), now.AddMinutes(1));
            var ids = issues.Select(i => i.Id).ToList();

            Task<Dictionary<string, List<(string? Release, string? Environment)>>> releases = ReleasesAsync(ids, window, ct);
            Task<Dictionary<string, SentryEvent>> latest = LatestEventsAsync(issues, ct);
            Task<Dictionary<(string, string), SharedTraces>> traces = SharedTracesAsync(ids, window, ct);
            Task<Dictionary<string, (double Events, double Users)>> lastHour = LastHourAsync(ids, now, ct);
            await Task.WhenAll(releases, latest, traces, lastHour).ConfigureAwait(false);

            var candidates = issues.Select(i => new IncidentCandidate(i)).ToList();
            foreach (IncidentCandidate c in candidates)
            {
                List<(string? Release, string? Environment)> rows = releases.Result.TryGetValue(c.Issue.Id, out var r) ? r : new List<(string?, string?)>();
                c.Releases = rows.Select(x => x.Release).Where(x => !string.IsNullOrEmpty(x)).Select(x => x!).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
                c.Environments = rows.Select(x => x.Environment).Where(x => !string.IsNullOrEmpty(x)).Select(x => x!).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList();
                if (latest.Result.TryGetValue(c.Issue.Id, out SentryEvent? ev))
                {
                    c.FailingHosts = UpstreamHosts.Failing(ev, _policy);
                    c.Transaction = ev.Transaction;
                }

                if (triage.TryGetValue(c.Issue.Id, out TriageReport? report))
                {
                    c.Severity = report.Severity;
                    c.Pattern = report.Patterns.FirstOrDefault()?.Pattern;
                }
            }

            await FirstReleasesAsync(candidates, ct).ConfigureAwait(false);
            await DeploysAsync(candidates, ct).ConfigureAwait(false);
            foreach (IncidentCandidate c in candidates.Where(c => c.Severity is null)) c.Severity = MemberSeverity(c, lastHour.Result);

            IReadOnlyList<IncidentCluster> clusters = IncidentGrouper.Group(candidates, traces.Result, _policy);
            _log($"{issues.Count} issue(s) make {clusters.Count} incident(s)");

            // An issue on its own needs no query of its own: one grouped query counts them all, each exactly.
            var single = clusters.Where(c => c.Members.Count == 1).Select(c => c.Members[0].Issue.Id).ToList();
            Dictionary<string, (double Events, double Users, DiscoverQuery Query)> alone = await TotalsAsync(single, window, ct).ConfigureAwait(false);
            return await Task.WhenAll(clusters.Select(c => IncidentAsync(c, now, alone, ct))).ConfigureAwait(false);
        }

        private async Task<Dictionary<string, (double Events, double Users, DiscoverQuery Query)>> TotalsAsync(IReadOnlyList<string> ids, TimeWindow window, CancellationToken ct)
        {
            var result = new Dictionary<string, (double, double, DiscoverQuery)>(StringComparer.Ordinal);
            var queries = Chunks(ids, 100).Select(chunk => new DiscoverQuery
            {
                Dataset = "errors",
                Fields = new[] { "issue.id", "count()", "count_unique(user)" },
                Query = IssueFilter(chunk),
                Window = window,
                PerPage = 100,
            }).ToList();
            SentryTable[] tables = await Task.WhenAll(queries.Select(q => _api.QueryEventsAsync(q, ct))).ConfigureAwait(false);
            for (int i = 0; i < tables.Length; i++)
            {
                foreach (var row in tables[i].Rows)
                {
                    if (Text(row, "issue.id") is string id) result[id] = (Number(row, "count()"), Number(row, "count_unique(user)"), queries[i]);
                }
            }

            return result;
        }

        private async Task<Dictionary<string, List<(string? Release, string? Environment)>>> ReleasesAsync(IReadOnlyList<string> ids, TimeWindow window, CancellationToken ct)
        {
            var result = new Dictionary<string, List<(string?, string?)>>(StringComparer.Ordinal);
            IEnumerable<SentryTable> tables = await Task.WhenAll(Chunks(ids, IssuesPerReleaseQuery).Select(chunk => _api.QueryEventsAsync(new DiscoverQuery
            {
                Dataset = "errors",
                Fields = new[] { "issue.id", "release", "environment", "count()" },
                Query = IssueFilter(chunk),
                Window = window,
                Sort = "-count()",
                PerPage = 100,
            }, ct))).ConfigureAwait(false);
            foreach (IReadOnlyDictionary<string, object?> row in tables.SelectMany(t => t.Rows))
            {
                if (Text(row, "issue.id") is not string id) continue;
                if (!result.TryGetValue(id, out var list)) result[id] = list = new List<(string?, string?)>();
                list.Add((Text(row, "release"), Text(row, "environment")));
            }

            return result;
        }

        private async Task<Dictionary<string, SentryEvent>> LatestEventsAsync(IReadOnlyList<SentryIssue> issues, CancellationToken ct)
        {
            var events = await Task.WhenAll(issues.Select(async issue =>
            {
                try
                {
                    return (issue.Id, Event: await _api.GetIssueEventAsync(issue.Id, "latest", Array.Empty<string>(), ct).ConfigureAwait(false));
                }
                catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
                {
                    _log($"{issue} has no latest event ({ex.Message}): its hosts are unknown");
                    return (issue.Id, Event: (SentryEvent?)null);
                }
            })).ConfigureAwait(false);
            return events.Where(e => e.Event != null).ToDictionary(e => e.Id, e => e.Event!, StringComparer.Ordinal);
        }

        /// <summary>Traces with events of two or more of the issues, then which issues each of those traces holds.</summary>
        private async Task<Dictionary<(string, string), SharedTraces>> SharedTracesAsync(IReadOnlyList<string> ids, TimeWindow window, CancellationToken ct)
        {
            var pairs = new Dictionary<(string, string), SharedTraces>();
            if (ids.Count < 2) return pairs;
            var find = new DiscoverQuery { Dataset = "errors", Fields = new[] { "trace", "count_unique(issue)" }, Query = IssueFilter(ids), Window = window, Sort = "-count_unique(issue)", PerPage = 100 };
            SentryTable shared = await _api.QueryEventsAsync(find, ct).ConfigureAwait(false);
            var traceIds = shared.Rows.Where(r => Number(r, "count_unique(issue)") >= 2).Select(r => Text(r, "trace")).Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
            Record("Shared traces", find, $"{traceIds.Count} trace(s) hold events of two or more of the issues");
            if (traceIds.Count == 0) return pairs;

            // Spread the lookup over the traces found, so each pair of issues that shares many of them is still seen.
            var sample = traceIds.Count <= TracesLookedUp ? traceIds : Enumerable.Range(0, TracesLookedUp).Select(i => traceIds[i * traceIds.Count / TracesLookedUp]).ToList();
            var which = new DiscoverQuery { Dataset = "errors", Fields = new[] { "trace", "issue.id", "count()" }, Query = "trace:[" + string.Join(",", sample) + "] " + IssueFilter(ids), Window = window, PerPage = 100 };
            SentryTable rows = await _api.QueryEventsAsync(which, ct).ConfigureAwait(false);
            Record("Issues per shared trace", which, $"{rows.Rows.Count} row(s)");
            var counted = new Dictionary<(string, string), (int Count, string Example)>();
            foreach (var trace in rows.Rows.Where(r => Text(r, "trace") != null && Text(r, "issue.id") != null).GroupBy(r => Text(r, "trace")!))
            {
                var members = trace.Select(r => Text(r, "issue.id")!).Distinct(StringComparer.Ordinal).ToList();
                for (int a = 0; a < members.Count; a++)
                {
                    for (int b = a + 1; b < members.Count; b++)
                    {
                        var key = IncidentGrouper.Key(members[a], members[b]);
                        counted[key] = counted.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.Example) : (1, trace.Key);
                    }
                }
            }

            foreach (var pair in counted) pairs[pair.Key] = new SharedTraces(pair.Value.Count, pair.Value.Example);
            return pairs;
        }

        private async Task<Dictionary<string, (double Events, double Users)>> LastHourAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken ct)
        {
            var result = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
            IEnumerable<SentryTable> tables = await Task.WhenAll(Chunks(ids, 100).Select(chunk => _api.QueryEventsAsync(new DiscoverQuery
            {
                Dataset = "errors",
                Fields = new[] { "issue.id", "count()", "count_unique(user)" },
                Query = IssueFilter(chunk),
                Window = TimeWindow.Between(now.AddHours(-1), now),
                PerPage = 100,
            }, ct))).ConfigureAwait(false);
            foreach (var row in tables.SelectMany(t => t.Rows))
            {
                if (Text(row, "issue.id") is string id) result[id] = (Number(row, "count()"), Number(row, "count_unique(user)"));
            }

            return result;
        }

        /// <summary>List rows carry no first release: one release seen means that one; several, the oldest event's.</summary>
        private async Task FirstReleasesAsync(IReadOnlyList<IncidentCandidate> candidates, CancellationToken ct)
        {
            await Task.WhenAll(candidates.Select(async c =>
            {
                if (c.Issue.HasReleaseDetails) c.FirstRelease = c.Issue.FirstRelease;
                else if (c.Releases.Count == 1) c.FirstRelease = c.Releases[0];
                else if (c.Releases.Count > 1)
                {
                    try
                    {
                        c.FirstRelease = (await _api.GetIssueEventAsync(c.Issue.Id, "oldest", Array.Empty<string>(), ct).ConfigureAwait(false)).Release;
                    }
                    catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
                    {
                        _log($"{c.Issue} has no oldest event: its first release is unknown");
                    }
                }
            })).ConfigureAwait(false);
        }

        private async Task DeploysAsync(IReadOnlyList<IncidentCandidate> candidates, CancellationToken ct)
        {
            var versions = candidates.Select(c => c.FirstRelease).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).Distinct(StringComparer.Ordinal).ToList();
            var deploys = await Task.WhenAll(versions.Select(async v =>
            {
                try
                {
                    return (Version: v, Deploys: await _api.GetDeploysAsync(v, ct).ConfigureAwait(false));
                }
                catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
                {
                    return (Version: v, Deploys: (IReadOnlyList<SentryDeploy>)Array.Empty<SentryDeploy>());
                }
            })).ConfigureAwait(false);
            var byVersion = deploys.ToDictionary(d => d.Version, d => d.Deploys, StringComparer.Ordinal);
            foreach (IncidentCandidate c in candidates.Where(c => c.FirstRelease != null))
            {
                c.Deploy = IncidentGrouper.DeployBefore(byVersion[c.FirstRelease!], c.Issue.FirstSeen, c.Environments);
            }
        }

        /// <summary>
        /// A member's level from its last hour (events per minute averaged over the hour, users in the hour), its
        /// environments and whether its transaction is a core flow; the crash-free rate is not read per member.
        /// </summary>
        private IncidentSeverity MemberSeverity(IncidentCandidate c, IReadOnlyDictionary<string, (double Events, double Users)> lastHour)
        {
            (double events, double users) = lastHour.TryGetValue(c.Issue.Id, out var h) ? h : (0, 0);
            bool coreFlow = _policy.IsCoreFlow(new[] { c.Transaction ?? c.Issue.Culprit ?? string.Empty }, Array.Empty<KeyValuePair<string, string>>());
            var inputs = new SeverityInputs(null, events / 60.0, (long)users, c.Environments, workaroundExists: false, coreFlow: coreFlow);
            return SeverityClassifier.Classify(inputs, _policy, c.Issue.Id);
        }

        private async Task<SentryIncident> IncidentAsync(IncidentCluster cluster, DateTimeOffset now, IReadOnlyDictionary<string, (double Events, double Users, DiscoverQuery Query)> alone, CancellationToken ct)
        {
            var members = cluster.Members;
            int Rank(IncidentCandidate c) => c.Severity is null ? int.MaxValue : Array.IndexOf(IncidentPolicy.LevelNames, c.Severity.Severity);
            IncidentCandidate top = members.OrderBy(Rank).ThenByDescending(c => c.Issue.Count).ThenBy(c => c.Issue.FirstSeen).First();
            var issues = members.Select(m => m.Issue).ToList();
            DateTimeOffset start = issues.Select(i => i.FirstSeen ?? now).Min();
            var releases = members.SelectMany(m => m.Releases).Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal).ToList();
            var environments = members.SelectMany(m => m.Environments).Distinct(StringComparer.Ordinal).OrderBy(e => e, StringComparer.Ordinal).ToList();

            string? pattern = cluster.KindCounts.ContainsKey(IncidentEvidenceKinds.Deploy) ? PatternNames.DeploymentRegression
                : cluster.KindCounts.ContainsKey(IncidentEvidenceKinds.Upstream) ? PatternNames.ThirdPartyFailure
                : members.Count == 1 ? top.Pattern : null;
            string projects = string.Join(", ", issues.Select(i => i.Project).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(p => p, StringComparer.OrdinalIgnoreCase));
            string title = pattern == PatternNames.DeploymentRegression && members.Count > 1
                ? $"Deploy of {MostCommon(members.Select(m => m.FirstRelease))}: {members.Count} new issues in {projects}"
                : pattern == PatternNames.ThirdPartyFailure && members.Count > 1
                    ? $"{MostCommon(members.SelectMany(m => m.FailingHosts.Keys))} failing: {members.Count} issues in {projects}"
                    : members.Count > 1 ? $"{top.Issue.Title} and {members.Count - 1} more in {projects}" : top.Issue.Title;

            string incidentId = SentryIncident.IdOf(issues.Select(i => i.Id));
            IncidentImpact impact = members.Count == 1 && alone.TryGetValue(top.Issue.Id, out var counted)
                ? Impact(incidentId, start, now, environments, releases, counted.Events, counted.Users, counted.Query, "Events and UniqueUsers of the issue (one query for every issue on its own)")
                : await MeasureImpactAsync(_api, incidentId, issues, start, now, environments, releases, ct).ConfigureAwait(false);
            return new SentryIncident(issues, title, top.Issue, top.Severity?.Severity, top.Severity is null ? null : top.Issue.ToString(),
                top.Severity?.Reasons.FirstOrDefault(), pattern, cluster.Reasons, releases, environments, impact);
        }

        /// <summary>One query over all members: users hit by two issues are counted once.</summary>
        public static async Task<IncidentImpact> MeasureImpactAsync(ISentryApi api, string incidentId, IReadOnlyList<SentryIssue> issues, DateTimeOffset start, DateTimeOffset now, IReadOnlyList<string> environments, IReadOnlyList<string> releases, CancellationToken ct)
        {
            var query = new DiscoverQuery
            {
                Dataset = "errors",
                Fields = new[] { "count()", "count_unique(user)" },
                Query = IssueFilter(issues.Select(i => i.Id).ToList()),
                Window = TimeWindow.Between(start.AddMinutes(-1), now.AddMinutes(1)),
                PerPage = 1,
            };
            SentryTable table = await api.QueryEventsAsync(query, ct).ConfigureAwait(false);
            double events = table.FirstNumber("count()") ?? 0, users = table.FirstNumber("count_unique(user)") ?? 0;
            return Impact(incidentId, start, now, environments, releases, events, users, query, "Events and UniqueUsers across the members");
        }

        private static IncidentImpact Impact(string incidentId, DateTimeOffset start, DateTimeOffset now, IReadOnlyList<string> environments, IReadOnlyList<string> releases, double events, double users, DiscoverQuery query, string figure)
        {
            var record = new ImpactQuery(figure, "events/", query.ToParameters(),
                $"count()={events.ToString("0", CultureInfo.InvariantCulture)}, count_unique(user)={users.ToString("0", CultureInfo.InvariantCulture)}");
            return new IncidentImpact(incidentId, null, start, now, (long)events, (long)users, null, null, null, null, null, environments, releases,
                new[] { record }, null, new[] { "PeakEventsPerMinute", "PeakUsersPerHour", "CrashFreeSessionRate", "P95DurationMs" }.Select(f => f + ": not measured across an incident's issues; each member's triage (Invoke-SentryTriage) has it").ToList());
        }

        private void Record(string figure, DiscoverQuery query, string result)
        {
            lock (_queries) _queries.Add(new ImpactQuery(figure, "events/", query.ToParameters(), result));
            _log($"{figure}: {result}");
        }

        public static string IssueFilter(IReadOnlyList<string> ids) => "issue.id:[" + string.Join(",", ids) + "]";

        private static IEnumerable<List<string>> Chunks(IReadOnlyList<string> ids, int size)
        {
            for (int i = 0; i < ids.Count; i += size) yield return ids.Skip(i).Take(size).ToList();
        }

        private static string MostCommon(IEnumerable<string?> values) =>
            values.Where(v => !string.IsNullOrEmpty(v)).GroupBy(v => v!, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault() ?? "a release";

        private static string? Text(IReadOnlyDictionary<string, object?> row, string field) =>
            row.TryGetValue(field, out object? value) && value != null
                ? value is double d ? d.ToString("0", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture)
                : null;

        private static double Number(IReadOnlyDictionary<string, object?> row, string field) =>
            row.TryGetValue(field, out object? value) && value is double d ? d : 0;
    }
}

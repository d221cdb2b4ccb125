using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>The kinds of evidence that tie issues into one incident.</summary>
    public static class IncidentEvidenceKinds
    {
        /// <summary>First seen in the same release, shortly after its deploy.</summary>
        public const string Deploy = "Deploy";
        /// <summary>Calls to the same external host failing (5xx, timeouts).</summary>
        public const string Upstream = "Upstream";
        /// <summary>Events of both issues in the same traces.</summary>
        public const string Trace = "Trace";
        /// <summary>The same transaction or culprit, starting close together.</summary>
        public const string Transaction = "Transaction";
        /// <summary>First seen close together: supports the others, never ties issues on its own.</summary>
        public const string CloseStart = "CloseStart";
    }

    /// <summary>What is known about one issue for grouping; anything may be missing.</summary>
    public sealed class IncidentCandidate
    {
        public IncidentCandidate(SentryIssue issue) => Issue = issue;

        public SentryIssue Issue { get; }
        public string? FirstRelease { get; set; }
        public IReadOnlyList<string> Releases { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> Environments { get; set; } = Array.Empty<string>();
        /// <summary>The deploy of <see cref="FirstRelease"/> that the issue was first seen after (the latest one before it).</summary>
        public SentryDeploy? Deploy { get; set; }
        /// <summary>Failing external hosts, each with what shows it.</summary>
        public IReadOnlyDictionary<string, string> FailingHosts { get; set; } = new Dictionary<string, string>();
        public string? Transaction { get; set; }
        public IncidentSeverity? Severity { get; set; }
        public string? Pattern { get; set; }
    }

    /// <summary>Traces two issues have in common: how many, and one of them to cite.</summary>
    public sealed class SharedTraces
    {
        public SharedTraces(int count, string example)
        {
            Count = count;
            Example = example;
        }

        public int Count { get; }
        public string Example { get; }
    }

    /// <summary>A group of issues with, per member, the evidence that tied it to the others.</summary>
    public sealed class IncidentCluster
    {
        public IncidentCluster(IReadOnlyList<IncidentCandidate> members, IReadOnlyList<IncidentMemberReason> reasons, IReadOnlyDictionary<string, int> kindCounts)
        {
            Members = members;
            Reasons = reasons;
            KindCounts = kindCounts;
        }

        public IReadOnlyList<IncidentCandidate> Members { get; }
        public IReadOnlyList<IncidentMemberReason> Reasons { get; }
        /// <summary>How many ties of each kind hold the cluster together.</summary>
        public IReadOnlyDictionary<string, int> KindCounts { get; }
    }

    /// <summary>
    /// Clusters issues into incidents by evidence that can be cited: two issues are tied when they share at least
    /// the policy's IncidentMinimumEvidence kinds of evidence (a deploy, a failing host, traces, a transaction that
    /// started close together); a close start alone never ties. Ties are transitive: the incident is a connected
    /// group. An issue tied to none is an incident of its own.
    /// </summary>
    public static class IncidentGrouper
    {
        public static IReadOnlyList<IncidentCluster> Group(IReadOnlyList<IncidentCandidate> candidates, IReadOnlyDictionary<(string, string), SharedTraces> sharedTraces, IncidentPolicy? policy = null)
        {
            policy ??= IncidentPolicy.Default;
            int n = candidates.Count;
            var parent = Enumerable.Range(0, n).ToArray();
            int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
            var evidence = new List<(int A, int B, List<(string Kind, string ForA, string ForB)> Ties)>();

            for (int a = 0; a < n; a++)
            {
                for (int b = a + 1; b < n; b++)
                {
                    var ties = Ties(candidates[a], candidates[b], sharedTraces, policy);
                    int strong = ties.Count(t => t.Kind != IncidentEvidenceKinds.CloseStart);
                    if (strong == 0 || ties.Count < policy.IncidentMinimumEvidence) continue;
                    evidence.Add((a, b, ties));
                    parent[Find(a)] = Find(b);
                }
            }

            var clusters = new List<IncidentCluster>();
            foreach (var group in Enumerable.Range(0, n).GroupBy(Find))
            {
                var members = group.OrderBy(i => candidates[i].Issue.FirstSeen ?? DateTimeOffset.MaxValue).ThenBy(i => candidates[i].Issue.Id, StringComparer.Ordinal).ToList();
                var inGroup = new HashSet<int>(members);
                var links = evidence.Where(e => inGroup.Contains(e.A)).ToList();
                var reasons = members.Select(i =>
                {
                    var mine = links.Where(l => l.A == i || l.B == i).SelectMany(l => l.Ties.Select(t => (t.Kind, Text: l.A == i ? t.ForA : t.ForB))).ToList();
                    if (mine.Count == 0)
                    {
                        return new IncidentMemberReason(candidates[i].Issue.Id, candidates[i].Issue.ToString(), Array.Empty<string>(), new[] { "No other issue shares a deploy, a failing host, traces or a transaction with it" });
                    }

                    var kinds = mine.Select(m => m.Kind).Distinct().OrderBy(KindOrder).ToList();
                    var texts = mine.Where(m => m.Kind != IncidentEvidenceKinds.CloseStart).OrderBy(m => KindOrder(m.Kind)).Select(m => m.Text).Distinct(StringComparer.Ordinal).ToList();
                    int close = mine.Count(m => m.Kind == IncidentEvidenceKinds.CloseStart);
                    if (close > 0)
                    {
                        texts.Add($"First seen {Time(candidates[i].Issue.FirstSeen)}, within {policy.IncidentStartWindowMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min of {close} issue(s) it is tied to");
                    }

                    return new IncidentMemberReason(candidates[i].Issue.Id, candidates[i].Issue.ToString(), kinds, texts);
                }).ToList();
                var counts = links.SelectMany(l => l.Ties).GroupBy(t => t.Kind).ToDictionary(g => g.Key, g => g.Count());
                clusters.Add(new IncidentCluster(members.Select(i => candidates[i]).ToList(), reasons, counts));
            }

            return clusters.OrderByDescending(c => c.Members.Count).ThenBy(c => c.Members[0].Issue.FirstSeen ?? DateTimeOffset.MaxValue).ToList();
        }

        private static List<(string Kind, string ForA, string ForB)> Ties(IncidentCandidate a, IncidentCandidate b, IReadOnlyDictionary<(string, string), SharedTraces> sharedTraces, IncidentPolicy policy)
        {
            var ties = new List<(string, string, string)>();
            bool closeStart = a.Issue.FirstSeen is DateTimeOffset fa && b.Issue.FirstSeen is DateTimeOffset fb && Math.Abs((fa - fb).TotalMinutes) <= policy.IncidentStartWindowMinutes;

            if (a.FirstRelease != null && string.Equals(a.FirstRelease, b.FirstRelease, StringComparison.Ordinal) && AfterDeploy(a, policy) is string da && AfterDeploy(b, policy) is string db)
            {
                ties.Add((IncidentEvidenceKinds.Deploy, da, db));
            }

            foreach (string host in a.FailingHosts.Keys.Where(h => b.FailingHosts.ContainsKey(h)).OrderBy(h => h, StringComparer.Ordinal))
            {
                ties.Add((IncidentEvidenceKinds.Upstream, $"Calls to {host} fail: {a.FailingHosts[host]}", $"Calls to {host} fail: {b.FailingHosts[host]}"));
            }

            if (Traces(sharedTraces, a.Issue.Id, b.Issue.Id) is SharedTraces shared && shared.Count >= policy.IncidentMinimumSharedTraces)
            {
                ties.Add((IncidentEvidenceKinds.Trace,
                    $"Shares {shared.Count} trace(s) with {b.Issue} (e.g. {shared.Example})",
                    $"Shares {shared.Count} trace(s) with {a.Issue} (e.g. {shared.Example})"));
            }

            string? ta = a.Transaction ?? a.Issue.Culprit, tb = b.Transaction ?? b.Issue.Culprit;
            if (closeStart && !string.IsNullOrEmpty(ta) && string.Equals(ta, tb, StringComparison.Ordinal))
            {
                ties.Add((IncidentEvidenceKinds.Transaction, $"Same transaction as {b.Issue}: {ta}", $"Same transaction as {a.Issue}: {tb}"));
            }

            if (closeStart && ties.Count > 0)
            {
                ties.Add((IncidentEvidenceKinds.CloseStart, b.Issue.ToString(), a.Issue.ToString()));
            }

            return ties;
        }

        /// <summary>"First seen … in R, N min after its deploy to E at …", or null when the issue did not start shortly after a deploy of its first release.</summary>
        private static string? AfterDeploy(IncidentCandidate c, IncidentPolicy policy)
        {
            if (c.Deploy is null || c.Issue.FirstSeen is not DateTimeOffset first) return null;
            DateTimeOffset? at = c.Deploy.DateFinished ?? c.Deploy.DateStarted;
            if (at is not DateTimeOffset deployed) return null;
            double minutes = (first - deployed).TotalMinutes;
            if (minutes < -1 || minutes > policy.IncidentDeployWindowMinutes) return null;
            return $"First seen {Time(first)} in {c.FirstRelease}, {Math.Max(0, minutes):0} min after its deploy to {c.Deploy.Environment} at {Time(deployed)}";
        }

        /// <summary>The latest deploy of the release at or before the issue's first event (to one of its environments when known).</summary>
        public static SentryDeploy? DeployBefore(IReadOnlyList<SentryDeploy> deploys, DateTimeOffset? firstSeen, IReadOnlyList<string> environments)
        {
            if (firstSeen is not DateTimeOffset first) return null;
            return deploys
                .Where(d => environments.Count == 0 || environments.Contains(d.Environment, StringComparer.OrdinalIgnoreCase))
                .Where(d => (d.DateFinished ?? d.DateStarted) is DateTimeOffset at && at <= first.AddMinutes(1))
                .OrderByDescending(d => d.DateFinished ?? d.DateStarted)
                .FirstOrDefault();
        }

        private static SharedTraces? Traces(IReadOnlyDictionary<(string, string), SharedTraces> shared, string a, string b) =>
            shared.TryGetValue(Key(a, b), out SharedTraces? s) ? s : null;

        /// <summary>The key of a pair of issues in the shared-traces table, whichever comes first.</summary>
        public static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

        private static int KindOrder(string kind) => kind switch
        {
            IncidentEvidenceKinds.Deploy => 0,
            IncidentEvidenceKinds.Upstream => 1,
            IncidentEvidenceKinds.Trace => 2,
            IncidentEvidenceKinds.Transaction => 3,
            _ => 4,
        };
    }
}

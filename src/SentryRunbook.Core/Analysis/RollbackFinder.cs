using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// The release to roll back to: the last one deployed to the environment before the bad one (by default
    /// the current one) whose crash-free rate was at or above the policy's threshold. Releases without session
    /// data are acceptable but said to be unverified.
    /// </summary>
    public static class RollbackFinder
    {
        /// <summary>
        /// The crash-free rates candidates are judged by: two weeks of daily sessions grouped by release, in one
        /// request (<see cref="CrashFreeByRelease"/> reads the answer). Triage and Get-SentryRollbackTarget both ask this.
        /// </summary>
        public static SessionsQuery HealthQuery(IReadOnlyList<string> projects, IReadOnlyList<string> environments) => new SessionsQuery
        {
            Fields = new[] { "crash_free_rate(session)", "sum(session)" },
            GroupBy = new[] { "release" },
            Projects = projects,
            Environments = environments,
            Window = TimeWindow.Period("14d"),
            Interval = "1d",
        };

        /// <summary>Crash-free session rate per release in percent, from the answer to <see cref="HealthQuery"/>; null for a release without sessions.</summary>
        public static IReadOnlyDictionary<string, double?> CrashFreeByRelease(SentrySessionStats? stats)
        {
            var rates = new Dictionary<string, double?>(StringComparer.Ordinal);
            if (stats is null) return rates;
            foreach (SentrySessionGroup group in stats.Groups)
            {
                if (!group.By.TryGetValue("release", out string? release)) continue;
                bool hasSessions = group.Totals.TryGetValue("sum(session)", out double? sum) && sum > 0;
                rates[release] = hasSessions && group.Totals.TryGetValue("crash_free_rate(session)", out double? rate) && rate is double r ? Math.Round(r * 100, 2) : (double?)null;
            }

            return rates;
        }

        public static SentryRollbackTarget? Find(
            string environment,
            string? project,
            IEnumerable<SentryDeploy> deploys,
            IReadOnlyDictionary<string, double?> crashFreeByRelease,
            IncidentPolicy? policy = null,
            string? currentRelease = null,
            string? badRelease = null,
            IReadOnlyCollection<string>? affectedReleases = null)
        {
            policy ??= IncidentPolicy.Default;
            var history = deploys
                .Where(d => string.Equals(d.Environment, environment, StringComparison.OrdinalIgnoreCase) && (d.DateFinished ?? d.DateStarted).HasValue)
                .OrderByDescending(d => d.DateFinished ?? d.DateStarted)
                .ToList();
            if (history.Count == 0) return null;

            SentryDeploy? current = currentRelease is null ? history[0] : history.FirstOrDefault(d => d.Release == currentRelease);
            if (current is null) return null;
            DateTimeOffset currentAt = (current.DateFinished ?? current.DateStarted)!.Value;
            var reasons = new List<string> { $"{current.Release} is the current release in {environment}, deployed {Time(currentAt)}" };

            // Rolling back past the release that broke things: the target must predate the bad release's first deploy.
            string bad = badRelease ?? current.Release;
            SentryDeploy? badDeploy = history.Where(d => d.Release == bad).OrderBy(d => d.DateFinished ?? d.DateStarted).FirstOrDefault();
            if (badDeploy is null) return null;
            DateTimeOffset cutoff = (badDeploy.DateFinished ?? badDeploy.DateStarted)!.Value;
            if (bad != current.Release)
            {
                // Already replaced (say, by a rollback): roll back only if the release running now still has the problem.
                if (affectedReleases != null && !affectedReleases.Contains(current.Release)) return null;
                reasons.Add($"The problem came with {bad}, first deployed to {environment} {Time(cutoff)}");
            }

            foreach (SentryDeploy candidate in history.Where(d => d.Release != current.Release && d.Release != bad && (d.DateFinished ?? d.DateStarted) < cutoff))
            {
                DateTimeOffset at = (candidate.DateFinished ?? candidate.DateStarted)!.Value;
                crashFreeByRelease.TryGetValue(candidate.Release, out double? crashFree);
                if (crashFree is double rate && rate < policy.CrashFreeRateBelow)
                {
                    reasons.Add($"Skipped {candidate.Release} (deployed {Time(at)}): crash-free sessions {Percent(rate)} is below {Percent(policy.CrashFreeRateBelow)}");
                    continue;
                }

                reasons.Add(crashFree is double healthy
                    ? $"{candidate.Release} was deployed to {environment} {Time(at)} and had {Percent(healthy)} crash-free sessions (at least {Percent(policy.CrashFreeRateBelow)})"
                    : $"{candidate.Release} was deployed to {environment} {Time(at)}; it has no session data, so its health is unverified");
                return new SentryRollbackTarget(candidate.Release, environment, project, current.Release, at, crashFree, reasons);
            }

            return null;
        }
    }
}

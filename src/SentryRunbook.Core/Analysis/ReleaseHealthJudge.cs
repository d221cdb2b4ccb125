using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// Turns a release's signals into a verdict. Small samples are judged with real tests (see
    /// <see cref="ReleaseStatistics"/>): a crash-free rate fails the policy's line only when the top of its
    /// Wilson interval is below it, passes only when the bottom is above it, and is Inconclusive in between;
    /// a difference from the baseline counts only when a one-sided test finds it significant at the policy's
    /// level and it is large enough to matter. Fail beats Warn beats Inconclusive beats Pass.
    /// </summary>
    public static class ReleaseHealthJudge
    {
        public const string Pass = "Pass";
        public const string Warn = "Warn";
        public const string Fail = "Fail";
        public const string Inconclusive = "Inconclusive";

        public static ReleaseHealthVerdict Judge(ReleaseHealthSignals signals, IncidentPolicy? policy = null)
        {
            if (signals is null) throw new ArgumentNullException(nameof(signals));
            policy ??= IncidentPolicy.Default;
            var reasons = new List<string>();
            var missing = new List<string>(signals.MissingSignals);
            var figures = new ReleaseHealthFigures();
            bool fail = false, warn = false, inconclusive = false;
            double alpha = policy.ReleaseSignificance;
            double z = ReleaseStatistics.TwoSidedZ(alpha);
            string confidence = Number((1 - alpha) * 100) + "%";
            double line = policy.CrashFreeRateBelow;

            if (signals.Baseline is null)
            {
                reasons.Add($"No baseline: no release was deployed to {signals.Environment} before {signals.Release}, so nothing is compared; the release is judged on its own figures");
            }
            else if (signals.BaselineSource != null)
            {
                reasons.Add($"Baseline {signals.Baseline}: {signals.BaselineSource}");
            }

            SessionCounts? mine = signals.Sessions, theirs = signals.BaselineSessions;
            if (theirs != null && theirs.Sessions > 0)
            {
                figures.BaselineCrashFreeSessionRate = Percent(theirs.Sessions - theirs.CrashedSessions, theirs.Sessions);
                if (theirs.Users is long bu && bu > 0 && theirs.CrashedUsers is long bcu) figures.BaselineCrashFreeUserRate = Percent(bu - bcu, bu);
            }

            if (!signals.ProjectHasSessions)
            {
                if (!missing.Any(m => m.StartsWith("CrashFreeSessionRate", StringComparison.Ordinal)))
                {
                    missing.Add($"CrashFreeSessionRate: no sessions from {signals.Release}" + (signals.Baseline is null ? string.Empty : $" or {signals.Baseline}") + " in the window (the project sends none: release health is off or its SDK does not send sessions)");
                }

                reasons.Add("No session data for the project: judged on issues alone (new issues, regressions" + (signals.Transactions.Count > 0 ? ", latency" : string.Empty) + "); crash-free rates and adoption are unknown"
                    + Cite(signals.SessionsQuery));
            }
            else if (mine is null || mine.Sessions == 0)
            {
                inconclusive = true;
                reasons.Add($"Adoption: {signals.Release} has no sessions in {signals.Environment} since {Time(signals.Since)} yet, so its crash-free rate cannot be judged" + Cite(signals.SessionsQuery));
            }
            else
            {
                ProportionInterval interval = ReleaseStatistics.Wilson(mine.Sessions - mine.CrashedSessions, mine.Sessions, z);
                double rate = Percent(mine.Sessions - mine.CrashedSessions, mine.Sessions);
                figures.CrashFreeSessionRate = rate;
                figures.CrashFreeSessionRateLower = Math.Round(interval.Lower * 100, 2);
                figures.CrashFreeSessionRateUpper = Math.Round(interval.Upper * 100, 2);
                string measured = $"crash-free sessions {Number(rate)}% ({mine.CrashedSessions} crashed of {mine.Sessions}; {confidence} Wilson interval {Number(interval.Lower * 100)}–{Number(interval.Upper * 100)}%)";
                if (interval.Upper * 100 < line)
                {
                    fail = true;
                    reasons.Add($"Fail: {measured} is below the {Number(line)}% line even at the top of its interval" + Cite(signals.SessionsQuery));
                }
                else if (interval.Lower * 100 >= line)
                {
                    reasons.Add($"OK: {measured} is above the {Number(line)}% line" + Cite(signals.SessionsQuery));
                }
                else
                {
                    inconclusive = true;
                    reasons.Add($"Inconclusive: {measured} straddles the {Number(line)}% line: too few sessions to tell yet" + Cite(signals.SessionsQuery));
                }

                if (theirs != null && theirs.Sessions > 0)
                {
                    TestResult test = ReleaseStatistics.TwoProportionGreater(mine.CrashedSessions, mine.Sessions, theirs.CrashedSessions, theirs.Sessions);
                    double drop = figures.BaselineCrashFreeSessionRate!.Value - rate;
                    string compared = $"{Number(rate)}% against {signals.Baseline}'s {Number(figures.BaselineCrashFreeSessionRate.Value)}% ({theirs.CrashedSessions} crashed of {theirs.Sessions}; two-proportion z = {Number(test.Z)}, one-sided p = {PValue(test.PValue)})";
                    if (!test.Valid)
                    {
                        reasons.Add($"Crash-free sessions {Number(rate)}% against {signals.Baseline}'s {Number(figures.BaselineCrashFreeSessionRate.Value)}% ({theirs.CrashedSessions} crashed of {theirs.Sessions}): too few sessions to compare yet (the z-test needs at least {Number(ReleaseStatistics.MinimumExpectedCount)} expected crashed and crash-free sessions in each release; the smallest is {Number(test.SmallestExpected)})" + Cite(signals.SessionsQuery));
                    }
                    else if (test.PValue < alpha && drop >= policy.ReleaseCrashFreeDropAbove)
                    {
                        warn = true;
                        reasons.Add($"Warn: crash-free sessions fell {Number(drop)} points, {compared}; significant at {Number(alpha)} and at least the policy's {Number(policy.ReleaseCrashFreeDropAbove)} points" + Cite(signals.SessionsQuery));
                    }
                    else
                    {
                        reasons.Add($"Crash-free sessions {compared}: no significant drop" + Cite(signals.SessionsQuery));
                    }
                }

                reasons.Add($"Adoption: {mine.Sessions} sessions" + (mine.Users is long u ? $" from {u} users" : string.Empty)
                    + (theirs != null ? $" (baseline {theirs.Sessions} sessions)" : string.Empty) + $" since {Time(signals.Since)}" + Cite(signals.SessionsQuery));

                if (mine.Users is long users && users > 0 && mine.CrashedUsers is long crashedUsers)
                {
                    ProportionInterval userInterval = ReleaseStatistics.Wilson(users - crashedUsers, users, z);
                    figures.CrashFreeUserRate = Percent(users - crashedUsers, users);
                    if (userInterval.Upper * 100 < line)
                    {
                        warn = true;
                        reasons.Add($"Warn: crash-free users {Number(figures.CrashFreeUserRate.Value)}% ({crashedUsers} of {users} users crashed; {confidence} interval {Number(userInterval.Lower * 100)}–{Number(userInterval.Upper * 100)}%) is below the {Number(line)}% line" + Cite(signals.SessionsQuery));
                    }
                }
                else
                {
                    missing.Add("CrashFreeUserRate: Sentry sent no user counts for the release's sessions");
                }
            }

            // Errors per 1,000 sessions: needs both counts.
            if (signals.Errors is long errors && mine != null && mine.Sessions > 0)
            {
                figures.ErrorsPerThousandSessions = Math.Round(errors * 1000.0 / mine.Sessions, 2);
                if (signals.BaselineErrors is long baselineErrors && theirs != null && theirs.Sessions > 0)
                {
                    figures.BaselineErrorsPerThousandSessions = Math.Round(baselineErrors * 1000.0 / theirs.Sessions, 2);
                    TestResult test = ReleaseStatistics.PoissonRateGreater(errors, mine.Sessions, baselineErrors, theirs.Sessions);
                    double before = baselineErrors / (double)theirs.Sessions, after = errors / (double)mine.Sessions;
                    double increase = before > 0 ? (after - before) / before * 100 : (after > 0 ? double.PositiveInfinity : 0);
                    string compared = $"{Number(figures.ErrorsPerThousandSessions.Value)} errors per 1,000 sessions ({errors} errors, {mine.Sessions} sessions) against {signals.Baseline}'s {Number(figures.BaselineErrorsPerThousandSessions.Value)} ({baselineErrors} errors, {theirs.Sessions} sessions); rate test z = {Number(test.Z)}, one-sided p = {PValue(test.PValue)}";
                    if (!test.Valid)
                    {
                        reasons.Add($"Errors: {Number(figures.ErrorsPerThousandSessions.Value)} per 1,000 sessions ({errors} errors, {mine.Sessions} sessions) against {signals.Baseline}'s {Number(figures.BaselineErrorsPerThousandSessions.Value)} ({baselineErrors} errors, {theirs.Sessions} sessions): too few errors to compare yet (the rate test needs at least {Number(ReleaseStatistics.MinimumExpectedCount)} expected in each release; the smallest is {Number(test.SmallestExpected)})" + Cite(signals.ErrorsQuery));
                    }
                    else if (test.PValue < alpha && increase >= policy.ReleaseErrorRateIncreaseAbove)
                    {
                        warn = true;
                        reasons.Add($"Warn: errors per 1,000 sessions rose {(double.IsInfinity(increase) ? "from none" : Number(increase) + "%")}: {compared}" + Cite(signals.ErrorsQuery));
                    }
                    else
                    {
                        reasons.Add($"Errors: {compared}: no significant rise of {Number(policy.ReleaseErrorRateIncreaseAbove)}% or more" + Cite(signals.ErrorsQuery));
                    }
                }
                else
                {
                    reasons.Add($"Errors: {Number(figures.ErrorsPerThousandSessions.Value)} per 1,000 sessions ({errors} errors, {mine.Sessions} sessions); no baseline to compare" + Cite(signals.ErrorsQuery));
                }
            }
            else if (signals.Errors is long onlyErrors)
            {
                reasons.Add($"Errors: {onlyErrors} events in {signals.Release} since {Time(signals.Since)}" + (signals.BaselineErrors is long be ? $" ({signals.Baseline}: {be})" : string.Empty) + "; no sessions to express them per 1,000 sessions" + Cite(signals.ErrorsQuery));
                missing.Add("ErrorsPerThousandSessions: no sessions for the release to divide by");
            }

            foreach (ReleaseIssue issue in signals.NewIssues.OrderByDescending(i => i.Users).ThenByDescending(i => i.Events))
            {
                string described = $"new issue {issue.ShortId ?? issue.Id} '{issue.Title}' (level {issue.Level ?? "unknown"}{(issue.IsUnhandled == true ? ", unhandled" : string.Empty)}) first seen in {signals.Release}: {issue.Users} users, {issue.Events} events";
                if (issue.Users > policy.ReleaseNewIssueUsersAbove)
                {
                    fail = true;
                    reasons.Add($"Fail: {described}; more than the policy's {policy.ReleaseNewIssueUsersAbove} users" + Cite(signals.NewIssuesQuery));
                }
                else if (IsSerious(issue))
                {
                    warn = true;
                    reasons.Add($"Warn: {described}" + Cite(signals.NewIssuesQuery));
                }
                else
                {
                    reasons.Add($"Noted: {described}; below error level and few users" + Cite(signals.NewIssuesQuery));
                }
            }

            if (signals.NewIssuesQuery != null && signals.NewIssues.Count == 0) reasons.Add($"No new issues first seen in {signals.Release}" + Cite(signals.NewIssuesQuery));

            foreach (ReleaseIssue issue in signals.RegressedIssues.OrderByDescending(i => i.Users))
            {
                warn = true;
                reasons.Add($"Warn: regressed issue {issue.ShortId ?? issue.Id} '{issue.Title}' (level {issue.Level ?? "unknown"}) came back in {signals.Release}: {issue.Users} users, {issue.Events} events" + Cite(signals.RegressedIssuesQuery));
            }

            foreach (ReleaseTransaction t in signals.Transactions)
            {
                if (t.P95DurationMs is null || t.BaselineP95DurationMs is null || t.ChangePercent is null) continue;
                string compared = $"'{t.Transaction}' p95 {Number(t.P95DurationMs.Value)} ms over {t.Count} transactions against {signals.Baseline}'s {Number(t.BaselineP95DurationMs.Value)} ms over {t.BaselineCount}";
                if (t.Count < policy.ReleaseMinimumTransactions || (t.BaselineCount ?? 0) < policy.ReleaseMinimumTransactions)
                {
                    reasons.Add($"Latency not compared: {compared}; fewer than the policy's {policy.ReleaseMinimumTransactions} transactions" + Cite(signals.TransactionsQuery));
                }
                else if (t.ChangePercent.Value >= policy.ReleaseLatencyIncreaseAbove)
                {
                    warn = true;
                    reasons.Add($"Warn: latency regression, {compared} (+{Number(t.ChangePercent.Value)}%, at least the policy's {Number(policy.ReleaseLatencyIncreaseAbove)}%)" + Cite(signals.TransactionsQuery));
                }
                else
                {
                    reasons.Add($"Latency: {compared} ({(t.ChangePercent.Value >= 0 ? "+" : string.Empty)}{Number(t.ChangePercent.Value)}%)" + Cite(signals.TransactionsQuery));
                }
            }

            string verdict = fail ? Fail : warn ? Warn : inconclusive ? Inconclusive : Pass;
            string? action = verdict switch
            {
                Fail => $"Do not promote {signals.Release}; roll back: Test-SentryReleaseHealth -Release '{signals.Release}' -Environment '{signals.Environment}' | Get-SentryRollbackTarget | New-SentryDeploy",
                Warn => $"Hold the rollout of {signals.Release} and look at the reasons before promoting it",
                Inconclusive => $"Wait for more traffic on {signals.Release} and judge again (Watch-SentryRelease)",
                _ => null,
            };
            if (action != null) reasons.Add("Next: " + (verdict == Fail ? "run Get-SentryRollbackTarget. " : string.Empty) + action);
            return new ReleaseHealthVerdict(signals.Release, signals.Baseline, signals.Environment, signals.Project, verdict, reasons, signals, figures, missing, action);
        }

        /// <summary>Error and fatal issues, and any unhandled one, are serious; warnings and info are noted.</summary>
        private static bool IsSerious(ReleaseIssue issue) =>
            issue.IsUnhandled == true
            || string.Equals(issue.Level, "error", StringComparison.OrdinalIgnoreCase)
            || string.Equals(issue.Level, "fatal", StringComparison.OrdinalIgnoreCase);

        private static double Percent(long part, long whole) => Math.Round(part * 100.0 / whole, 2);

        private static string Cite(string? query) => query is null ? string.Empty : " [" + query + "]";

        private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

        private static string PValue(double p) => p < 0.0001 ? "< 0.0001" : p.ToString("0.####", CultureInfo.InvariantCulture);
    }
}

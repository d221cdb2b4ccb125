using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// Cron and uptime issues: Sentry raises them from a monitor's check-ins, not from a stack trace, so their
    /// triage reads the monitor. Which monitor, how its last check-ins went, and the two patterns that fit
    /// them: a job that stopped after a deploy of its project, and a checked host that is down.
    /// </summary>
    public static class MonitorAnalyzer
    {
        /// <summary>How many of a monitor's latest check-ins triage reads.</summary>
        public const int CheckInsToRead = 100;

        /// <summary>The event tag naming a cron issue's monitor (Sentry's incident occurrence).</summary>
        public const string CronTag = "monitor.slug";

        /// <summary>The event tag naming an uptime issue's monitor.</summary>
        public const string UptimeTag = "uptime_rule";

        /// <summary>
        /// <c>cron</c> or <c>uptime</c> for an outage issue, else null. Older Sentry says <c>cron</c> or <c>uptime</c> in
        /// issueCategory; newer Sentry may say <c>outage</c> for both, so the issue type decides.
        /// </summary>
        public static string? KindOf(SentryIssue issue)
        {
            string? category = issue.IssueCategory;
            string? type = issue.IssueType;
            if (category == "cron" || (type != null && type.StartsWith("monitor_check_in", StringComparison.Ordinal))) return "cron";
            if (category == "uptime" || (type != null && type.StartsWith("uptime", StringComparison.Ordinal))) return "uptime";
            return null;
        }

        /// <summary>
        /// The monitor's slug (cron) or id (uptime): from the latest event's tags, else the issue's top tag value,
        /// else (cron) the event's monitor context. Null when nothing names it.
        /// </summary>
        public static string? MonitorKey(string kind, SentryEvent? latest, IReadOnlyList<SentryIssueTag> tags)
        {
            string tag = kind == "cron" ? CronTag : UptimeTag;
            if (latest != null && latest.Tags.TryGetValue(tag, out string? fromEvent) && !string.IsNullOrEmpty(fromEvent)) return fromEvent;
            string? top = tags.FirstOrDefault(t => t.Key == tag)?.TopValues.OrderByDescending(v => v.Count).FirstOrDefault()?.Value;
            if (!string.IsNullOrEmpty(top)) return top;
            if (kind == "cron" && latest != null && latest.Contexts.TryGetValue("monitor", out IReadOnlyDictionary<string, string>? monitor)
                && monitor.TryGetValue("slug", out string? slug) && !string.IsNullOrEmpty(slug))
            {
                return slug;
            }

            return null;
        }

        /// <summary>
        /// Counts of the monitor's check-ins (in <paramref name="environment"/> when given and present), the current run
        /// of failures and the last success. A check-in still in progress neither breaks nor extends a run of failures.
        /// </summary>
        public static SentryMonitorHealth Summarize(SentryMonitor monitor, string? environment = null)
        {
            IReadOnlyList<SentryCheckIn> all = monitor.CheckIns;
            if (environment != null && all.Any(c => string.Equals(c.Environment, environment, StringComparison.OrdinalIgnoreCase)))
            {
                all = all.Where(c => string.Equals(c.Environment, environment, StringComparison.OrdinalIgnoreCase)).ToList();
            }

            List<SentryCheckIn> newestFirst = all.OrderByDescending(c => c.At ?? DateTimeOffset.MinValue).ToList();
            var streak = new List<SentryCheckIn>();
            foreach (SentryCheckIn checkIn in newestFirst)
            {
                if (checkIn.Status == "in_progress") continue;
                if (!checkIn.IsFailure) break;
                streak.Add(checkIn);
            }

            SentryCheckIn? lastOk = newestFirst.FirstOrDefault(c => c.Status == "ok");
            IReadOnlyList<int> codes = streak.Where(c => c.HttpStatusCode.HasValue).GroupBy(c => c.HttpStatusCode!.Value)
                .OrderByDescending(g => g.Count()).Select(g => g.Key).ToList();
            IReadOnlyList<string> reasons = streak.Select(c => monitor.Kind == "uptime" ? c.Reason ?? c.Status : c.Status)
                .GroupBy(r => r, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => g.Key).ToList();
            return new SentryMonitorHealth(
                monitor,
                newestFirst.Count,
                newestFirst.Count(c => c.Status == "ok"),
                newestFirst.Count(c => c.Status == "missed"),
                newestFirst.Count(c => c.Status == "error"),
                newestFirst.Count(c => c.Status == "timeout"),
                streak.Count,
                streak.Count > 0 ? streak[streak.Count - 1].At : null,
                lastOk?.DateCreated ?? lastOk?.ExpectedTime,
                newestFirst.FirstOrDefault()?.At,
                codes,
                reasons);
        }

        /// <summary>The monitor's patterns: a job failing since a deploy of its project (cron), a checked host that is down (uptime).</summary>
        public static IReadOnlyList<IncidentPattern> Patterns(SentryIssue issue, SentryMonitorHealth health, IReadOnlyList<SentryDeploy> projectDeploys, IncidentPolicy policy)
        {
            var found = new List<IncidentPattern?>
            {
                health.Kind == "cron" ? MissedAfterDeploy(issue, health, projectDeploys, policy) : null,
                health.Kind == "uptime" ? UpstreamDown(issue, health) : null,
            };
            return found.Where(p => p != null && p.Confidence >= policy.MinimumPatternConfidence).Select(p => p!).OrderByDescending(p => p.Confidence).ToList();
        }

        /// <summary>
        /// The job ran fine until a deploy of its project and has failed or been missed at every run since: the first
        /// failing run was due after the deploy finished and the last good one before it. Within the policy's deploy
        /// window the deploy is the likelier cause still.
        /// </summary>
        internal static IncidentPattern? MissedAfterDeploy(SentryIssue issue, SentryMonitorHealth health, IReadOnlyList<SentryDeploy> deploys, IncidentPolicy policy)
        {
            if (health.ConsecutiveFailures == 0 || health.FailingSince is not DateTimeOffset firstFailure) return null;
            string? environment = health.Monitor.CheckIns.FirstOrDefault(c => c.Environment != null)?.Environment;
            SentryDeploy? deploy = deploys
                .Where(d => environment is null ? policy.IsProduction(d.Environment) : string.Equals(d.Environment, environment, StringComparison.OrdinalIgnoreCase))
                .Where(d => (d.DateFinished ?? d.DateStarted) is DateTimeOffset at && at <= firstFailure && (health.LastOk is not DateTimeOffset ok || at >= ok))
                .OrderByDescending(d => d.DateFinished ?? d.DateStarted)
                .FirstOrDefault();
            if (deploy is null) return null;

            DateTimeOffset deployedAt = (deploy.DateFinished ?? deploy.DateStarted)!.Value;
            double minutes = (firstFailure - deployedAt).TotalMinutes;
            double confidence = health.LastOk is null ? 0.5 : minutes <= policy.DeployWindowMinutes ? 0.85 : 0.7;
            string what = Describe(health.Monitor.CheckIns.LastOrDefault(c => c.At == firstFailure)?.Status ?? "failed");
            var evidence = new List<string>
            {
                $"The first {what} check-in of {health.Slug} was due {Time(firstFailure)}, {Minutes(minutes)} after {deploy.Release} was deployed to {deploy.Environment} at {Time(deployedAt)}",
                health.LastOk is DateTimeOffset lastOk
                    ? $"The last successful check-in ({Time(lastOk)}) was before the deploy; {health.ConsecutiveFailures} failing since ({health.Missed} missed, {health.Failed} failed, {health.TimedOut} timed out of the last {health.CheckInsRead})"
                    : $"No successful check-in among the last {health.CheckInsRead}",
            };
            if (health.Schedule != null) evidence.Add($"Schedule {health.Schedule}" + (health.Monitor.CheckInMarginMinutes is int margin ? $", {margin} min margin" : string.Empty));
            return new IncidentPattern(
                PatternNames.DeploymentRegression,
                confidence,
                evidence,
                $"Check that {deploy.Release} still schedules and starts the job {health.Slug} (its cron or worker configuration, the scheduler's log, the check-in code: a renamed monitor slug or a removed schedule stops check-ins); run the job by hand if its output is needed now; roll back {deploy.Environment} to the release before {deploy.Release} if the deploy broke it",
                issue.Id);
        }

        /// <summary>The uptime monitor's checks fail in a row: the checked host is down (or unreachable from Sentry's region).</summary>
        internal static IncidentPattern? UpstreamDown(SentryIssue issue, SentryMonitorHealth health)
        {
            if (health.ConsecutiveFailures == 0) return null;
            string target = health.Url ?? health.Name;
            string host = Uri.TryCreate(health.Url, UriKind.Absolute, out Uri? uri) ? uri.Host : target;
            string codes = health.FailingHttpStatusCodes.Count > 0 ? "HTTP " + string.Join(", ", health.FailingHttpStatusCodes) : "no HTTP answer";
            var evidence = new List<string>
            {
                $"{health.ConsecutiveFailures} uptime checks of {target} in a row failed since {Since(health)} ({codes}; {string.Join(", ", health.FailureReasons)})",
                health.LastOk is DateTimeOffset ok ? $"The last successful check was at {Time(ok)}" : $"No successful check among the last {health.CheckInsRead}",
            };
            // One or two failures may be a blip; Sentry opens its incident at three in a row by default.
            double confidence = health.ConsecutiveFailures >= 3 ? 0.85 : 0.55;
            return new IncidentPattern(
                PatternNames.ThirdPartyFailure,
                confidence,
                evidence,
                $"{host} is down: check its status page, DNS and TLS certificate and its hosting provider; fail over or degrade what depends on it (circuit breaker, cached answers) and tell its owner; Sentry resolves the issue once checks pass again",
                issue.Id);
        }

        /// <summary>One line for the report: schedule, counts, the current run of failures and the last success.</summary>
        public static string Finding(SentryMonitorHealth health)
        {
            string counts = $"{health.Ok} ok, {health.Missed} missed, {health.Failed} failed, {health.TimedOut} timed out of the last {health.CheckInsRead}";
            string failing = health.ConsecutiveFailures > 0
                ? $"failing since {Since(health)} ({health.ConsecutiveFailures} in a row{(health.FailingHttpStatusCodes.Count > 0 ? ", HTTP " + string.Join(", ", health.FailingHttpStatusCodes) : string.Empty)})"
                : "the latest check-in succeeded";
            string lastOk = health.LastOk is DateTimeOffset ok ? $"last ok {Time(ok)}" : "no successful check-in read";
            return $"{counts}; {failing}; {lastOk}";
        }

        /// <summary>One line naming the monitor: what it watches and on what schedule.</summary>
        public static string Describe(SentryMonitorHealth health) =>
            health.Kind == "uptime"
                ? $"uptime monitor {health.Name} checks {health.Url ?? "an unknown URL"} {health.Schedule ?? string.Empty}".TrimEnd() + $", now {health.Status ?? "unknown"}"
                : $"cron monitor {health.Slug} ({health.Name}), schedule {health.Schedule ?? "unknown"}" + (health.Monitor.CheckInMarginMinutes is int m ? $", {m} min margin" : string.Empty) + $", status {health.Status ?? "unknown"}";

        /// <summary>When every check-in read failed, the failures began earlier still.</summary>
        private static string Since(SentryMonitorHealth health) => (health.ConsecutiveFailures == health.CheckInsRead ? "at least " : string.Empty) + Time(health.FailingSince);

        private static string Describe(string status) => status == "missed" ? "missed" : status == "timeout" ? "timed-out" : "failed";

        private static string Minutes(double minutes) => minutes >= 120
            ? (minutes / 60).ToString("0.#", CultureInfo.InvariantCulture) + " h"
            : Math.Max(0, minutes).ToString("0", CultureInfo.InvariantCulture) + " min";

        private static string Time(DateTimeOffset? time) => time is DateTimeOffset t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "an unknown time";
    }
}

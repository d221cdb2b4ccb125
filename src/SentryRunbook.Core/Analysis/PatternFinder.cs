using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>What the pattern rules look at; anything may be missing.</summary>
    public class PatternEvidence
    {
        public PatternEvidence(SentryIssue issue, DateTimeOffset now)
        {
            Issue = issue;
            Now = now;
        }

        public SentryIssue Issue { get; }
        public DateTimeOffset Now { get; }
        public SentryEvent? LatestEvent { get; set; }
        public IReadOnlyList<SentryIssueTag> Tags { get; set; } = Array.Empty<SentryIssueTag>();
        public IReadOnlyList<SentryActivity> Activity { get; set; } = Array.Empty<SentryActivity>();
        public IReadOnlyList<SuspectCommit> SuspectCommits { get; set; } = Array.Empty<SuspectCommit>();
        /// <summary>The issue's first release, with its creation date.</summary>
        public SentryRelease? FirstRelease { get; set; }
        /// <summary>Deploys of the issue's first release.</summary>
        public IReadOnlyList<SentryDeploy> FirstReleaseDeploys { get; set; } = Array.Empty<SentryDeploy>();
        /// <summary>Hourly transaction counts of the issue's project over the same hours as the issue's stats.</summary>
        public IReadOnlyList<SentryTimePoint> Traffic { get; set; } = Array.Empty<SentryTimePoint>();
        public SentryRollbackTarget? RollbackTarget { get; set; }
        /// <summary>For a cron or uptime issue: its monitor's last check-ins; null otherwise or when it could not be read.</summary>
        public SentryMonitorHealth? Monitor { get; set; }
        /// <summary>The latest deploys of the issue's project (each of its recent releases' last deploy).</summary>
        public IReadOnlyList<SentryDeploy> ProjectDeploys { get; set; } = Array.Empty<SentryDeploy>();

        /// <summary>
        /// The issue's latest regression within the policy's <see cref="IncidentPolicy.RecentRegressionWindow"/>;
        /// an older one (after an auto-resolve by age, say) is history, not this incident. Triage and the patterns
        /// both ask this, so they never disagree on whether the issue regressed.
        /// </summary>
        public SentryActivity? RecentRegression(IncidentPolicy policy) =>
            Activity.Where(a => a.Type == "set_regression" && a.DateCreated is DateTimeOffset when && Now - when <= policy.RecentRegressionWindow)
                .OrderByDescending(a => a.DateCreated).FirstOrDefault();
    }

    /// <summary>
    /// The runbook's root-cause table as rules over Sentry data: each pattern gets a confidence and evidence
    /// that cites the data (a deploy time, a breadcrumb, a tag share, a missing field), and the immediate action.
    /// </summary>
    public static class PatternFinder
    {
        /// <summary>How much of an exception, breadcrumb or payload a pattern's evidence quotes.</summary>
        private const int EvidenceLength = 160;

        // Word boundaries matter: "room" is no OOM, and a ValueError is not necessarily bad input.
        private static readonly Regex ParseFailure = new Regex(
            @"\b(json ?(parse|decode|exception)|jsonexception|parse(error|exception)?|pars(ing|er)|(de)?serializ\w*|malformed|unexpected (token|character|end of)|invalid (input|format|data|payload|json|character)|validation(error|exception)?|schema|decode(error)?|corrupt\w*|formatexception|could not be parsed)\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static readonly Regex Exhaustion = new Regex(
            @"\b(out ?of ?memory|outofmemory\w*|oom|(pool|connections?) (is )?exhausted|exhausted|too many (connections|open files|clients)|emfile|enomem|resources? exhausted|deadline exceeded|connection limit|max(imum)? (pool|connections)|heap space|thread ?pool|starvation|timeoutexception|timed out|pool timeout)\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static readonly Regex Minified = new Regex(@"^[a-zA-Z_$]{1,2}(\.[a-zA-Z_$]{1,2})*$", RegexOptions.CultureInvariant);

        public static IReadOnlyList<IncidentPattern> Find(PatternEvidence evidence, IncidentPolicy? policy = null)
        {
            policy ??= IncidentPolicy.Default;
            // A cron or uptime issue has no stack trace or breadcrumbs to read: only its monitor's check-ins say anything.
            if (MonitorAnalyzer.KindOf(evidence.Issue) != null)
            {
                return evidence.Monitor is SentryMonitorHealth monitor
                    ? MonitorAnalyzer.Patterns(evidence.Issue, monitor, evidence.ProjectDeploys, policy)
                    : Array.Empty<IncidentPattern>();
            }

            var found = new List<IncidentPattern?>
            {
                DeploymentRegression(evidence, policy),
                ThirdPartyFailure(evidence, policy),
                DataCorruption(evidence),
                ResourceExhaustion(evidence, policy),
                SdkMisconfiguration(evidence),
            };

            return found
                .Where(p => p != null && p.Confidence >= policy.MinimumPatternConfidence)
                .Select(p => p!)
                .OrderByDescending(p => p.Confidence)
                .ToList();
        }

        private static IncidentPattern? DeploymentRegression(PatternEvidence e, IncidentPolicy policy)
        {
            var evidence = new List<string>();
            double confidence = 0;
            DateTimeOffset? firstSeen = e.Issue.FirstSeen;
            string? release = e.Issue.FirstRelease ?? e.LatestEvent?.Release;

            // Only a deploy to where the issue happens can explain it: a production deploy does not explain a staging-only error.
            IReadOnlyList<string> environments = e.Tags.FirstOrDefault(t => t.Key == "environment")?.TopValues.Select(v => v.Value).ToList() ?? new List<string>();
            SentryDeploy? deploy = e.FirstReleaseDeploys
                .Where(d => environments.Count == 0 || environments.Contains(d.Environment, StringComparer.OrdinalIgnoreCase))
                .Where(d => (d.DateFinished ?? d.DateStarted) is DateTimeOffset at && firstSeen is DateTimeOffset seen && at <= seen.AddMinutes(1))
                .OrderByDescending(d => d.DateFinished ?? d.DateStarted)
                .FirstOrDefault();
            if (deploy != null && firstSeen is DateTimeOffset first)
            {
                DateTimeOffset at = (deploy.DateFinished ?? deploy.DateStarted)!.Value;
                double minutes = Math.Max(0, (first - at).TotalMinutes);
                if (minutes <= policy.DeployWindowMinutes)
                {
                    confidence = minutes <= 15 ? 0.85 : 0.7;
                    evidence.Add($"First seen {Time(first)}, {minutes:0} min after {deploy.Release} was deployed to {deploy.Environment} at {Time(at)}");
                }
            }
            else if (e.FirstReleaseDeploys.Count == 0 && e.FirstRelease?.DateCreated is DateTimeOffset created && firstSeen is DateTimeOffset seen2)
            {
                double minutes = (seen2 - created).TotalMinutes;
                if (minutes >= -1 && minutes <= policy.DeployWindowMinutes)
                {
                    confidence = 0.6;
                    evidence.Add($"First seen {Time(seen2)}, {Math.Max(0, minutes):0} min after release {e.FirstRelease.Version} was created (no deploy recorded)");
                }
            }

            // Only a recent regression points at a release: an old one (after an auto-resolve by age) is routine.
            SentryActivity? regression = e.RecentRegression(policy);
            if (regression != null || (e.Issue.Substatus == "regressed" && !e.Activity.Any(a => a.Type == "set_regression")))
            {
                string version = regression != null && regression.Data.TryGetValue("version", out string? v) && !string.IsNullOrEmpty(v) ? v : e.Issue.LastRelease ?? "a new release";
                confidence = Math.Max(confidence, 0.7);
                evidence.Add($"Regressed after it was resolved, in {version}" + (regression?.DateCreated is DateTimeOffset when ? $" at {Time(when)}" : string.Empty));
            }

            if (confidence == 0) return null;

            SuspectCommit? commit = e.SuspectCommits.FirstOrDefault();
            if (commit != null)
            {
                confidence = Math.Min(0.95, confidence + 0.1);
                evidence.Add($"Suspect commit {commit} \"{FirstLine(commit.Message)}\" by {commit.Author ?? "unknown"}" + (commit.DateCreated is DateTimeOffset c ? $" ({Time(c)})" : string.Empty));
            }

            string environment = deploy?.Environment ?? e.RollbackTarget?.Environment ?? "production";
            string action = e.RollbackTarget != null
                ? $"Roll back {environment} from {e.RollbackTarget.CurrentRelease} to {e.RollbackTarget.Release} and record it (Get-SentryRollbackTarget -Environment {environment} -Project {e.Issue.Project} | New-SentryDeploy), then resolve the issue in the next release"
                : $"Roll back {environment} to the release before {release ?? "the bad one"} (sentry-cli releases deploys $PREV_VERSION new --env {environment}), then resolve the issue in the next release";
            return new IncidentPattern(PatternNames.DeploymentRegression, Math.Round(confidence, 2), evidence, action, e.Issue.Id);
        }

        private static IncidentPattern? ThirdPartyFailure(PatternEvidence e, IncidentPolicy policy)
        {
            SentryEvent? ev = e.LatestEvent;
            if (ev is null) return null;

            var external = new List<(string Host, string? Status, SentryBreadcrumb Crumb)>();
            int externalCalls = 0;
            foreach (SentryBreadcrumb crumb in ev.Breadcrumbs.Where(IsHttp))
            {
                string? host = UpstreamHosts.External(UpstreamHosts.HostOf(UpstreamHosts.Value(crumb, "url")), ev, policy);
                if (host is null) continue;
                externalCalls++;
                string? status = UpstreamHosts.Value(crumb, "status_code");
                bool failed = status is null
                    ? (crumb.Level == "error" || (crumb.Message ?? string.Empty).IndexOf("fail", StringComparison.OrdinalIgnoreCase) >= 0)
                    : UpstreamHosts.IsFailingStatus(status);
                if (failed) external.Add((host, status, crumb));
            }

            if (external.Count == 0) return null;

            var evidence = new List<string>();
            foreach (var group in external.GroupBy(x => x.Host))
            {
                string statuses = string.Join(", ", group.Select(x => x.Status ?? "no response").Distinct());
                evidence.Add($"{group.Count()} of {externalCalls} HTTP calls to external host {group.Key} failed ({statuses}), the last at {Time(group.Last().Crumb.Timestamp)}");
            }

            double share = (double)external.Count / Math.Max(1, externalCalls);
            double confidence = 0.55 + 0.3 * share;
            string raised = ev.Exceptions.LastOrDefault()?.ToString() ?? ev.Title ?? string.Empty;
            if (Regex.IsMatch(raised, @"\b(5\d\d|429|unavailable|bad gateway|gateway timeout|upstream|service)\b", RegexOptions.IgnoreCase))
            {
                confidence += 0.1;
                evidence.Add($"The exception names the upstream failure: {Clip(raised, EvidenceLength)}");
            }

            string hosts = string.Join(", ", external.Select(x => x.Host).Distinct());
            return new IncidentPattern(
                PatternNames.ThirdPartyFailure,
                Math.Round(Math.Min(0.95, confidence), 2),
                evidence,
                $"Enable the circuit breaker for {hosts} (fall back to cached or degraded results), add retries with backoff and jitter, and watch the provider's status page",
                e.Issue.Id);
        }

        private static IncidentPattern? DataCorruption(PatternEvidence e)
        {
            SentryEvent? ev = e.LatestEvent;
            var evidence = new List<string>();
            double confidence = 0;

            string raised = ev?.Exceptions.LastOrDefault()?.ToString() ?? e.Issue.Title;
            if (ParseFailure.IsMatch(raised))
            {
                confidence = 0.45;
                evidence.Add($"The exception is a parse or validation failure: {Clip(raised, EvidenceLength)}");
            }

            if (ev != null)
            {
                foreach (SentryBreadcrumb crumb in ev.Breadcrumbs.Where(b => ParseFailure.IsMatch((b.Message ?? string.Empty) + " " + (b.Category ?? string.Empty))).Take(2))
                {
                    confidence = Math.Max(confidence, 0.35) + 0.1;
                    evidence.Add($"Breadcrumb at {Time(crumb.Timestamp)}: [{crumb.Category ?? crumb.Type}] {Clip(crumb.Message ?? string.Empty, EvidenceLength)}");
                }

                foreach (KeyValuePair<string, string> extra in ev.Extra.Where(x => Regex.IsMatch(x.Key, "payload|input|body|sample|raw|data", RegexOptions.IgnoreCase)).Take(2))
                {
                    confidence += 0.1;
                    evidence.Add($"The event's context carries the input: {extra.Key} = {Clip(extra.Value, EvidenceLength)}");
                }

                if (ev.Request?.Data is string body && body.Length > 0 && confidence > 0)
                {
                    evidence.Add($"The request body Sentry kept: {Clip(body, EvidenceLength)}");
                }
            }

            if (confidence == 0) return null;
            return new IncidentPattern(
                PatternNames.DataCorruption,
                Math.Round(Math.Min(0.9, confidence), 2),
                evidence,
                "Add input validation at the boundary (reject and log the malformed input instead of failing), and fix the data upstream",
                e.Issue.Id);
        }

        private static IncidentPattern? ResourceExhaustion(PatternEvidence e, IncidentPolicy policy)
        {
            var evidence = new List<string>();
            double confidence = 0;
            string raised = e.LatestEvent?.Exceptions.LastOrDefault()?.ToString() ?? e.Issue.Title;
            if (Exhaustion.IsMatch(raised))
            {
                confidence = 0.5;
                evidence.Add($"The exception is an exhaustion or timeout: {Clip(raised, EvidenceLength)}");
            }

            // Errors that follow traffic only support an exhaustion: any bug that hits a fixed share of requests follows traffic too.
            if (confidence == 0) return null;
            double? r = Correlation(e.Issue.Stats, e.Traffic);
            if (r is double correlation && correlation >= policy.TrafficCorrelationAbove)
            {
                confidence += 0.35;
                evidence.Add($"Hourly errors follow traffic (r = {correlation.ToString("0.00", CultureInfo.InvariantCulture)} over {Math.Min(e.Issue.Stats.Count, e.Traffic.Count)} hours)");
            }
            return new IncidentPattern(
                PatternNames.ResourceExhaustion,
                Math.Round(Math.Min(0.95, confidence), 2),
                evidence,
                "Scale out horizontally, add or enlarge connection pooling, and rate-limit the heaviest callers",
                e.Issue.Id);
        }

        private static IncidentPattern? SdkMisconfiguration(PatternEvidence e)
        {
            SentryEvent? ev = e.LatestEvent;
            if (ev is null) return null;
            var evidence = new List<string>();
            if (string.IsNullOrEmpty(ev.Release)) evidence.Add("Events carry no release");
            if (string.IsNullOrEmpty(ev.Environment)) evidence.Add("Events carry no environment");
            if (ev.Breadcrumbs.Count == 0) evidence.Add("Events carry no breadcrumbs");

            var frames = ev.Exceptions.SelectMany(x => x.Frames).ToList();
            if (frames.Count > 0 && !frames.Any(f => f.InApp)) evidence.Add($"None of the {frames.Count} stack frames is marked in-app");
            int minified = frames.Count(f => (f.Function != null && Minified.IsMatch(f.Function)) || (f.FileName ?? f.AbsolutePath ?? string.Empty).EndsWith(".min.js", StringComparison.OrdinalIgnoreCase) || f.LineNo is null);
            if (frames.Count > 0 && minified * 2 >= frames.Count) evidence.Add($"{minified} of {frames.Count} frames look unsymbolicated (minified names or no line numbers)");
            if (ev.Sdk is null) evidence.Add("Events do not say which SDK sent them");

            if (evidence.Count < 2) return null;
            return new IncidentPattern(
                PatternNames.SdkMisconfiguration,
                Math.Round(Math.Min(0.9, 0.2 + 0.15 * evidence.Count), 2),
                evidence,
                "Review Sentry.init(): set release and environment, enable the breadcrumbs integrations, configure in-app frames, and upload source maps or debug symbols",
                e.Issue.Id);
        }

        /// <summary>Pearson correlation of hourly errors and hourly traffic, aligned by hour; null with fewer than 6 common hours or no variance.</summary>
        internal static double? Correlation(IReadOnlyList<IssueStatPoint> errors, IReadOnlyList<SentryTimePoint> traffic)
        {
            var byHour = traffic.Where(t => t.Value.HasValue).GroupBy(t => Hour(t.Time)).ToDictionary(g => g.Key, g => g.Sum(t => t.Value!.Value));
            var pairs = errors.Where(p => byHour.ContainsKey(Hour(p.Time))).Select(p => ((double)p.Count, byHour[Hour(p.Time)])).ToList();
            if (pairs.Count < 6) return null;
            double meanX = pairs.Average(p => p.Item1), meanY = pairs.Average(p => p.Item2);
            double sxy = pairs.Sum(p => (p.Item1 - meanX) * (p.Item2 - meanY));
            double sxx = pairs.Sum(p => Math.Pow(p.Item1 - meanX, 2)), syy = pairs.Sum(p => Math.Pow(p.Item2 - meanY, 2));
            if (sxx == 0 || syy == 0) return null;
            return sxy / Math.Sqrt(sxx * syy);
        }

        private static long Hour(DateTimeOffset time) => time.ToUnixTimeSeconds() / 3600;

        private static bool IsHttp(SentryBreadcrumb crumb) =>
            crumb.Type == "http" || crumb.Category == "http" || crumb.Category == "xhr" || crumb.Category == "fetch" || crumb.Data.ContainsKey("url") && crumb.Data.ContainsKey("method");

        private static string FirstLine(string? text) => Clip((text ?? string.Empty).Split('\n')[0], EvidenceLength);
    }
}

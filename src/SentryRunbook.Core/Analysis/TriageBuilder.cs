using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>Everything triage fetched for one issue (the pattern evidence plus impact); steps whose data is missing say so.</summary>
    public sealed class TriageData : PatternEvidence
    {
        public TriageData(SentryIssue issue, DateTimeOffset now) : base(issue, now)
        {
        }

        public IncidentImpact? Impact { get; set; }
        /// <summary>Seer's summary, when the organization has Seer; AI-generated.</summary>
        public SentryIssueSummary? SeerSummary { get; set; }
        /// <summary>Why a piece is missing, by step name (a Sentry refusal, no data).</summary>
        public IDictionary<string, string> Problems { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Turns fetched data into the runbook's triage: checklist findings, trend, severity, patterns and actions.</summary>
    public static class TriageBuilder
    {
        /// <summary>A tag whose top value covers at least this share of the events is a pattern worth naming.</summary>
        public const double ConcentratedTagPercent = 90;

        /// <summary>Tags that say nothing about where an error concentrates, or that other checklist steps already report.</summary>
        private static readonly HashSet<string> UninterestingTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "level", "handled", "mechanism", "event.type", "environment", "release", "transaction", "url", "user", "server_name", "runtime", "runtime.name",
        };

        /// <summary>The runbook's examples first (release, region, browser), then device and OS, then custom tags.</summary>
        private static readonly string[] PreferredTags = { "region", "geo.country_code", "browser", "browser.name", "device", "device.family", "os", "os.name" };

        public const int MaxTagPatterns = 4;

        /// <summary>The checklist step (and problem key) of Seer's summary.</summary>
        public const string SeerStep = "Seer summary (AI-generated)";

        /// <summary>The checklist step (and problem key) of a cron or uptime issue's monitor.</summary>
        public const string MonitorStep = "Monitor";

        public static TriageReport Build(TriageData data, IncidentPolicy? policy = null, bool workaroundExists = false, bool coreFlow = false)
        {
            policy ??= IncidentPolicy.Default;
            SentryIssue issue = data.Issue;
            SentryEvent? ev = data.LatestEvent;

            string histogramTrend = Trend(issue.Stats, data.Now);
            // Sentry's escalation compares the issue with its own forecast: the runbook counts it as a spike even when the last hour looks calm.
            string trend = issue.Substatus == "escalating" ? "Spiking" : histogramTrend;
            // A regression long ago (after an auto-resolve by age, say) is history, not this incident.
            bool isRegression = issue.Substatus == "regressed" || data.RecentRegression(policy) != null;
            bool isNew = !isRegression && (issue.Substatus == "new" || (issue.FirstSeen is DateTimeOffset first && data.Now - first < TimeSpan.FromDays(1)));
            IReadOnlyList<string> environments = data.Impact?.Environments.Count > 0 ? data.Impact.Environments : TagValues(data.Tags, "environment");
            string? release = issue.FirstRelease ?? ev?.Release;
            IReadOnlyDictionary<string, string> userContext = UserContext(ev);
            IReadOnlyList<string> tagPatterns = TagPatterns(data.Tags, issue.Count);

            IReadOnlyList<string> transactions = data.Impact?.Transactions.Count > 0 ? data.Impact.Transactions : TagValues(data.Tags, "transaction");
            bool? isCoreFlow = coreFlow ? true : policy.IsCoreFlow(transactions.Concat(new[] { issue.Culprit ?? string.Empty }), data.Tags.SelectMany(t => t.TopValues.Take(1).Select(v => new KeyValuePair<string, string>(t.Key, v.Value))));
            var inputs = new SeverityInputs(data.Impact?.CrashFreeSessionRate, data.Impact?.PeakEventsPerMinute, data.Impact?.PeakUsersPerHour, environments, workaroundExists, isCoreFlow, sentry: SentrySignals.From(issue));
            IncidentSeverity severity = SeverityClassifier.Classify(inputs, policy, issue.ShortId);
            var extraMissing = new List<string>();
            // One missing signal with the reason; Seer never decides the level, so nothing else changes.
            if (data.SeerSummary is null && data.Problems.TryGetValue(SeerStep, out string? seerProblem)) extraMissing.Add("SeerSummary: " + seerProblem);
            string? monitorKind = MonitorAnalyzer.KindOf(issue);
            // A cron or uptime issue without its monitor has lost the one source that explains it: say so, never fail.
            if (monitorKind != null && data.Monitor is null) extraMissing.Add("Monitor: " + Problem(data, MonitorStep, "the " + monitorKind + " monitor was not read"));
            if (extraMissing.Count > 0)
            {
                severity = new IncidentSeverity(severity.Severity, severity.Rule, severity.Reasons, severity.ResponseTime, severity.Escalation,
                    severity.MissingSignals.Concat(extraMissing).ToList(), severity.Inputs, severity.IssueId, severity.Response);
            }

            IReadOnlyList<IncidentPattern> patterns = PatternFinder.Find(data, policy);

            var checklist = new List<TriageStep>
            {
                Step(1, "Frequency trend", issue.Stats.Count > 0 || issue.Substatus == "escalating", (issue.Stats.Count > 0 ? $"{trend}: {issue.Stats.Sum(p => p.Count)} events in 24 h, {LastHour(issue.Stats)} in the last hour" : "no hourly stats") + (issue.Substatus == "escalating" ? $"; Sentry marks it escalating (far more events than it forecast; the hourly histogram alone reads {histogramTrend})" : string.Empty)),
                Step(2, "First and last seen", issue.FirstSeen.HasValue, $"first seen {Time(issue.FirstSeen, "unknown")}, last seen {Time(issue.LastSeen, "unknown")}"),
                Step(3, "New or regression", true, isRegression ? "regression: it came back after being resolved" : isNew ? "new: first seen within the last day" : "ongoing: seen before today"),
                Step(4, "Users affected", true, data.Impact?.UniqueUsers is long users ? $"{users} unique users in {Hours(data.Impact)}, peak {data.Impact.PeakUsersPerHour?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}/hour" : $"{issue.UserCount} users over the issue's life"),
                Step(5, "Environment", environments.Count > 0, environments.Count > 0 ? string.Join(", ", environments) + (environments.Any(policy.IsProduction) ? " (production)" : " (not production)") : Problem(data, "Environment", "no environment tag")),
                Step(6, "Release", release != null, release != null ? $"introduced in {release}" + (issue.LastRelease != null && issue.LastRelease != release ? $", still seen in {issue.LastRelease}" : string.Empty) : "events carry no release"),
                monitorKind != null
                    ? Step(7, "Suspect commits", false, "not asked: " + (monitorKind == "uptime" ? "an" : "a") + " " + monitorKind + " issue has no stack trace to blame")
                    : Step(7, "Suspect commits", !data.Problems.ContainsKey("Suspect commits"), data.SuspectCommits.Count > 0 ? string.Join("; ", data.SuspectCommits.Take(3).Select(c => $"{c} {FirstLine(c.Message)} ({c.Author})")) : Problem(data, "Suspect commits", "none: Sentry has no suspect commits (repository integration or release commits missing)")),
                monitorKind != null
                    ? Step(8, MonitorStep, data.Monitor != null, data.Monitor is SentryMonitorHealth m8 ? MonitorAnalyzer.Describe(m8) : Problem(data, MonitorStep, "not read"))
                    : Step(8, "Failing frame", ev?.FailingFrame != null, ev?.FailingFrame != null ? ev.FailingFrame.ToString() : ev is null ? Problem(data, "Latest event", "the latest event could not be read") : "no in-app frame in the stack trace"),
                monitorKind != null
                    ? Step(9, "Check-ins", data.Monitor != null, data.Monitor is SentryMonitorHealth m9 ? MonitorAnalyzer.Finding(m9) : Problem(data, MonitorStep, "not read"))
                    : Step(9, "Breadcrumbs", ev != null && ev.Breadcrumbs.Count > 0, ev is null ? Problem(data, "Latest event", "the latest event could not be read") : ev.Breadcrumbs.Count == 0 ? "the event has no breadcrumbs" : BreadcrumbSummary(ev.Breadcrumbs)),
                Step(10, "User context", userContext.Count > 0, userContext.Count > 0 ? string.Join(", ", userContext.Select(p => p.Key + " " + p.Value)) : "no user or device context"),
                Step(11, "Tag patterns", data.Tags.Count > 0, tagPatterns.Count > 0 ? string.Join("; ", tagPatterns) : data.Tags.Count > 0 ? "no tag is concentrated on one value" : Problem(data, "Tags", "no tags")),
                Step(12, "Sentry's own signals", issue.Priority != null || issue.Substatus != null, SentrySignalsFinding(issue)),
                Step(13, SeerStep, data.SeerSummary != null, data.SeerSummary is SentryIssueSummary seer ? SeerFinding(seer) : Problem(data, SeerStep, "not asked")),
            };

            var actions = new List<string>
            {
                $"{severity.Severity}: respond within {severity.Response.ToLowerInvariant()}; {severity.Escalation}",
            };
            actions.AddRange(patterns.Select(p => $"{p.Pattern}: {p.ImmediateAction}"));
            if (monitorKind != null && patterns.Count == 0 && data.Monitor is SentryMonitorHealth health && health.ConsecutiveFailures > 0)
            {
                actions.Add(monitorKind == "cron"
                    ? $"Find why {health.Slug} stopped checking in on time: the scheduler, the host it runs on, the job's own log for its last run; run it by hand if its output is needed now"
                    : $"Check {health.Url ?? health.Name} from outside Sentry (is it down, or only unreachable from Sentry's region?), then fail over or degrade what depends on it");
            }
            if (severity.Severity == "P0") actions.Add("Send the initial alert to stakeholders within 15 minutes, then an update every " + IncidentPolicy.Describe(policy.Level("P0").UpdateEvery));
            if (severity.MissingSignals.Count > 0) actions.Add("Check by hand what Sentry could not say: " + string.Join("; ", severity.MissingSignals.Select(m => m.Split(':')[0])));

            return new TriageReport(issue, data.Impact, severity, patterns, trend, isNew, isRegression, release, environments, data.SuspectCommits,
                ev?.FailingFrame, ev?.Breadcrumbs ?? (IReadOnlyList<SentryBreadcrumb>)Array.Empty<SentryBreadcrumb>(), userContext, tagPatterns, checklist, actions, ev, data.RollbackTarget)
            {
                SeerSummary = data.SeerSummary,
                Monitor = data.Monitor,
                MissingSignals = data.Problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ": " + p.Value)
                    .Concat(data.Impact?.MissingSignals ?? Array.Empty<string>()).Distinct().ToList(),
            };
        }

        /// <summary>
        /// From the hourly histogram: Quiet when the last two hours had nothing; Spiking when the last hour is more
        /// than twice the average of the hours before; Declining when it is under half of it; else Steady.
        /// The last bucket is the current, unfinished hour: with <paramref name="now"/> it is scaled up to a
        /// full hour, so that ten minutes past the hour a steady issue does not read as declining.
        /// </summary>
        public static string Trend(IReadOnlyList<IssueStatPoint> stats, DateTimeOffset? now = null)
        {
            if (stats.Count == 0) return "Quiet";
            double last = stats[stats.Count - 1].Count;
            if (now is DateTimeOffset at && at - stats[stats.Count - 1].Time is TimeSpan elapsed && elapsed > TimeSpan.Zero && elapsed < TimeSpan.FromHours(1))
            {
                last *= 60 / Math.Max(10, elapsed.TotalMinutes);
            }

            long previous = stats.Count > 1 ? stats[stats.Count - 2].Count : 0;
            if (last == 0 && previous == 0) return "Quiet";
            double before = stats.Count > 1 ? stats.Take(stats.Count - 1).Average(p => (double)p.Count) : 0;
            if (last > 2 * before && last >= 5) return "Spiking";
            if (last < 0.5 * before) return "Declining";
            return "Steady";
        }

        /// <summary>
        /// Tags whose top value covers most of the issue's events. The share is of all the issue's events, not
        /// only of those that carry the tag: "device: iPhone (100%)" of the 20% of events with a device is no pattern.
        /// </summary>
        private static IReadOnlyList<string> TagPatterns(IReadOnlyList<SentryIssueTag> tags, long issueEvents)
        {
            var keys = new HashSet<string>(tags.Select(t => t.Key), StringComparer.OrdinalIgnoreCase);
            return tags.Where(t => !UninterestingTags.Contains(t.Key) && t.TotalValues > 0)
                // "os.name" or "device.family" add nothing beside "os" and "device" (Sentry derives one from the other).
                .Where(t => t.Key.IndexOf('.') <= 0 || !keys.Contains(t.Key.Substring(0, t.Key.IndexOf('.'))))
                .Select(t => (Tag: t, Top: t.TopValues.OrderByDescending(v => v.Count).FirstOrDefault(), Base: Math.Max(t.TotalValues, issueEvents)))
                .Where(x => x.Top != null && x.Tag.TotalValues >= 5)
                .Select(x => (x.Tag, x.Top, Share: x.Top!.Count * 100.0 / x.Base))
                .Where(x => x.Share >= ConcentratedTagPercent)
                .OrderBy(x => Array.IndexOf(PreferredTags, x.Tag.Key) is int i && i >= 0 ? i : PreferredTags.Length)
                .Take(MaxTagPatterns)
                .Select(x => $"{x.Tag.Key}: {x.Top!.Value} ({x.Share.ToString("0.#", CultureInfo.InvariantCulture)}%)")
                .ToList();
        }

        private static IReadOnlyDictionary<string, string> UserContext(SentryEvent? ev)
        {
            var context = new Dictionary<string, string>(StringComparer.Ordinal);
            if (ev is null) return context;
            if (ev.User != null && ev.User.ToString().Length > 0) context["user"] = ev.User.ToString();
            foreach (string name in new[] { "browser", "os", "device", "runtime" })
            {
                if (ev.Contexts.TryGetValue(name, out IReadOnlyDictionary<string, string>? c))
                {
                    string text = string.Join(" ", new[] { Get(c, "name"), Get(c, "version"), Get(c, "model") }.Where(s => !string.IsNullOrEmpty(s)));
                    if (text.Length > 0) context[name] = text;
                }
            }

            return context;
        }

        private static string BreadcrumbSummary(IReadOnlyList<SentryBreadcrumb> crumbs)
        {
            var failing = crumbs.Where(c => c.Data.TryGetValue("status_code", out string? s) && int.TryParse(s, out int code) && code >= 400).ToList();
            string last = string.Join(" -> ", crumbs.Skip(Math.Max(0, crumbs.Count - 3)).Select(c => Clip($"[{c.Category ?? c.Type}] {c.Message ?? (c.Data.TryGetValue("url", out string? url) ? url : string.Empty)}", 80)));
            return $"{crumbs.Count} breadcrumbs" + (failing.Count > 0 ? $", {failing.Count} failing HTTP calls" : string.Empty) + $"; last: {last}";
        }

        /// <summary>Marked as AI-generated in the text itself, so the mark survives copying into a message or a postmortem.</summary>
        private static string SeerFinding(SentryIssueSummary seer)
        {
            string text = "AI-generated by Sentry's Seer, not verified: " + seer.Headline;
            if (!string.IsNullOrEmpty(seer.PossibleCause))
            {
                text += "; possible cause: " + seer.PossibleCause
                    + (seer.PossibleCauseConfidence is double c ? $" (Seer's confidence {c.ToString("0.00", CultureInfo.InvariantCulture)})" : string.Empty);
            }

            return text;
        }

        private static string SentrySignalsFinding(SentryIssue issue)
        {
            var parts = new List<string>
            {
                "priority " + (issue.Priority ?? "not sent"),
                "substatus " + (issue.Substatus ?? "not sent"),
                "category " + (issue.IssueCategory ?? "not sent"),
                issue.IsUnhandled ? "unhandled" : "handled",
            };
            if (issue.AssignedTo != null) parts.Add("assigned to " + issue.AssignedTo);
            if (issue.SeerFixabilityScore is double score) parts.Add("Seer fixability " + score.ToString("0.00", CultureInfo.InvariantCulture) + " (AI-generated estimate)");
            return string.Join(", ", parts);
        }

        private static TriageStep Step(int number, string step, bool done, string finding) => new TriageStep(number, step, done, finding);

        private static string Problem(TriageData data, string key, string fallback) => data.Problems.TryGetValue(key, out string? problem) ? problem : fallback;

        private static IReadOnlyList<string> TagValues(IReadOnlyList<SentryIssueTag> tags, string key) =>
            tags.FirstOrDefault(t => t.Key == key)?.TopValues.Select(v => v.Value).ToList() ?? new List<string>();

        private static long LastHour(IReadOnlyList<IssueStatPoint> stats) => stats.Count > 0 ? stats[stats.Count - 1].Count : 0;

        private static string Hours(IncidentImpact impact) => impact.WidenedFrom != null ? "7 days" : $"{Math.Round(impact.Duration.TotalHours):0} h";

        private static string? Get(IReadOnlyDictionary<string, string> map, string key) => map.TryGetValue(key, out string? v) ? v : null;

        private static string FirstLine(string? text) => Clip((text ?? string.Empty).Split('\n')[0], 80);
    }
}

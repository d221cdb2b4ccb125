using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Rendering
{
    /// <summary>Builds the runbook's stakeholder messages (initial alert, update, resolution notice) from a request or a triage report.</summary>
    public static class IncidentMessages
    {
        public static readonly string[] Kinds = { "Initial", "Update", "Resolution" };

        /// <summary>How long the runbook gives for the postmortem after resolution.</summary>
        public static readonly TimeSpan PostmortemWithin = TimeSpan.FromHours(48);

        /// <summary>
        /// Builds the message and all its renderings. The kind must be Initial, Update or Resolution and the
        /// severity (when given) one of the policy's levels. Without a severity the cadence is P1's, as PagerDuty
        /// treats it as an error.
        /// </summary>
        public static IncidentMessage Build(MessageRequest request)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            string kind = NormalizeKind(request.Kind);
            IncidentPolicy policy = request.Policy ?? IncidentPolicy.Default;
            DateTimeOffset now = request.Now == default ? DateTimeOffset.UtcNow : request.Now;

            string? severity = null;
            SeverityLevel? level = null;
            if (!string.IsNullOrWhiteSpace(request.Severity))
            {
                severity = request.Severity!.Trim().ToUpperInvariant();
                if (!policy.Levels.TryGetValue(severity, out level))
                {
                    throw new ArgumentException($"Severity must be one of {string.Join(", ", policy.Levels.Keys.OrderBy(k => k, StringComparer.Ordinal))}, not '{request.Severity}'.", nameof(request));
                }
            }

            if (request.PagerDutyAction != null && request.PagerDutyAction != "trigger" && request.PagerDutyAction != "acknowledge" && request.PagerDutyAction != "resolve")
            {
                throw new ArgumentException($"PagerDutyAction must be trigger, acknowledge or resolve, not '{request.PagerDutyAction}'.", nameof(request));
            }

            TimeSpan? updateEvery = null;
            DateTimeOffset? nextUpdate = null, resolvedAt = null, postmortemDue = null;
            TimeSpan? duration = null;
            string status;
            if (kind == "Resolution")
            {
                status = "Resolved";
                resolvedAt = request.ResolvedAt ?? now;
                postmortemDue = resolvedAt.Value + PostmortemWithin;
                if (request.Started is DateTimeOffset started)
                {
                    duration = resolvedAt.Value - started < TimeSpan.Zero ? TimeSpan.Zero : resolvedAt.Value - started;
                }
            }
            else
            {
                status = kind == "Initial" ? "Investigating" : (string.IsNullOrWhiteSpace(request.Status) ? "Identified" : request.Status!);
                SeverityLevel? cadence = level ?? (policy.Levels.TryGetValue("P1", out SeverityLevel? p1) ? p1 : null);
                updateEvery = request.UpdateEvery ?? cadence?.UpdateEvery ?? TimeSpan.FromMinutes(30);
                if (updateEvery.Value <= TimeSpan.Zero) throw new ArgumentException("UpdateEvery must be a positive time span.", nameof(request));
                nextUpdate = now + updateEvery.Value;
            }

            string service = string.IsNullOrWhiteSpace(request.Service) ? "Service" : request.Service!;
            return new IncidentMessage(
                kind,
                service,
                status,
                severity,
                request.IssueId,
                request.ShortId,
                request.Title,
                request.IssueUrl,
                request.Environment,
                request.Started,
                now,
                request.Impact,
                request.IncidentLead,
                updateEvery,
                nextUpdate,
                duration,
                resolvedAt,
                request.RootCause,
                request.FixApplied,
                request.Progress,
                request.PostmortemUrl,
                postmortemDue,
                level?.Response,
                string.IsNullOrWhiteSpace(request.DedupKey) ? DedupKey(request.Organization, request.IssueId ?? request.ShortId ?? service) : request.DedupKey!.Trim(),
                request.Members,
                request.PagerDutyAction);
        }

        /// <summary>
        /// A request for an incident of many issues: one message for all members (listed), the incident's severity,
        /// its impact counted across the members, its start, and one dedup key made from the incident's id, so every
        /// message about the same members shares it.
        /// </summary>
        public static MessageRequest FromIncident(SentryIncident incident, string kind, IncidentPolicy? policy, DateTimeOffset now)
        {
            if (incident is null) throw new ArgumentNullException(nameof(incident));
            string normalized = NormalizeKind(kind);
            policy ??= IncidentPolicy.Default;
            string? rootCause = null;
            if (normalized == "Resolution" && incident.Pattern != null)
            {
                rootCause = PatternInWords(incident.Pattern);
                string? evidence = incident.Reasons.SelectMany(r => r.Evidence).FirstOrDefault(e => !string.IsNullOrWhiteSpace(e));
                if (evidence != null) rootCause += ": " + evidence;
            }

            string? impact = incident.Impact is null ? null : DescribeImpact(incident.Impact);
            return new MessageRequest
            {
                Kind = normalized,
                Service = incident.Projects.Count == 0 ? null : string.Join(", ", incident.Projects),
                Severity = incident.Severity,
                IssueId = incident.Id,
                ShortId = incident.Id,
                Title = incident.Title,
                IssueUrl = incident.PrimaryIssue.Permalink,
                Started = incident.Start,
                Environment = incident.Environments.FirstOrDefault(policy.IsProduction) ?? incident.Environments.FirstOrDefault(),
                Impact = string.IsNullOrEmpty(impact) ? null : $"{impact} across {incident.Issues.Count} issue(s)",
                RootCause = rootCause,
                Members = incident.Issues.Select(i => $"{i}: {i.Title}").ToList(),
                Policy = policy,
                Now = now,
            };
        }

        /// <summary>
        /// A request filled from a triage report: service, severity, issue link, start (first seen), title,
        /// environment (the first production one), impact in words and, for a resolution, the strongest
        /// pattern as the root cause. Organization is not in the report: set it for the dedup key.
        /// </summary>
        public static MessageRequest FromTriage(TriageReport report, string kind, IncidentPolicy? policy, DateTimeOffset now)
        {
            if (report is null) throw new ArgumentNullException(nameof(report));
            string normalized = NormalizeKind(kind);
            policy ??= IncidentPolicy.Default;
            SentryIssue issue = report.Issue;

            string? environment = report.Environments.FirstOrDefault(policy.IsProduction) ?? report.Environments.FirstOrDefault();
            // A cron or uptime outage is measured by its monitor, not by error events and users.
            string? impact = report.Monitor is SentryMonitorHealth monitor ? DescribeMonitor(monitor) : report.Impact is null ? null : DescribeImpact(report.Impact);
            string? rootCause = null;
            if (normalized == "Resolution" && report.Patterns.Count > 0)
            {
                IncidentPattern strongest = report.Patterns[0];
                rootCause = PatternInWords(strongest.Pattern);
                string? evidence = strongest.Evidence.FirstOrDefault(e => !string.IsNullOrWhiteSpace(e));
                if (evidence != null) rootCause += ": " + evidence;
            }

            return new MessageRequest
            {
                Kind = normalized,
                Service = string.IsNullOrWhiteSpace(issue.Project) ? null : issue.Project,
                Severity = report.Severity?.Severity,
                IssueId = issue.Id,
                ShortId = string.IsNullOrEmpty(issue.ShortId) ? null : issue.ShortId,
                Title = string.IsNullOrEmpty(issue.Title) ? null : issue.Title,
                IssueUrl = issue.Permalink,
                Started = issue.FirstSeen,
                Environment = environment,
                Impact = string.IsNullOrEmpty(impact) ? null : impact,
                RootCause = rootCause,
                Policy = policy,
                Now = now,
            };
        }

        /// <summary>
        /// A monitor's outage in words: "cron job invoice-export (Nightly invoice export): 1 missed run in a row since
        /// 2026-12-03 12:29 UTC; last successful run 2026-12-02 12:29 UTC", or for uptime "https://… down: 61 failed checks
        /// in a row since …, HTTP 503".
        /// </summary>
        public static string DescribeMonitor(SentryMonitorHealth monitor)
        {
            if (monitor is null) throw new ArgumentNullException(nameof(monitor));
            string since = monitor.FailingSince is DateTimeOffset f ? " since " + f.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : string.Empty;
            string last = monitor.LastOk is DateTimeOffset ok ? ok.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "none among the last " + monitor.CheckInsRead;
            if (monitor.Kind == "uptime")
            {
                string codes = monitor.FailingHttpStatusCodes.Count > 0 ? ", HTTP " + string.Join(", ", monitor.FailingHttpStatusCodes) : string.Empty;
                return monitor.ConsecutiveFailures > 0
                    ? $"{monitor.Url ?? monitor.Name} down: {Count(monitor.ConsecutiveFailures, "failed check")} in a row{since}{codes}; last successful check {last}"
                    : $"{monitor.Url ?? monitor.Name} answering again; last successful check {last}";
            }

            string what = string.Join(", ", new[] { (monitor.Missed, "missed"), (monitor.Failed, "failed"), (monitor.TimedOut, "timed-out") }.Where(x => x.Item1 > 0).Select(x => $"{x.Item1} {x.Item2}"));
            return monitor.ConsecutiveFailures > 0
                ? $"cron job {monitor.Slug} ({monitor.Name}): {Count(monitor.ConsecutiveFailures, "bad run")} in a row{since} ({what} of the last {monitor.CheckInsRead}); last successful run {last}"
                : $"cron job {monitor.Slug} ({monitor.Name}) running again; last successful run {last}";
        }

        /// <summary>
        /// The measured impact in words, with only the known figures, e.g. "320 users hit errors (900 events in
        /// the last 24 h), peaking at 52 errors/min; crash-free sessions at 90.6%; p95 latency 8.2 s". Empty
        /// when nothing is known.
        /// </summary>
        public static string DescribeImpact(IncidentImpact impact)
        {
            if (impact is null) throw new ArgumentNullException(nameof(impact));
            CultureInfo inv = CultureInfo.InvariantCulture;
            var parts = new List<string>();

            string window = "in the last " + Window(impact.Duration);
            string? events = impact.Events is long e ? Count(e, "event") + " " + window : null;
            var first = new StringBuilder();
            if (impact.UniqueUsers is long users)
            {
                first.Append(Count(users, "user")).Append(" hit errors");
                if (events != null) first.Append(" (").Append(events).Append(')');
            }
            else if (events != null)
            {
                first.Append(events);
            }

            if (impact.PeakEventsPerMinute is double peak)
            {
                if (first.Length > 0) first.Append(", ");
                first.Append("peaking at ").Append(peak.ToString("#,0.#", inv)).Append(" errors/min");
            }

            if (first.Length > 0) parts.Add(first.ToString());
            if (impact.CrashFreeSessionRate is double sessions) parts.Add("crash-free sessions at " + SentryRunbook.Text.Formats.Percent(sessions));
            if (impact.P95DurationMs is double p95)
            {
                parts.Add("p95 latency " + (p95 >= 1000 ? (p95 / 1000).ToString("#,0.#", inv) + " s" : p95.ToString("0", inv) + " ms"));
            }

            return string.Join("; ", parts);
        }

        internal static string NormalizeKind(string? kind)
        {
            string? match = Kinds.FirstOrDefault(k => string.Equals(k, kind?.Trim(), StringComparison.OrdinalIgnoreCase));
            return match ?? throw new ArgumentException($"Kind must be Initial, Update or Resolution, not '{kind}'.", nameof(kind));
        }

        /// <summary>"sentryrunbook-{organization}-{issue}" in lower case, with anything but letters, digits, '.', '_' and '-' turned into '-'.</summary>
        internal static string DedupKey(string? organization, string issue)
        {
            var sb = new StringBuilder("sentryrunbook-");
            if (!string.IsNullOrWhiteSpace(organization)) sb.Append(Slug(organization!)).Append('-');
            sb.Append(Slug(issue));
            return sb.Length <= 255 ? sb.ToString() : sb.ToString(0, 255);
        }

        private static string Slug(string value)
        {
            var sb = new StringBuilder(value.Length);
            foreach (char c in value.Trim().ToLowerInvariant())
            {
                sb.Append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ? c : '-');
            }

            return sb.ToString();
        }

        /// <summary>"DeploymentRegression" → "Deployment regression", "SdkMisconfiguration" → "SDK misconfiguration".</summary>
        internal static string PatternInWords(string pattern)
        {
            switch (pattern)
            {
                case PatternNames.DeploymentRegression:
                    return "Deployment regression";
                case PatternNames.ThirdPartyFailure:
                    return "Third-party failure";
                case PatternNames.DataCorruption:
                    return "Data corruption";
                case PatternNames.ResourceExhaustion:
                    return "Resource exhaustion";
                case PatternNames.SdkMisconfiguration:
                    return "SDK misconfiguration";
            }

            var sb = new StringBuilder();
            foreach (char c in pattern)
            {
                if (char.IsUpper(c) && sb.Length > 0) sb.Append(' ').Append(char.ToLowerInvariant(c));
                else sb.Append(c);
            }

            return sb.ToString();
        }

        private static string Count(long n, string noun) =>
            n.ToString("#,0", CultureInfo.InvariantCulture) + " " + noun + (n == 1 ? string.Empty : "s");

        /// <summary>"24 h", "7 d", "45 min", "1.5 h".</summary>
        private static string Window(TimeSpan window)
        {
            CultureInfo inv = CultureInfo.InvariantCulture;
            if (window.TotalHours < 1) return Math.Round(window.TotalMinutes).ToString("0", inv) + " min";
            if (window.TotalHours <= 48 || window.TotalDays % 1 != 0) return window.TotalHours.ToString("0.#", inv) + " h";
            return window.TotalDays.ToString("0", inv) + " d";
        }
    }
}

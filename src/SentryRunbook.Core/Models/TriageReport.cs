using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>The runbook's triage of one issue: every checklist step with its finding, impact, severity, patterns and actions.</summary>
    public sealed class TriageReport
    {
        public TriageReport(
            SentryIssue issue,
            IncidentImpact? impact,
            IncidentSeverity severity,
            IReadOnlyList<IncidentPattern> patterns,
            string trend,
            bool isNew,
            bool isRegression,
            string? release,
            IReadOnlyList<string> environments,
            IReadOnlyList<SuspectCommit> suspectCommits,
            SentryFrame? failingFrame,
            IReadOnlyList<SentryBreadcrumb> breadcrumbs,
            IReadOnlyDictionary<string, string> userContext,
            IReadOnlyList<string> tagPatterns,
            IReadOnlyList<TriageStep> checklist,
            IReadOnlyList<string> recommendedActions,
            SentryEvent? latestEvent,
            SentryRollbackTarget? rollbackTarget)
        {
            Issue = issue;
            Impact = impact;
            Severity = severity;
            Patterns = patterns;
            Trend = trend;
            IsNew = isNew;
            IsRegression = isRegression;
            Release = release;
            Environments = environments;
            SuspectCommits = suspectCommits;
            FailingFrame = failingFrame;
            Breadcrumbs = breadcrumbs;
            UserContext = userContext;
            TagPatterns = tagPatterns;
            Checklist = checklist;
            RecommendedActions = recommendedActions;
            LatestEvent = latestEvent;
            RollbackTarget = rollbackTarget;
        }

        public SentryIssue Issue { get; }
        /// <summary>The issue's id, so a report binds by property name to -IssueId.</summary>
        public string IssueId => Issue.Id;
        public string ShortId => Issue.ShortId;
        public IncidentImpact? Impact { get; }
        /// <summary>Sentry's priority (<c>high</c>, <c>medium</c>, <c>low</c>); null when Sentry sent none.</summary>
        public string? Priority => Issue.Priority;
        /// <summary>Sentry's substatus (<c>new</c>, <c>ongoing</c>, <c>escalating</c>, <c>regressed</c>, ...); null when Sentry sent none.</summary>
        public string? Substatus => Issue.Substatus;
        /// <summary>Sentry's issue category (<c>error</c>, <c>performance</c>, <c>cron</c>, <c>uptime</c>, ...); null when Sentry sent none.</summary>
        public string? IssueCategory => Issue.IssueCategory;
        /// <summary>Sentry says the issue is escalating: far more events than it forecast.</summary>
        public bool IsEscalating => Issue.Substatus == "escalating";
        public IncidentSeverity Severity { get; }
        /// <summary>Strongest first.</summary>
        public IReadOnlyList<IncidentPattern> Patterns { get; }
        /// <summary><c>Spiking</c>, <c>Steady</c>, <c>Declining</c> or <c>Quiet</c>.</summary>
        public string Trend { get; }
        public bool IsNew { get; }
        public bool IsRegression { get; }
        /// <summary>The release that introduced the issue (its first release), else the latest event's.</summary>
        public string? Release { get; }
        public IReadOnlyList<string> Environments { get; }
        public IReadOnlyList<SuspectCommit> SuspectCommits { get; }
        public SentryFrame? FailingFrame { get; }
        public IReadOnlyList<SentryBreadcrumb> Breadcrumbs { get; }
        /// <summary>User, browser, OS, device and runtime of the latest event.</summary>
        public IReadOnlyDictionary<string, string> UserContext { get; }
        /// <summary>Tags concentrated on one value (a release, a browser, a region), as "key: value (share)".</summary>
        public IReadOnlyList<string> TagPatterns { get; }
        public IReadOnlyList<TriageStep> Checklist { get; }
        public IReadOnlyList<string> RecommendedActions { get; }
        public SentryEvent? LatestEvent { get; }
        /// <summary>Seer's summary (AI-generated, never one of the runbook's patterns); null when Seer is not available.</summary>
        public SentryIssueSummary? SeerSummary { get; internal set; }
        /// <summary>
        /// For a cron or uptime issue: its monitor and what its last check-ins say (missed, failed, last success),
        /// read instead of stack traces and breadcrumbs; null for other issues or when the monitor could not be read.
        /// </summary>
        public SentryMonitorHealth? Monitor { get; internal set; }
        /// <summary>For a deployment regression: the release to roll back to, when one could be found.</summary>
        public SentryRollbackTarget? RollbackTarget { get; }
        /// <summary>
        /// What triage asked Sentry for and did not get, one line each: <c>Activity: Sentry answered 500 (detail) [SentryServerError]</c>.
        /// A step that reads "none" with no line here really found nothing; with a line, nothing could be read.
        /// </summary>
        public IReadOnlyList<string> MissingSignals { get; internal set; } = System.Array.Empty<string>();

        public override string ToString() => $"{Issue} {Severity.Severity}";
    }

    /// <summary>One step of the runbook's triage checklist and what it found.</summary>
    public sealed class TriageStep
    {
        public TriageStep(int number, string step, bool done, string finding)
        {
            Number = number;
            Step = step;
            Done = done;
            Finding = finding;
        }

        public int Number { get; }
        public string Step { get; }
        /// <summary>False when the data for the step could not be had; the finding says why.</summary>
        public bool Done { get; }
        public string Finding { get; }

        public override string ToString() => $"{(Done ? "[x]" : "[ ]")} {Step}: {Finding}";
    }

    /// <summary>The release to roll back to in an environment: the last one deployed there before the current one that was healthy.</summary>
    public sealed class SentryRollbackTarget
    {
        public SentryRollbackTarget(string release, string environment, string? project, string currentRelease, System.DateTimeOffset? deployedAt, double? crashFreeSessionRate, IReadOnlyList<string> reasons)
        {
            Release = release;
            Environment = environment;
            Project = project;
            CurrentRelease = currentRelease;
            DeployedAt = deployedAt;
            CrashFreeSessionRate = crashFreeSessionRate;
            Reasons = reasons;
        }

        /// <summary>The version to roll back to.</summary>
        public string Release { get; }
        public string Environment { get; }
        public string? Project { get; }
        public string CurrentRelease { get; }
        /// <summary>When the target was last deployed to the environment.</summary>
        public System.DateTimeOffset? DeployedAt { get; }
        /// <summary>Percent; null when the project sends no sessions.</summary>
        public double? CrashFreeSessionRate { get; }
        public IReadOnlyList<string> Reasons { get; }

        public override string ToString() => $"{CurrentRelease} -> {Release} ({Environment})";
    }
}

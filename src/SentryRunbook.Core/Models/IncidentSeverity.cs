using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>A severity level with the rule that decided it, in words, and what it means for the response.</summary>
    public sealed class IncidentSeverity
    {
        public IncidentSeverity(
            string severity,
            string rule,
            IReadOnlyList<string> reasons,
            TimeSpan responseTime,
            string escalation,
            IReadOnlyList<string> missingSignals,
            SeverityInputs inputs,
            string? issueId = null,
            string? response = null)
        {
            Severity = severity;
            Rule = rule;
            Reasons = reasons;
            ResponseTime = responseTime;
            Escalation = escalation;
            MissingSignals = missingSignals;
            Inputs = inputs;
            IssueId = issueId;
            Response = response ?? responseTime.ToString();
        }

        /// <summary><c>P0</c> (critical) to <c>P3</c> (low).</summary>
        public string Severity { get; }
        /// <summary>The rule that fired, e.g. <c>CrashFreeRate</c>, <c>EventSpike</c>, <c>UserImpact</c>.</summary>
        public string Rule { get; }
        public IReadOnlyList<string> Reasons { get; }
        public TimeSpan ResponseTime { get; }
        /// <summary>The response time in the policy's words: <c>15 minutes</c>, <c>Same business day</c>.</summary>
        public string Response { get; }
        public string Escalation { get; }
        /// <summary>Signals that were not available; the level may be higher once they are.</summary>
        public IReadOnlyList<string> MissingSignals { get; }
        public SeverityInputs Inputs { get; }
        public string? IssueId { get; }

        public override string ToString() => $"{Severity} ({Rule})";
    }

    /// <summary>What the classification looked at; null means unknown.</summary>
    public sealed class SeverityInputs
    {
        public SeverityInputs(
            double? crashFreeSessionRate,
            double? peakEventsPerMinute,
            long? peakUsersPerHour,
            IReadOnlyList<string>? environments,
            bool workaroundExists,
            bool? coreFlow,
            bool edgeCase = false,
            SentrySignals? sentry = null)
        {
            CrashFreeSessionRate = crashFreeSessionRate;
            PeakEventsPerMinute = peakEventsPerMinute;
            PeakUsersPerHour = peakUsersPerHour;
            Environments = environments ?? Array.Empty<string>();
            WorkaroundExists = workaroundExists;
            CoreFlow = coreFlow;
            EdgeCase = edgeCase;
            Sentry = sentry;
        }

        /// <summary>Percent 0–100.</summary>
        public double? CrashFreeSessionRate { get; }
        public double? PeakEventsPerMinute { get; }
        public long? PeakUsersPerHour { get; }
        /// <summary>Environments the issue occurs in; empty when unknown.</summary>
        public IReadOnlyList<string> Environments { get; }
        public bool WorkaroundExists { get; }
        /// <summary>Whether a core flow (checkout, login, ...) is affected; null when nothing says.</summary>
        public bool? CoreFlow { get; }
        /// <summary>Declared an edge case or cosmetic by the responder.</summary>
        public bool EdgeCase { get; }
        /// <summary>What Sentry itself says about the issue; null when the figures did not come from a Sentry issue.</summary>
        public SentrySignals? Sentry { get; }
    }

    /// <summary>Sentry's own judgement of an issue, as it sends it: null fields were not sent.</summary>
    public sealed class SentrySignals
    {
        public SentrySignals(string? priority, string? substatus, string? issueCategory, bool? isUnhandled, double? seerFixabilityScore = null)
        {
            Priority = priority;
            Substatus = substatus;
            IssueCategory = issueCategory;
            IsUnhandled = isUnhandled;
            SeerFixabilityScore = seerFixabilityScore;
        }

        /// <summary><c>high</c>, <c>medium</c>, <c>low</c>.</summary>
        public string? Priority { get; }
        /// <summary><c>new</c>, <c>ongoing</c>, <c>escalating</c>, <c>regressed</c>, <c>archived_*</c>.</summary>
        public string? Substatus { get; }
        public string? IssueCategory { get; }
        public bool? IsUnhandled { get; }
        public double? SeerFixabilityScore { get; }
        /// <summary>Sentry saw far more events than it forecast for the issue: the runbook counts that as a spike.</summary>
        public bool IsEscalating => Substatus == "escalating";

        public static SentrySignals From(SentryIssue issue) =>
            new SentrySignals(issue.Priority, issue.Substatus, issue.IssueCategory, issue.IsUnhandled, issue.SeerFixabilityScore);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// The runbook's decision tree: production only → crash-free rate → event spike → users per hour
    /// on a core flow or without a workaround → the rest. Every result names the rule that fired, the
    /// checks that did not, and the signals that were missing.
    /// </summary>
    public static class SeverityClassifier
    {
        public static IncidentSeverity Classify(SeverityInputs inputs, IncidentPolicy? policy = null, string? issueId = null)
        {
            policy ??= IncidentPolicy.Default;
            var missing = new List<string>();
            var checks = new List<string>();

            if (inputs.CrashFreeSessionRate is null)
            {
                missing.Add($"CrashFreeSessionRate: no session data (release health is not sent), so a crash-free rate below {Percent(policy.CrashFreeRateBelow)} cannot be ruled out");
            }

            if (inputs.PeakEventsPerMinute is null)
            {
                missing.Add($"PeakEventsPerMinute: unknown, so a spike above {Number(policy.EventsPerMinuteAbove)} events/min cannot be ruled out");
            }

            if (inputs.PeakUsersPerHour is null)
            {
                missing.Add($"PeakUsersPerHour: unknown, so more than {policy.UsersPerHourAbove} users/hour cannot be ruled out");
            }

            if (inputs.Environments.Count == 0)
            {
                missing.Add("Environment: unknown, treated as production");
            }

            if (inputs.Sentry is SentrySignals sentry)
            {
                if (sentry.Priority is null) missing.Add("SentryPriority: Sentry sent no priority (a self-hosted Sentry older than issue priority), so its own high/medium/low rating is not used");
                else checks.Add($"Sentry rates the issue {sentry.Priority} priority");
                if (sentry.Substatus is null) missing.Add("Substatus: Sentry sent no substatus, so whether it is escalating is unknown");
                else if (sentry.IsEscalating) checks.Add("Sentry marks it escalating (far more events than it forecast): counted as a spiking trend");
                else checks.Add($"Sentry substatus: {sentry.Substatus}");
                if (sentry.IsUnhandled == true) checks.Add("Unhandled: the application did not catch the error");
                if (sentry.IssueCategory is null) missing.Add("IssueCategory: Sentry sent no issue category (older Sentry), treated as an error");
                else if (sentry.IssueCategory != "error") checks.Add($"Sentry issue category: {sentry.IssueCategory}");
            }

            if (inputs.Environments.Count > 0 && inputs.Environments.All(policy.IsNonProduction))
            {
                return Result("P3", "NonProduction", $"Seen only in {string.Join(", ", inputs.Environments)}, which the policy names as not production");
            }

            var unknown = inputs.Environments.Where(e => !policy.IsProduction(e) && !policy.IsNonProduction(e)).ToList();
            if (unknown.Count > 0)
            {
                checks.Add($"Environment {string.Join(", ", unknown)} is on neither the production nor the non-production list: treated as production");
            }

            if (inputs.CrashFreeSessionRate is double crashFree)
            {
                if (crashFree < policy.CrashFreeRateBelow)
                {
                    return Result("P0", "CrashFreeRate", $"Crash-free session rate {Percent(crashFree)} is below {Percent(policy.CrashFreeRateBelow)}");
                }

                checks.Add($"Crash-free session rate {Percent(crashFree)} is not below {Percent(policy.CrashFreeRateBelow)}");
            }

            if (inputs.PeakEventsPerMinute is double perMinute)
            {
                if (perMinute > policy.EventsPerMinuteAbove)
                {
                    return Result("P0", "EventSpike", $"Peak of {Number(perMinute)} events/min is above {Number(policy.EventsPerMinuteAbove)}");
                }

                checks.Add($"Peak of {Number(perMinute)} events/min is not above {Number(policy.EventsPerMinuteAbove)}");
            }

            if (inputs.PeakUsersPerHour is long users)
            {
                if (users > policy.UsersPerHourAbove)
                {
                    if (inputs.CoreFlow == true)
                    {
                        return Result("P1", "UserImpact", $"{users} unique users/hour is above {policy.UsersPerHourAbove}, on a core flow");
                    }

                    if (!inputs.WorkaroundExists)
                    {
                        return Result("P1", "UserImpact", $"{users} unique users/hour is above {policy.UsersPerHourAbove}, with no workaround");
                    }

                    checks.Add($"{users} unique users/hour is above {policy.UsersPerHourAbove}, but a workaround exists and no core flow is affected");
                }
                else
                {
                    checks.Add($"{users} unique users/hour is not above {policy.UsersPerHourAbove}");
                }
            }

            if (inputs.EdgeCase)
            {
                return Result("P3", "EdgeCase", "Declared an edge case or cosmetic error, and no P0 or P1 threshold is crossed");
            }

            string known = missing.Count > 0 ? " by the signals at hand; " + string.Join(", ", missing.Select(m => m.Split(':')[0])) + " unknown" : string.Empty;
            return Result("P2", "Minor", (inputs.WorkaroundExists ? "A workaround exists and no P0 or P1 threshold is crossed" : "No P0 or P1 threshold is crossed") + known);

            IncidentSeverity Result(string level, string rule, string reason)
            {
                // Sentry's own rating is a floor, not a ceiling; an issue seen only outside production stays P3 (Sentry's priority ignores environments).
                if (inputs.Sentry?.Priority == "high" && policy!.SentryPriorityHighMinimum is string floor && rule != "NonProduction"
                    && Array.IndexOf(IncidentPolicy.LevelNames, level) > Array.IndexOf(IncidentPolicy.LevelNames, floor))
                {
                    reason = $"Sentry rates the issue high priority, which the policy puts at {floor} or above (SentryPriorityHighMinimum); without it: {level}, {reason}";
                    level = floor;
                    rule = "SentryPriority";
                }

                SeverityLevel meaning = policy!.Level(level);
                var reasons = new List<string> { reason };
                reasons.AddRange(checks);
                return new IncidentSeverity(level, rule, reasons, meaning.ResponseTime, meaning.Escalation, missing, inputs, issueId, meaning.Response);
            }
        }

        private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
    }
}

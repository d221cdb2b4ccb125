using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Rendering
{
    /// <summary>
    /// When a watched incident's next update is due, and what it says. Updates follow the severity's cadence from the
    /// policy (the runbook: every 30 minutes for P0); news that cannot wait — recovery, a regression — goes out at once
    /// and starts the cadence again. A resolved incident gets no reminders: there is nothing left to report until it regresses.
    /// </summary>
    public static class WatchMessages
    {
        /// <summary>The cadence: -UpdateEvery when given, else the severity's in the policy, else P1's (as messages without a severity).</summary>
        public static TimeSpan Cadence(string? severity, IncidentPolicy? policy, TimeSpan? updateEvery)
        {
            if (updateEvery is TimeSpan given) return given;
            policy ??= IncidentPolicy.Default;
            if (severity != null && policy.Levels.TryGetValue(severity, out SeverityLevel? level)) return level.UpdateEvery;
            return policy.Levels.TryGetValue("P1", out SeverityLevel? p1) ? p1.UpdateEvery : TimeSpan.FromMinutes(30);
        }

        /// <summary>Whether an update is due this round, and why (for the verbose stream and the record); null when none is.</summary>
        public static string? UpdateDue(WatchRound round, DateTimeOffset now, DateTimeOffset nextDue)
        {
            if (round.State == WatchStates.Resolved) return null;
            if (round.Changed && round.PreviousState != null && (round.State == WatchStates.Recovered || round.State == WatchStates.Regressed))
            {
                return $"the incident is {round.State.ToLowerInvariant()}";
            }

            if (round.PreviousState is null && round.State == WatchStates.Regressed) return "the issue regressed after its resolution";
            return now >= nextDue ? "the update is due (cadence)" : null;
        }

        /// <summary>
        /// The update for this round from the incident's message request (made as for New-IncidentMessage, so the dedup
        /// key is the same): its status is the watch's state, its progress the figures and, once recovered, the next
        /// steps. Its PagerDuty event triggers again with the dedup key, which updates the alert in place; a watch never
        /// acknowledges, since acknowledging stops the escalation and only a person may do that.
        /// </summary>
        public static MessageRequest Update(MessageRequest incident, WatchRound round, IncidentImpact? impact, TimeSpan cadence, DateTimeOffset now)
        {
            if (incident is null) throw new ArgumentNullException(nameof(incident));
            if (round is null) throw new ArgumentNullException(nameof(round));
            MessageRequest request = Copy(incident, "Update", now);
            request.Status = round.State;
            request.UpdateEvery = cadence;
            request.PagerDutyAction = "trigger";
            string? measured = impact is null ? null : IncidentMessages.DescribeImpact(impact);
            if (!string.IsNullOrEmpty(measured)) request.Impact = measured;
            request.Progress = Progress(round, now);
            return request;
        }

        /// <summary>The resolution notice after the watch resolved the issue on its recovery.</summary>
        public static MessageRequest Resolution(MessageRequest incident, WatchRound recovered, IncidentImpact? impact, DateTimeOffset now)
        {
            MessageRequest request = Copy(incident, "Resolution", now);
            request.ResolvedAt = now;
            string? measured = impact is null ? null : IncidentMessages.DescribeImpact(impact);
            if (!string.IsNullOrEmpty(measured)) request.Impact = measured;
            request.FixApplied ??= "Error rate returned to baseline (" + Rate(recovered.BaselineEventsPerMinute) + " events/min) for " + recovered.MinutesAtBaseline.ToString(CultureInfo.InvariantCulture) + " minutes; issue resolved in Sentry";
            return request;
        }

        /// <summary>What the figures say, in one line; once recovered, the runbook's next steps.</summary>
        public static string Progress(WatchRound round, DateTimeOffset now)
        {
            CultureInfo inv = CultureInfo.InvariantCulture;
            var parts = new List<string>
            {
                round.EventsPerMinute is null ? round.Reason + $" (pre-incident baseline {Rate(round.BaselineEventsPerMinute)}/min)" : $"{Rate(round.EventsPerMinute)} errors/min in the last minute, {Rate(round.LastFiveMinutes)}/min over 5 min, {Rate(round.LastFifteenMinutes)}/min over 15 min; peak {Rate(round.PeakEventsPerMinute)}/min; pre-incident baseline {Rate(round.BaselineEventsPerMinute)}/min{(round.BaselineKnown ? string.Empty : " (assumed: the hour before could not be read)")}",
            };
            switch (round.State)
            {
                case WatchStates.Recovered:
                    DateTimeOffset due = now + IncidentMessages.PostmortemWithin;
                    parts.Add($"Back to the baseline for {round.MinutesAtBaseline.ToString(inv)} minutes. Next steps: resolve the issue in Sentry in the next release, send the resolution notice, postmortem due by {due.UtcDateTime.ToString("yyyy-MM-dd HH:mm", inv)} UTC (48 hours after resolution)");
                    break;
                case WatchStates.Mitigating:
                    parts.Add($"Falling: {round.MinutesAtBaseline.ToString(inv)} minute(s) at the baseline so far");
                    break;
                case WatchStates.Regressed:
                    parts.Add("The errors came back after the resolution: the issue regressed");
                    break;
            }

            return string.Join(". ", parts);
        }

        private static MessageRequest Copy(MessageRequest r, string kind, DateTimeOffset now) => new MessageRequest
        {
            Kind = kind,
            Service = r.Service,
            Severity = r.Severity,
            IssueId = r.IssueId,
            ShortId = r.ShortId,
            Title = r.Title,
            IssueUrl = r.IssueUrl,
            Impact = r.Impact,
            IncidentLead = r.IncidentLead,
            RootCause = r.RootCause,
            FixApplied = r.FixApplied,
            PostmortemUrl = r.PostmortemUrl,
            Organization = r.Organization,
            DedupKey = r.DedupKey,
            Environment = r.Environment,
            Started = r.Started,
            Policy = r.Policy,
            Members = r.Members,
            Now = now,
        };

        private static string Rate(double? value) => value is double v ? v.ToString("#,0.##", CultureInfo.InvariantCulture) : "unknown";
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SentryRunbook.Models;

namespace SentryRunbook.Rendering
{
    /// <summary>Merges what Sentry knows about an incident (first seen, deploys, activity, last seen) into one timeline.</summary>
    public static class Timelines
    {
        /// <summary>
        /// Merges, in this order before sorting by time (so ties keep it): first seen, the deploys (of the issue's
        /// releases at any time, of any release from first seen on, such as a rollback), the activity (oldest first),
        /// and last seen. Activity without a date is skipped; Sentry's own <c>first_seen</c> activity is folded into
        /// the issue's first seen.
        /// </summary>
        public static IncidentTimeline Build(SentryIssue issue, IReadOnlyList<SentryActivity> activity, IReadOnlyList<SentryDeploy> deploys)
        {
            if (issue is null) throw new ArgumentNullException(nameof(issue));
            activity ??= Array.Empty<SentryActivity>();
            deploys ??= Array.Empty<SentryDeploy>();

            DateTimeOffset? firstSeen = issue.FirstSeen
                ?? activity.Where(a => a.Type == "first_seen" && a.DateCreated.HasValue).Select(a => a.DateCreated).Min();

            var entries = new List<TimelineEntry>();
            if (firstSeen is DateTimeOffset first)
            {
                entries.Add(new TimelineEntry(first, "Sentry", "first_seen", "First event seen" + (issue.FirstRelease is null ? string.Empty : $" in {issue.FirstRelease}")));
            }

            var releases = new HashSet<string>(new[] { issue.FirstRelease, issue.LastRelease }.Where(r => r != null).Select(r => r!), StringComparer.Ordinal);
            foreach (SentryDeploy deploy in deploys)
            {
                if (!((deploy.DateFinished ?? deploy.DateStarted) is DateTimeOffset at)) continue;
                if (!releases.Contains(deploy.Release) && !(firstSeen is DateTimeOffset f && at >= f)) continue;
                entries.Add(DeployEntry(deploy, at));
            }

            IEnumerable<SentryActivity> dated = activity.Where(a => a.DateCreated.HasValue).OrderBy(a => a.DateCreated!.Value);
            foreach (SentryActivity item in dated)
            {
                TimelineEntry? entry = FromActivity(item, item.DateCreated!.Value);
                if (entry != null) entries.Add(entry);
            }

            if (issue.LastSeen is DateTimeOffset last)
            {
                entries.Add(new TimelineEntry(last, "Sentry", "last_seen", "Last event seen"));
            }

            List<TimelineEntry> ordered = entries.OrderBy(e => e.Time.UtcTicks).ToList();

            // A note is not a detection: the note written with a resolution would otherwise make the time to acknowledge 0.
            DateTimeOffset? detected = Detected(ordered, firstSeen);
            return new IncidentTimeline(issue.Id, string.IsNullOrEmpty(issue.ShortId) ? null : issue.ShortId, ordered, firstSeen, detected, Acknowledged(ordered, detected), LastResolution(ordered));
        }

        /// <summary>
        /// One timeline across an incident's members: each member's entries marked with its short id, a deploy that
        /// several members list once, one last seen (the latest of any member). Detected is the first alert on any
        /// member, else the incident's start; acknowledged the first action of a person on any member; resolved the
        /// time the last member was resolved, null while any member is not.
        /// </summary>
        public static IncidentTimeline ForIncident(SentryIncident incident, IReadOnlyList<IncidentTimeline> members, IReadOnlyList<SentryDeploy>? releaseDeploys = null)
        {
            if (incident is null) throw new ArgumentNullException(nameof(incident));
            members ??= Array.Empty<IncidentTimeline>();
            var shortIds = incident.Issues.ToDictionary(i => i.Id, i => string.IsNullOrEmpty(i.ShortId) ? i.Id : i.ShortId, StringComparer.Ordinal);
            var entries = new List<TimelineEntry>();
            var deploys = new HashSet<(long, string)>();
            // The deploys of the incident's releases (a list row knows no release of its own, so a member's timeline may lack them).
            foreach (SentryDeploy deploy in releaseDeploys ?? Array.Empty<SentryDeploy>())
            {
                if (!((deploy.DateFinished ?? deploy.DateStarted) is DateTimeOffset at)) continue;
                TimelineEntry entry = DeployEntry(deploy, at);
                if (deploys.Add((at.UtcTicks, entry.Text))) entries.Add(entry);
            }

            DateTimeOffset? lastSeen = null;
            foreach (IncidentTimeline member in members)
            {
                string name = shortIds.TryGetValue(member.IssueId, out string? s) ? s : member.ShortId ?? member.IssueId;
                foreach (TimelineEntry e in member.Entries)
                {
                    if (e.Kind == "last_seen")
                    {
                        if (lastSeen is null || e.Time > lastSeen) lastSeen = e.Time;
                    }
                    else if (e.Kind == "deploy")
                    {
                        if (deploys.Add((e.Time.UtcTicks, e.Text))) entries.Add(e);
                    }
                    else
                    {
                        entries.Add(e.ForIssue(name));
                    }
                }
            }

            if (lastSeen is DateTimeOffset last) entries.Add(new TimelineEntry(last, "Sentry", "last_seen", "Last event seen of any member"));
            List<TimelineEntry> ordered = entries.OrderBy(e => e.Time.UtcTicks).ToList();
            DateTimeOffset? firstSeen = members.Select(m => m.FirstSeen).Where(t => t.HasValue).Min() ?? (incident.Start == DateTimeOffset.MinValue ? (DateTimeOffset?)null : incident.Start);
            DateTimeOffset? detected = Detected(ordered, firstSeen);
            var resolvedAt = incident.Issues.ToDictionary(i => i.Id, i => members.FirstOrDefault(m => m.IssueId == i.Id)?.ResolvedAt, StringComparer.Ordinal);
            SentryIssue primary = incident.PrimaryIssue;
            return new IncidentTimeline(primary.Id, string.IsNullOrEmpty(primary.ShortId) ? null : primary.ShortId, ordered, firstSeen, detected, Acknowledged(ordered, detected), AllResolved(resolvedAt),
                incident.Id, incident.IssueIds, resolvedAt);
        }

        private static DateTimeOffset? AllResolved(IReadOnlyDictionary<string, DateTimeOffset?> resolvedAt) =>
            resolvedAt.Count > 0 && resolvedAt.Values.All(t => t.HasValue) ? resolvedAt.Values.Max() : null;

        private static TimelineEntry DeployEntry(SentryDeploy deploy, DateTimeOffset at) =>
            new TimelineEntry(at, "Deploy", "deploy", $"{deploy.Release} deployed to {deploy.Environment}", environment: deploy.Environment);

        private static DateTimeOffset? Detected(IReadOnlyList<TimelineEntry> ordered, DateTimeOffset? firstSeen) =>
            ordered.FirstOrDefault(e => e.Kind == "alert")?.Time ?? firstSeen;

        private static DateTimeOffset? Acknowledged(IReadOnlyList<TimelineEntry> ordered, DateTimeOffset? detected) =>
            ordered.FirstOrDefault(e => e.IsHumanAction && (detected is null || e.Time >= detected.Value))?.Time;

        private static DateTimeOffset? LastResolution(IEnumerable<TimelineEntry> ordered)
        {
            DateTimeOffset? resolved = null;
            foreach (TimelineEntry e in ordered)
            {
                if (IsResolution(e.Kind)) resolved = e.Time;
                else if (e.Kind == "set_unresolved" || e.Kind == "set_regression") resolved = null;
            }

            return resolved;
        }

        /// <summary>
        /// The timeline with the runbook's own actions from the incident journal: messages sent ("initial message
        /// sent"), deploys recorded (a rollback), notes, status changes and undos of the issue (or of any member of an
        /// incident). Acknowledged becomes the first action of a person after detection, Sentry's or the runbook's, and
        /// resolved follows the journal's resolutions (on an incident: once every member is resolved), so the times
        /// come from what was done, not from guesses over notes. A message that was not delivered is shown, never
        /// counted as an acknowledgement.
        /// </summary>
        public static IncidentTimeline WithJournal(IncidentTimeline timeline, IReadOnlyList<JournalEntry> journal)
        {
            if (timeline is null) throw new ArgumentNullException(nameof(timeline));
            bool incident = timeline.IncidentId != null;
            var members = new HashSet<string>(timeline.IssueIds, StringComparer.Ordinal);
            var entries = timeline.Entries.ToList();
            // Per issue, the journal's last status change: (time, resolved after it).
            var changes = new Dictionary<string, (DateTimeOffset Time, bool Resolved, string? ShortId)>(StringComparer.Ordinal);
            foreach (JournalEntry j in (journal ?? Array.Empty<JournalEntry>()).OrderBy(j => j.Time.UtcTicks))
            {
                bool aboutIssue = members.Contains(j.Target);
                string? issue = incident && aboutIssue ? j.ShortId ?? j.Target : null;
                switch (j.Action)
                {
                    case JournalActions.SendMessage:
                        bool delivered = j.Succeeded != false;
                        entries.Add(new TimelineEntry(j.Time, "Runbook", delivered ? "message_sent" : "message_not_delivered", $"{j.MessageKind ?? "Incident"} message sent to {j.Target}{(delivered ? string.Empty : " (not delivered)")}", j.User));
                        break;
                    case JournalActions.NewDeploy:
                        entries.Add(new TimelineEntry(j.Time, "Runbook", "deploy_recorded", $"Deploy of {j.Release ?? j.Target} to {j.Environment ?? "an environment"} recorded{(j.DeployId is null ? string.Empty : $" (deploy {j.DeployId})")}{(j.Detail is null ? string.Empty : ": " + j.Detail)}", j.User, environment: j.Environment));
                        break;
                    case JournalActions.AddNote when aboutIssue:
                        entries.Add(new TimelineEntry(j.Time, "Runbook", "note_added", "Note: " + (j.Change ?? string.Empty), j.User, issue));
                        break;
                    case JournalActions.SetIssue when aboutIssue:
                        // Taking or handing over an issue is a person acting on it: it acknowledges the incident.
                        entries.Add(new TimelineEntry(j.Time, "Runbook", "issue_set", $"{Capitalize(j.Change ?? "changed")}: {j.Detail ?? string.Empty}".TrimEnd(' ', ':'), j.User, issue));
                        break;
                    case JournalActions.SetStatus when aboutIssue:
                    case JournalActions.UndoStatus when aboutIssue:
                        string verb = j.Action == JournalActions.UndoStatus ? "Undone" : "Status changed";
                        entries.Add(new TimelineEntry(j.Time, "Runbook", j.Action == JournalActions.UndoStatus ? "status_undone" : "status_changed",
                            $"{verb}: {j.Before} -> {j.After}{(j.Reason is null ? string.Empty : " (" + j.Reason + ")")}", j.User, issue));
                        if (j.After != null) changes[j.Target] = (j.Time, string.Equals(j.After.Status, "resolved", StringComparison.OrdinalIgnoreCase), j.ShortId);
                        break;
                }
            }

            List<TimelineEntry> ordered = entries.OrderBy(e => e.Time.UtcTicks).ToList();
            DateTimeOffset? detected = timeline.DetectedAt;
            var resolvedAt = timeline.MemberResolvedAt.ToDictionary(m => m.Key, m => changes.TryGetValue(m.Key, out var change) ? Resolution(m.Value, change) : m.Value, StringComparer.Ordinal);
            return new IncidentTimeline(timeline.IssueId, timeline.ShortId, ordered, timeline.FirstSeen, detected, Acknowledged(ordered, detected), AllResolved(resolvedAt),
                timeline.IncidentId, timeline.IssueIds, resolvedAt);
        }

        /// <summary>The journal's last change wins, unless Sentry recorded a later resolution.</summary>
        private static DateTimeOffset? Resolution(DateTimeOffset? sentry, (DateTimeOffset Time, bool Resolved, string? ShortId) change) =>
            sentry is DateTimeOffset later && later > change.Time ? later
            : change.Resolved ? change.Time : (DateTimeOffset?)null;

        internal static bool IsResolution(string kind) => kind == "set_resolved" || kind == "set_resolved_in_release";

        private static TimelineEntry? FromActivity(SentryActivity a, DateTimeOffset at)
        {
            string? user = a.User;
            string? Data(string key) => a.Data.TryGetValue(key, out string? value) && !string.IsNullOrEmpty(value) ? value : null;
            switch (a.Type)
            {
                case "first_seen":
                case "set_public":
                case "set_private":
                    return null;
                case "note":
                    return new TimelineEntry(at, "Note", "note", a.Text ?? string.Empty, user);
                case "alert":
                case "alert_fired":
                    return new TimelineEntry(at, "Alert", "alert", Data("text") ?? Data("rule") ?? "Alert fired", user);
                case "acknowledged":
                    return new TimelineEntry(at, "Alert", "acknowledged", Data("text") ?? "Alert acknowledged", user);
                case "set_resolved":
                    return new TimelineEntry(at, "Status", "set_resolved", "Resolved", user);
                case "set_resolved_by_age":
                    return new TimelineEntry(at, "Status", "set_resolved", "Resolved automatically (no events for the auto-resolve period)", user);
                case "set_resolved_in_commit":
                    return new TimelineEntry(at, "Status", "set_resolved", "Resolved in commit " + (Data("commit") ?? "(unknown)"), user);
                case "set_resolved_in_pull_request":
                    return new TimelineEntry(at, "Status", "set_resolved", "Resolved in a pull request", user);
                case "set_resolved_in_release":
                    string? version = Data("version");
                    return new TimelineEntry(at, "Status", "set_resolved_in_release", version is null ? "Resolved in the next release" : "Resolved in release " + version, user);
                case "set_unresolved":
                    return new TimelineEntry(at, "Status", "set_unresolved", "Unresolved (reopened)", user);
                case "set_ignored":
                    return new TimelineEntry(at, "Status", "set_ignored", IgnoredText(Data), user);
                case "set_regression":
                    string? regressed = Data("version");
                    return new TimelineEntry(at, "Regression", "set_regression", "Regression: the issue came back after it was resolved" + (regressed is null ? string.Empty : " (in " + regressed + ")"), user);
                case "assigned":
                    return new TimelineEntry(at, "Assignment", "assigned", "Assigned to " + (Data("assigneeName") ?? Data("assigneeEmail") ?? Assignee(Data("assignee"), Data("assigneeType"))), user);
                case "unassigned":
                    return new TimelineEntry(at, "Assignment", "unassigned", "Unassigned", user);
                case "deploy":
                    return new TimelineEntry(at, "Deploy", "deploy", (Data("version") ?? "A release") + " deployed" + (Data("environment") is string env ? " to " + env : string.Empty), user);
                default:
                    return new TimelineEntry(at, "Status", a.Type, char.ToUpperInvariant(a.Type.FirstOrDefault()) + a.Type.Substring(Math.Min(1, a.Type.Length)).Replace('_', ' '), user);
            }
        }

        private static string IgnoredText(Func<string, string?> data)
        {
            if (data("ignoreCount") is string count) return $"Archived until {count} more events" + (data("ignoreWindow") is string w ? $" in {w} minutes" : string.Empty);
            if (data("ignoreUserCount") is string users) return $"Archived until {users} more users are affected" + (data("ignoreUserWindow") is string uw ? $" in {uw} minutes" : string.Empty);
            if (data("ignoreUntil") is string until)
            {
                return DateTimeOffset.TryParse(until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t)
                    ? "Archived until " + t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"
                    : "Archived until " + until;
            }

            if (data("ignoreDuration") is string minutes) return $"Archived for {minutes} minutes";
            // Without a condition an archive is forever (REFERENCE.md §2.4), unless Sentry says "until escalating".
            bool escalating = data("ignoreUntilEscalating") == "true" || data("substatus") == "archived_until_escalating";
            return escalating ? "Archived until it escalates" : "Archived (ignored) with no condition";
        }

        /// <summary>Sentry's assigned activity carries the assignee's id; an id alone reads better with its kind.</summary>
        private static string Assignee(string? assignee, string? type) =>
            assignee is null ? "someone"
            : assignee.Length > 0 && assignee.All(char.IsDigit) ? (type == "team" ? "team " : "user ") + assignee
            : assignee;

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}

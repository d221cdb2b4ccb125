using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>What the runbook did, as the incident journal (<c>-Journal</c>) records it: one JSON line per action.</summary>
    public static class JournalActions
    {
        public const string SetStatus = "SetStatus";
        /// <summary>Set-SentryIssue: priority or assignee; Detail says what each was before and after. Undo-SentryIssueStatus leaves it alone.</summary>
        public const string SetIssue = "SetIssue";
        public const string UndoStatus = "UndoStatus";
        public const string AddNote = "AddNote";
        public const string NewDeploy = "NewDeploy";
        public const string SendMessage = "SendMessage";
    }

    /// <summary>
    /// One action of the runbook: when (UTC), who ran it (user@host, never a token), what it did to which target,
    /// and for a status change Sentry's state before and after, so that Undo-SentryIssueStatus can put it back.
    /// </summary>
    public sealed class JournalEntry
    {
        public JournalEntry(
            DateTimeOffset time,
            string user,
            string action,
            string target,
            string? shortId = null,
            string? project = null,
            string? change = null,
            string? reason = null,
            IssueState? before = null,
            IssueState? after = null,
            string? dedupKey = null,
            string? messageKind = null,
            string? deployId = null,
            string? release = null,
            string? environment = null,
            string? incident = null,
            bool? succeeded = null,
            string? detail = null)
        {
            Time = time.ToUniversalTime();
            User = user ?? string.Empty;
            Action = action ?? throw new ArgumentNullException(nameof(action));
            Target = target ?? string.Empty;
            ShortId = shortId;
            Project = project;
            Change = change;
            Reason = reason;
            Before = before;
            After = after;
            DedupKey = dedupKey;
            MessageKind = messageKind;
            DeployId = deployId;
            Release = release;
            Environment = environment;
            Incident = incident;
            Succeeded = succeeded;
            Detail = detail;
        }

        public DateTimeOffset Time { get; }
        /// <summary>user@host of the session that acted.</summary>
        public string User { get; }
        /// <summary>One of <see cref="JournalActions"/>.</summary>
        public string Action { get; }
        /// <summary>The issue id, the release of a deploy, or where a message went (Slack, Teams, PagerDuty, Webhook).</summary>
        public string Target { get; }
        public string? ShortId { get; }
        public string? Project { get; }
        /// <summary>The change in words ("resolve in the next release"), or the note's text.</summary>
        public string? Change { get; }
        public string? Reason { get; }
        /// <summary>Sentry's state of the issue before the change.</summary>
        public IssueState? Before { get; }
        /// <summary>Sentry's state of the issue after the change, as read back.</summary>
        public IssueState? After { get; }
        /// <summary>The incident's message dedup key (PagerDuty's dedup_key).</summary>
        public string? DedupKey { get; }
        /// <summary>Initial, Update or Resolution.</summary>
        public string? MessageKind { get; }
        public string? DeployId { get; }
        public string? Release { get; }
        public string? Environment { get; }
        /// <summary>The SentryIncident the action was taken for, when it was.</summary>
        public string? Incident { get; }
        /// <summary>Whether a message was delivered; null for actions that either happen or fail with an error.</summary>
        public bool? Succeeded { get; }
        public string? Detail { get; }

        /// <summary>Who runs this process, as user@host: enough to find them, and never a credential.</summary>
        public static string CurrentUser()
        {
            string user, host;
            try
            {
                user = System.Environment.UserName;
            }
            catch (InvalidOperationException)
            {
                user = "unknown";
            }

            try
            {
                host = System.Environment.MachineName;
            }
            catch (InvalidOperationException)
            {
                host = "unknown";
            }

            return (string.IsNullOrEmpty(user) ? "unknown" : user) + "@" + (string.IsNullOrEmpty(host) ? "unknown" : host);
        }

        public override string ToString() => $"{Time:u} {User} {Action} {ShortId ?? Target}{(Change is null ? string.Empty : ": " + Change)}";
    }
}

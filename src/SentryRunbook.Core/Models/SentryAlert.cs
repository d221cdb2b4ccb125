using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>
    /// One Sentry integration-platform webhook delivery (an issue alert, an issue change, a metric alert,
    /// an error, a note or an installation), verified and typed. <see cref="IssueId"/> lets it pipe into
    /// every cmdlet that takes -IssueId. Text comes from Sentry's events and is untrusted data.
    /// </summary>
    public sealed class SentryAlert
    {
        public SentryAlert(
            string resource,
            string action,
            string? issueId,
            string? shortId,
            string? project,
            string? environment,
            string? level,
            string? title,
            string? culprit,
            string? webUrl,
            string? ruleName,
            string? requestId,
            DateTimeOffset? sentAt,
            bool verified,
            IReadOnlyDictionary<string, object?> data,
            string? eventId = null,
            string? actor = null,
            string? installationId = null)
        {
            Resource = resource;
            Action = action;
            IssueId = issueId;
            ShortId = shortId;
            Project = project;
            Environment = environment;
            Level = level;
            Title = title;
            Culprit = culprit;
            WebUrl = webUrl;
            RuleName = ruleName;
            RequestId = requestId;
            SentAt = sentAt;
            Verified = verified;
            Data = data;
            EventId = eventId;
            Actor = actor;
            InstallationId = installationId;
        }

        /// <summary><c>event_alert</c>, <c>issue</c>, <c>metric_alert</c>, <c>error</c>, <c>comment</c> or <c>installation</c> (Sentry-Hook-Resource).</summary>
        public string Resource { get; }
        /// <summary>The body's <c>action</c>: triggered, created, resolved, ignored/archived, assigned, unresolved, critical, warning, updated, deleted.</summary>
        public string Action { get; }
        /// <summary>The numeric issue id, when the delivery is about an issue; null for metric alerts and installations.</summary>
        public string? IssueId { get; }
        public string? ShortId { get; }
        /// <summary>The project slug, or the numeric project id when the delivery carries only that (issue alerts).</summary>
        public string? Project { get; }
        public string? Environment { get; }
        public string? Level { get; }
        public string? Title { get; }
        public string? Culprit { get; }
        public string? WebUrl { get; }
        /// <summary>The issue-alert or metric-alert rule that fired.</summary>
        public string? RuleName { get; }
        /// <summary>The Request-ID header: random per send, so it identifies one HTTP request, not one alert.</summary>
        public string? RequestId { get; }
        /// <summary>When Sentry sent it (Sentry-Hook-Timestamp).</summary>
        public DateTimeOffset? SentAt { get; }
        /// <summary>True when the signature was checked and matched; false only with -SkipSignatureCheck.</summary>
        public bool Verified { get; }
        /// <summary>The body's <c>data</c> object as dictionaries, lists, strings, numbers and booleans.</summary>
        public IReadOnlyDictionary<string, object?> Data { get; }
        /// <summary>The event id of an issue alert or error delivery.</summary>
        public string? EventId { get; }
        /// <summary>Who caused it: a user's name, or Sentry for automatic actions.</summary>
        public string? Actor { get; }
        /// <summary>The integration installation's uuid.</summary>
        public string? InstallationId { get; }

        public override string ToString() => Resource + "." + Action + (IssueId is null ? string.Empty : " " + (ShortId ?? IssueId));
    }
}

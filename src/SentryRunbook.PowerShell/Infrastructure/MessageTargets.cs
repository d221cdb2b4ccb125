using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>One message to one target: where, and the body in that target's format.</summary>
    internal sealed class MessageSend
    {
        public MessageSend(string target, Uri uri, string json)
        {
            Target = target;
            Uri = uri;
            Json = json;
        }

        public string Target { get; }
        public Uri Uri { get; }
        public string Json { get; }
    }

    /// <summary>
    /// Where incident messages go (Send-IncidentMessage's delivery parameters, which Watch-SentryIncident takes too) and
    /// how they get there: the checks on the addresses, the body per target, the delivery with retries, the journal lines
    /// and the error for a delivery that failed. Addresses and routing keys are never echoed: hosts only.
    /// </summary>
    internal sealed class MessageTargets
    {
        public static readonly Uri DefaultPagerDutyUri = new Uri("https://events.pagerduty.com/v2/enqueue");

        public MessageTargets(Uri? slack, Uri? teams, string? pagerDutyRoutingKey, Uri? pagerDutyUri, Uri? webhook)
        {
            Slack = slack;
            Teams = teams;
            PagerDutyRoutingKey = pagerDutyRoutingKey;
            PagerDutyUri = pagerDutyUri;
            Webhook = webhook;
        }

        public Uri? Slack { get; }
        public Uri? Teams { get; }
        public string? PagerDutyRoutingKey { get; }
        public Uri? PagerDutyUri { get; }
        public Uri? Webhook { get; }

        public bool IsEmpty => Slack is null && Teams is null && PagerDutyRoutingKey is null && Webhook is null;

        /// <summary>A terminating error when no target is named (and one is required) or an address is unusable; else null.</summary>
        public ErrorRecord? Problem(bool required)
        {
            if (required && IsEmpty)
            {
                return ErrorRecords.Input("IncidentTargetMissing", "Name where to send: -SlackWebhookUri, -TeamsWebhookUri, -PagerDutyRoutingKey or -WebhookUri.", "Pass one or more targets.", null);
            }

            foreach (Uri? uri in new[] { Slack, Teams, PagerDutyUri, Webhook })
            {
                if (uri != null && !IsAcceptable(uri))
                {
                    return ErrorRecords.Input("IncidentTargetInvalid", $"A webhook address must be an absolute https URL (http only to this machine); '{uri.Scheme}://{uri.Host}/...' is not.", "Copy the webhook URL from Slack, Teams or PagerDuty as it is.", uri.Host);
                }
            }

            return null;
        }

        /// <summary>The message's body for each target named.</summary>
        public IReadOnlyList<MessageSend> For(IncidentMessage message)
        {
            var sends = new List<MessageSend>();
            if (Slack != null) sends.Add(new MessageSend("Slack", Slack, message.SlackPayload));
            if (Teams != null) sends.Add(new MessageSend("Teams", Teams, message.TeamsPayload));
            if (PagerDutyRoutingKey != null) sends.Add(new MessageSend("PagerDuty", PagerDutyUri ?? DefaultPagerDutyUri, message.PagerDutyPayloadFor(PagerDutyRoutingKey)));
            if (Webhook != null) sends.Add(new MessageSend("Webhook", Webhook, message.WebhookPayload));
            return sends;
        }

        /// <summary>What ShouldProcess is asked for one send.</summary>
        public static (string Target, string Action) Describe(MessageSend send, IncidentMessage message) =>
            ($"{send.Target} ({send.Uri.Host})", $"Send the {message.Kind} message about {message.ShortId ?? message.Service}");

        /// <summary>Delivers to every approved target at once; never throws for an HTTP failure (it is in the delivery).</summary>
        public static Task<IncidentDelivery[]> SendAsync(IMessageSender sender, IReadOnlyList<MessageSend> sends, IncidentMessage message, CancellationToken cancellationToken) =>
            Task.WhenAll(sends.Select(s => sender.SendAsync(s.Target, message.Kind, s.Uri, s.Json, cancellationToken)));

        /// <summary>One journal line per delivery: target, kind, dedup key and outcome, never the address or key.</summary>
        public static IReadOnlyList<JournalEntry> JournalEntries(IncidentMessage message, IReadOnlyList<IncidentDelivery> deliveries)
        {
            string user = JournalEntry.CurrentUser();
            return deliveries.Select(d => new JournalEntry(DateTimeOffset.UtcNow, user, JournalActions.SendMessage, d.Target,
                shortId: message.ShortId, change: $"{message.Kind} message to {d.Target} ({d.Host})", dedupKey: message.DedupKey, messageKind: message.Kind,
                incident: message.IssueId, succeeded: d.Succeeded, detail: d.StatusCode?.ToString(CultureInfo.InvariantCulture))).ToList();
        }

        /// <summary>The error for a delivery the target did not take.</summary>
        /// <summary>
        /// A message that did not go through. A Slack or Teams webhook that answered 5xx or lost the connection may have
        /// posted it already, so it is not sent again (IncidentDeliveryUncertain); otherwise it was refused or never arrived.
        /// </summary>
        public static ErrorRecord Failure(IncidentDelivery delivery) => delivery.OutcomeUnknown
            ? ErrorRecords.Input(
                "IncidentDeliveryUncertain",
                $"{delivery.Target} at {delivery.Host} answered the {delivery.Kind} message with {delivery.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "a lost connection"}: it may or may not have been posted. It was not sent again, so that it is not posted twice.",
                $"Look in the {delivery.Target} channel; send the message again only if it is not there.",
                delivery.Target,
                ErrorCategory.ConnectionError)
            : ErrorRecords.Input(
                "IncidentDeliveryFailed",
                $"{delivery.Target} at {delivery.Host} did not take the {delivery.Kind} message after {delivery.Attempts} attempt(s): {delivery.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} {delivery.Detail}",
                "Check the webhook URL or routing key (a 4xx means it was refused), then send again; PagerDuty deduplicates by the incident's key.",
                delivery.Target,
                ErrorCategory.ConnectionError);

        private static bool IsAcceptable(Uri uri) =>
            uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
    }
}

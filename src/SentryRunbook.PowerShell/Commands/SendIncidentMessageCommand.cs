using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Delivers incident messages to Slack, Teams (Workflows webhooks), PagerDuty Events v2 or any webhook,
    /// retrying 429 and 5xx answers, and reports each delivery. Addresses and routing keys are never echoed.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "IncidentMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(IncidentDelivery))]
    public sealed class SendIncidentMessageCommand : SentryCmdlet
    {
        public static readonly Uri DefaultPagerDutyUri = new Uri("https://events.pagerduty.com/v2/enqueue");

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public IncidentMessage? Message { get; set; }

        [Parameter]
        [ValidateNotNull]
        public Uri? SlackWebhookUri { get; set; }

        /// <summary>A Teams Workflows ("Post to a channel when a webhook request is received") URL.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? TeamsWebhookUri { get; set; }

        /// <summary>The Events API v2 integration key of the PagerDuty service.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PagerDutyRoutingKey { get; set; }

        /// <summary>The Events v2 endpoint; default https://events.pagerduty.com/v2/enqueue (EU accounts: events.eu.pagerduty.com).</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? PagerDutyUri { get; set; }

        /// <summary>Any webhook; it receives the generic JSON body.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? WebhookUri { get; set; }

        /// <summary>The incident journal: one JSON line per delivery (target, kind, dedup key, outcome; never the address or key).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private JournalFile? _journal;

        protected override void BeginProcessing()
        {
            _journal = JournalFile.Open(this, Journal);
            if (SlackWebhookUri is null && TeamsWebhookUri is null && PagerDutyRoutingKey is null && WebhookUri is null)
            {
                ThrowTerminatingError(ErrorRecords.Input("IncidentTargetMissing", "Name where to send: -SlackWebhookUri, -TeamsWebhookUri, -PagerDutyRoutingKey or -WebhookUri.", "Pass one or more targets.", null));
            }

            foreach (Uri? uri in new[] { SlackWebhookUri, TeamsWebhookUri, PagerDutyUri, WebhookUri })
            {
                if (uri != null && !IsAcceptable(uri))
                {
                    ThrowTerminatingError(ErrorRecords.Input("IncidentTargetInvalid", $"A webhook address must be an absolute https URL (http only to this machine); '{uri.Scheme}://{uri.Host}/...' is not.", "Copy the webhook URL from Slack, Teams or PagerDuty as it is.", uri.Host));
                }
            }
        }

        protected override void ProcessRecord()
        {
            IncidentMessage message = Message!;
            var sends = new List<(string Target, Uri Uri, string Json)>();
            if (SlackWebhookUri != null) sends.Add(("Slack", SlackWebhookUri, message.SlackPayload));
            if (TeamsWebhookUri != null) sends.Add(("Teams", TeamsWebhookUri, message.TeamsPayload));
            if (PagerDutyRoutingKey != null) sends.Add(("PagerDuty", PagerDutyUri ?? DefaultPagerDutyUri, message.PagerDutyPayloadFor(PagerDutyRoutingKey)));
            if (WebhookUri != null) sends.Add(("Webhook", WebhookUri, message.WebhookPayload));

            var approved = sends.Where(s => ShouldProcess($"{s.Target} ({s.Uri.Host})", $"Send the {message.Kind} message about {message.ShortId ?? message.Service}")).ToList();
            if (approved.Count == 0) return;

            IMessageSender sender = ClientFactory.MessageSender;
            IncidentDelivery[] deliveries = Await(ct => Task.WhenAll(approved.Select(s => sender.SendAsync(s.Target, message.Kind, s.Uri, s.Json, ct))));
            string user = JournalEntry.CurrentUser();
            _journal?.Write(this, deliveries.Select(d => new JournalEntry(DateTimeOffset.UtcNow, user, JournalActions.SendMessage, d.Target,
                shortId: message.ShortId, change: $"{message.Kind} message to {d.Target} ({d.Host})", dedupKey: message.DedupKey, messageKind: message.Kind,
                incident: message.IssueId, succeeded: d.Succeeded, detail: d.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList());
            foreach (IncidentDelivery delivery in deliveries)
            {
                WriteObject(delivery);
                if (!delivery.Succeeded && delivery.OutcomeUnknown)
                {
                    WriteError(ErrorRecords.Input(
                        "IncidentDeliveryUncertain",
                        $"{delivery.Target} at {delivery.Host} answered the {delivery.Kind} message with {delivery.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "a lost connection"}: it may or may not have been posted. It was not sent again, so that it is not posted twice.",
                        $"Look in the {delivery.Target} channel; send the message again only if it is not there.",
                        delivery.Target,
                        ErrorCategory.ConnectionError));
                }
                else if (!delivery.Succeeded)
                {
                    WriteError(ErrorRecords.Input(
                        "IncidentDeliveryFailed",
                        $"{delivery.Target} at {delivery.Host} did not take the {delivery.Kind} message after {delivery.Attempts} attempt(s): {delivery.StatusCode?.ToString() ?? "no answer"} {delivery.Detail}",
                        "Check the webhook URL or routing key (a 4xx means it was refused), then send again; PagerDuty deduplicates by the incident's key.",
                        delivery.Target,
                        ErrorCategory.ConnectionError));
                }
            }
        }

        private static bool IsAcceptable(Uri uri) =>
            uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
    }
}

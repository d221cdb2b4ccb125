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
        public static readonly Uri DefaultPagerDutyUri = MessageTargets.DefaultPagerDutyUri;

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
        private MessageTargets _targets = null!;

        protected override void BeginProcessing()
        {
            _journal = JournalFile.Open(this, Journal);
            _targets = new MessageTargets(SlackWebhookUri, TeamsWebhookUri, PagerDutyRoutingKey, PagerDutyUri, WebhookUri);
            if (_targets.Problem(required: true) is ErrorRecord problem) ThrowTerminatingError(problem);
        }

        protected override void ProcessRecord()
        {
            IncidentMessage message = Message!;
            var approved = _targets.For(message).Where(s =>
            {
                (string target, string action) = MessageTargets.Describe(s, message);
                return ShouldProcess(target, action);
            }).ToList();
            if (approved.Count == 0) return;

            IncidentDelivery[] deliveries = Await(ct => MessageTargets.SendAsync(ClientFactory.MessageSender, approved, message, ct));
            _journal?.Write(this, MessageTargets.JournalEntries(message, deliveries));
            foreach (IncidentDelivery delivery in deliveries)
            {
                WriteObject(delivery);
                if (!delivery.Succeeded) WriteError(MessageTargets.Failure(delivery));
            }
        }
    }
}

namespace SentryRunbook.Models
{
    /// <summary>
    /// The outcome of sending one message to one target. The target's address is shown by host only:
    /// webhook URLs and routing keys are secrets.
    /// </summary>
    public sealed class IncidentDelivery
    {
        public IncidentDelivery(string target, string host, string kind, int? statusCode, int attempts, bool succeeded, string? detail)
        {
            Target = target;
            Host = host;
            Kind = kind;
            StatusCode = statusCode;
            Attempts = attempts;
            Succeeded = succeeded;
            Detail = detail;
        }

        /// <summary><c>Slack</c>, <c>Teams</c>, <c>PagerDuty</c> or <c>Webhook</c>.</summary>
        public string Target { get; }
        public string Host { get; }
        /// <summary>The message kind: Initial, Update or Resolution.</summary>
        public string Kind { get; }
        public int? StatusCode { get; }
        public int Attempts { get; }
        public bool Succeeded { get; }
        /// <summary>What the target answered on failure (clipped), or why it could not be reached.</summary>
        public string? Detail { get; }
        /// <summary>
        /// True when the target may have posted the message although the delivery failed (a 5xx or a connection lost
        /// mid-request to Slack, Teams or a generic webhook, which do not deduplicate): check before sending again.
        /// </summary>
        public bool OutcomeUnknown { get; set; }

        public override string ToString() => $"{Target} {(Succeeded ? "delivered" : "failed")} ({StatusCode?.ToString() ?? "no answer"})";
    }
}

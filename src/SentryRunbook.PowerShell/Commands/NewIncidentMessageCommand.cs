using System;
using System.Management.Automation;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;
using SentryRunbook.Rendering;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Drafts the runbook's stakeholder messages — initial alert, update, resolution notice — from a triage
    /// report or from parameters, rendered as text, Markdown, Slack, Teams, PagerDuty and a generic webhook
    /// body, with untrusted event text escaped for each.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "IncidentMessage", DefaultParameterSetName = ParametersSet)]
    [OutputType(typeof(IncidentMessage))]
    public sealed class NewIncidentMessageCommand : SentryCmdlet
    {
        private const string TriageSet = "FromTriage";
        private const string ParametersSet = "FromParameters";
        private const string IncidentSet = "FromIncident";

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateSet("Initial", "Update", "Resolution", IgnoreCase = true)]
        public string Kind { get; set; } = "Initial";

        /// <summary>A report from Invoke-SentryTriage: service, severity, impact, start and link come from it.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TriageSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public TriageReport? Triage { get; set; }

        /// <summary>An incident from Group-SentryIssue: one message listing its members, with one dedup key for the incident.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncidentSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIncident? Incident { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Service { get; set; }

        /// <summary>The user-facing symptoms in words. From a triage: its measured impact.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Impact { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IncidentLead { get; set; }

        /// <summary>For an update: Identified, Monitoring, ... (default Identified).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Status { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Progress { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RootCause { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? FixApplied { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PostmortemUrl { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateSet("P0", "P1", "P2", "P3", IgnoreCase = true)]
        public string? Severity { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNullOrEmpty]
        public string? IssueUrl { get; set; }

        [Parameter(ParameterSetName = ParametersSet)]
        [ValidateNotNullOrEmpty]
        public string? IssueId { get; set; }

        /// <summary>
        /// The PagerDuty dedup key: the same for every message of one incident. Default: made from the organization
        /// and the issue's numeric id (a triage gives it; from parameters pass -IssueId with the numeric id, or this).
        /// </summary>
        [Parameter]
        [ValidateLength(1, 255)]
        public string? DedupKey { get; set; }

        /// <summary>When the incident started. From a triage: the issue's first seen.</summary>
        [Parameter(ParameterSetName = ParametersSet)]
        public DateTimeOffset? Started { get; set; }

        /// <summary>For a resolution notice: when it was resolved (default: now).</summary>
        [Parameter]
        public DateTimeOffset? ResolvedAt { get; set; }

        /// <summary>Minutes to the next update; default: the severity's cadence in the policy (P0: 30).</summary>
        [Parameter]
        [ValidateRange(1, 10080)]
        public int? UpdateEveryMinutes { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file (the update cadence per level).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        private IncidentPolicy _policy = IncidentPolicy.Default;

        protected override void BeginProcessing() => _policy = PolicyLoader.Load(this, Policy);

        protected override void ProcessRecord()
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            MessageRequest request = Triage != null
                ? IncidentMessages.FromTriage(Triage, Kind, _policy, now)
                : Incident != null ? IncidentMessages.FromIncident(Incident, Kind, _policy, now)
                : new MessageRequest { Kind = Kind, Policy = _policy, Now = now, Severity = Severity?.ToUpperInvariant(), IssueUrl = IssueUrl, IssueId = IssueId, Started = Started };

            // Whatever the responder says wins over what the data suggests.
            request.Service = Service ?? request.Service;
            request.Impact = Impact ?? request.Impact;
            request.IncidentLead = IncidentLead ?? request.IncidentLead;
            request.Status = Status ?? request.Status;
            request.Progress = Progress ?? request.Progress;
            request.RootCause = RootCause ?? request.RootCause;
            request.FixApplied = FixApplied ?? request.FixApplied;
            request.PostmortemUrl = PostmortemUrl ?? request.PostmortemUrl;
            request.ResolvedAt = ResolvedAt ?? request.ResolvedAt;
            request.Organization ??= SentrySession.Current?.Organization ?? System.Environment.GetEnvironmentVariable("SENTRY_ORG");
            request.DedupKey = DedupKey ?? request.DedupKey;
            if (Triage is null && Incident is null && IssueId is null && DedupKey is null)
            {
                WriteWarning("No -IssueId or -DedupKey: the PagerDuty dedup key is made from the service name, so messages of two incidents of this service would share it.");
            }
            if (UpdateEveryMinutes is int minutes) request.UpdateEvery = TimeSpan.FromMinutes(minutes);

            try
            {
                WriteObject(IncidentMessages.Build(request));
            }
            catch (ArgumentException ex)
            {
                WriteError(ErrorRecords.Input("IncidentMessageInvalid", ex.Message, "Get-Help New-IncidentMessage -Examples", Triage ?? Incident ?? (object)Kind));
            }
        }
    }
}

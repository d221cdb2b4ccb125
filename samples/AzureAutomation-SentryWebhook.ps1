<#
.SYNOPSIS
    Azure Automation runbook started by a Sentry webhook: verify, triage, alert by severity, save the
    evidence, and note on the issue that the runbook ran.

.DESCRIPTION
    Sentry's internal integration POSTs an alert to the Automation webhook of this runbook; Azure
    starts a job with $WebhookData (WebhookName, RequestBody, RequestHeader). The runbook:

      1. verifies the delivery (Sentry-Hook-Signature with the integration's client secret, a fresh
         Sentry-Hook-Timestamp, not seen before) and stops with the reason if any check fails;
      2. triages the issue the alert is about (severity P0-P3, impact, root-cause pattern);
      3. sends the initial message by severity, as the incident runbook says:
           P0  PagerDuty page to on-call + Slack/Teams incident channel
           P1  Slack/Teams incident channel
           P2  Slack alerts channel (-SlackAlertsWebhookUri, else the incident channel)
           P3  no message: the note on the issue is the record
      4. saves the evidence bundle (triage and postmortem can be rebuilt from it offline);
      5. adds a note to the issue saying the runbook ran, with the severity and where the evidence is.

    Setup (README "Start the runbook from a Sentry alert"): import the SentryRunbook module into the
    Automation account, turn on its system-assigned managed identity, give it "Key Vault Secrets User"
    on a vault holding two secrets (the integration's token and its client secret), create a webhook
    for this runbook and put its URL in the integration. Set the parameters below on the webhook
    (Webhook > Parameters and run settings); secrets never go there, only Key Vault URIs.

    Deliveries other than event_alert, issue.created, issue.unresolved and metric alerts are
    acknowledged and ignored. A metric alert names no issue: it is reported by rule only.
#>
param(
    # Azure Automation's webhook parameter. The PowerShell 7 runtime hands it over as a JSON string; both work.
    [object] $WebhookData,
    [string] $Organization = 'acme',
    # Self-hosted Sentry, or a sandbox; empty for sentry.io.
    [string] $BaseUri,
    [ValidateSet('', 'us', 'de')] [string] $Region = '',
    # Key Vault secret URIs, read with the Automation account's managed identity.
    [string] $TokenSecretUri,
    [string] $ClientSecretUri,
    [string] $SlackWebhookUri,
    [string] $SlackAlertsWebhookUri,
    [string] $TeamsWebhookUri,
    [string] $PagerDutyRoutingKey,
    # PagerDuty's Events API v2 endpoint; change only for the EU service region or a test sink.
    [string] $PagerDutyUri,
    # Where the evidence bundle goes. On cloud jobs the sandbox's disk is thrown away after the job:
    # use a hybrid worker path or a mounted share to keep it.
    [string] $EvidenceFolder = [IO.Path]::GetTempPath(),
    # The replay store. On a hybrid worker use a local path all jobs share; cloud jobs start with an empty
    # disk, so there the store only catches replays within one job (Sentry's own retries still carry
    # the same event id, and Sentry sends them minutes apart, to a new job each time).
    [string] $SeenStore = (Join-Path ([IO.Path]::GetTempPath()) 'sentry-webhook-seen.txt'),
    [TimeSpan] $MaxAge = [TimeSpan]::FromMinutes(5)
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module SentryRunbook)) { Import-Module SentryRunbook }

if (-not $WebhookData) { throw 'Start this runbook from its webhook: $WebhookData is empty.' }

# 1. Verify. Any failure stops the job with the reason in the job's output; nobody is paged.
$secretParameters = if ($ClientSecretUri) { @{ ClientSecretUri = $ClientSecretUri } } else { @{} }   # else SENTRY_CLIENT_SECRET
try {
    $alert = ConvertFrom-SentryWebhook -WebhookData $WebhookData -MaxAge $MaxAge -SeenStore $SeenStore @secretParameters
}
catch {
    if ($_.FullyQualifiedErrorId -like 'SentryWebhookReplayed*') {
        # A retry by Sentry, or a replay: the first delivery already ran the runbook. Not a failure.
        Write-Warning "Delivery not handled again: $($_.Exception.Message)"
        return
    }
    throw
}

Write-Output "Sentry $($alert.Resource).$($alert.Action): $($alert.Title) (rule: $($alert.RuleName))"
$actionable = ($alert.Resource -eq 'event_alert') -or
    ($alert.Resource -eq 'issue' -and $alert.Action -in 'created', 'unresolved') -or
    ($alert.Resource -eq 'metric_alert' -and $alert.Action -in 'critical', 'warning')
if (-not $actionable) {
    Write-Output 'Nothing to do for this kind of delivery.'
    return
}

if (-not $alert.IssueId) {
    # Metric alerts name a rule, not an issue: tell the channel, leave triage to a person.
    $service = if ($alert.Project) { $alert.Project } else { 'unknown' }
    $message = New-IncidentMessage -Kind Initial -Service $service -Severity $(if ($alert.Action -eq 'critical') { 'P1' } else { 'P2' }) `
        -Impact "Metric alert: $($alert.Title)" -DedupKey "sentry-metric-$($alert.RuleName)"
    if ($SlackWebhookUri) { $message | Send-IncidentMessage -SlackWebhookUri $SlackWebhookUri | Out-Null }
    return
}

# 2. Triage.
$connect = @{ Organization = $Organization }
if ($BaseUri) { $connect.BaseUri = $BaseUri }
if ($Region) { $connect.Region = $Region }
if ($TokenSecretUri) { $connect.KeyVaultSecretUri = $TokenSecretUri }
elseif (Get-Command Get-AutomationPSCredential -ErrorAction SilentlyContinue) { $connect.Credential = Get-AutomationPSCredential -Name 'Sentry' }
else { $connect.Token = ConvertTo-SecureString $env:SENTRY_AUTH_TOKEN -AsPlainText -Force }
Connect-Sentry @connect

$triage = $alert | Invoke-SentryTriage
$severity = $triage.Severity.Severity
Write-Output "Triage: $($triage.ShortId) is $severity ($($triage.Severity.Rule))"

# 3. The initial message, routed by severity.
$deliveries = @()
if ($severity -ne 'P3') {
    $message = $triage | New-IncidentMessage -Kind Initial
    $send = @{}
    switch ($severity) {
        'P0' {
            if ($PagerDutyRoutingKey) { $send.PagerDutyRoutingKey = $PagerDutyRoutingKey; if ($PagerDutyUri) { $send.PagerDutyUri = $PagerDutyUri } }
            if ($SlackWebhookUri) { $send.SlackWebhookUri = $SlackWebhookUri }
            if ($TeamsWebhookUri) { $send.TeamsWebhookUri = $TeamsWebhookUri }
        }
        'P1' {
            if ($SlackWebhookUri) { $send.SlackWebhookUri = $SlackWebhookUri }
            if ($TeamsWebhookUri) { $send.TeamsWebhookUri = $TeamsWebhookUri }
        }
        'P2' {
            $alerts = if ($SlackAlertsWebhookUri) { $SlackAlertsWebhookUri } else { $SlackWebhookUri }
            if ($alerts) { $send.SlackWebhookUri = $alerts }
        }
    }
    if ($send.Count -gt 0) { $deliveries = @($message | Send-IncidentMessage @send) }
    foreach ($d in $deliveries) { Write-Output "Sent to $($d.Target): $(if ($d.Succeeded) { 'ok' } else { "FAILED $($d.StatusCode) $($d.Detail)" })" }
}

# 4. Evidence, before Sentry's retention drops the events.
$evidencePath = Join-Path $EvidenceFolder ("{0}-{1:yyyyMMddTHHmmss}.evidence.json" -f $triage.ShortId, [DateTime]::UtcNow)
Save-IncidentEvidence -IssueId $triage.IssueId -Path $evidencePath | Out-Null

# 5. The note on the issue: who ran, what it found, where the evidence is.
$sentTo = if ($deliveries) { ($deliveries | Where-Object Succeeded | ForEach-Object Target) -join ', ' } else { 'nobody (no channel for this severity)' }
$note = "Runbook ran (Azure Automation, alert '$($alert.RuleName)', request $($alert.RequestId)): severity $severity; initial message sent to $sentTo; evidence saved as $(Split-Path $evidencePath -Leaf)."
$triage | Add-SentryIssueNote -Text $note | Out-Null

[pscustomobject]@{
    IssueId    = $triage.IssueId
    ShortId    = $triage.ShortId
    Severity   = $severity
    Deliveries = $deliveries
    Evidence   = $evidencePath
    Note       = $note
}
if ($deliveries | Where-Object { -not $_.Succeeded }) { throw "The initial message was not delivered to: $(($deliveries | Where-Object { -not $_.Succeeded }).Target -join ', ')" }

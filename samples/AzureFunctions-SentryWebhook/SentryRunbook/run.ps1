<#
    Queue trigger: runs the runbook for an alert SentryWebhook verified and queued. Triage, the initial
    message by severity (P0: PagerDuty + Slack/Teams; P1: Slack/Teams; P2: Slack alerts channel; P3: none),
    the evidence bundle under $HOME/data/evidence, and a note on the issue that the runbook ran.

    App settings: SENTRY_ORG, SENTRY_URL (self-hosted only), SENTRY_TOKEN_SECRET_URI (a Key Vault secret,
    read with the app's managed identity) or SENTRY_AUTH_TOKEN (a Key Vault reference works too),
    SLACK_WEBHOOK_URI, SLACK_ALERTS_WEBHOOK_URI, TEAMS_WEBHOOK_URI, PAGERDUTY_ROUTING_KEY, PAGERDUTY_URI.
#>
param($QueueItem, $TriggerMetadata)

$ErrorActionPreference = 'Stop'

$connect = @{ Organization = $env:SENTRY_ORG }
if ($env:SENTRY_URL) { $connect.BaseUri = $env:SENTRY_URL }
if ($env:SENTRY_TOKEN_SECRET_URI) { $connect.KeyVaultSecretUri = $env:SENTRY_TOKEN_SECRET_URI }
else { $connect.Token = ConvertTo-SecureString $env:SENTRY_AUTH_TOKEN -AsPlainText -Force }
Connect-Sentry @connect

$triage = Invoke-SentryTriage -IssueId $QueueItem.IssueId
$severity = $triage.Severity.Severity
Write-Information "Triage: $($triage.ShortId) is $severity ($($triage.Severity.Rule))" -InformationAction Continue

$send = @{}
switch ($severity) {
    'P0' {
        if ($env:PAGERDUTY_ROUTING_KEY) { $send.PagerDutyRoutingKey = $env:PAGERDUTY_ROUTING_KEY; if ($env:PAGERDUTY_URI) { $send.PagerDutyUri = $env:PAGERDUTY_URI } }
        if ($env:SLACK_WEBHOOK_URI) { $send.SlackWebhookUri = $env:SLACK_WEBHOOK_URI }
        if ($env:TEAMS_WEBHOOK_URI) { $send.TeamsWebhookUri = $env:TEAMS_WEBHOOK_URI }
    }
    'P1' {
        if ($env:SLACK_WEBHOOK_URI) { $send.SlackWebhookUri = $env:SLACK_WEBHOOK_URI }
        if ($env:TEAMS_WEBHOOK_URI) { $send.TeamsWebhookUri = $env:TEAMS_WEBHOOK_URI }
    }
    'P2' {
        $alerts = if ($env:SLACK_ALERTS_WEBHOOK_URI) { $env:SLACK_ALERTS_WEBHOOK_URI } else { $env:SLACK_WEBHOOK_URI }
        if ($alerts) { $send.SlackWebhookUri = $alerts }
    }
}
$deliveries = @()
if ($send.Count -gt 0) { $deliveries = @($triage | New-IncidentMessage -Kind Initial | Send-IncidentMessage @send) }

$folder = Join-Path $(if ($env:HOME) { $env:HOME } else { [IO.Path]::GetTempPath() }) 'data/evidence'
New-Item -ItemType Directory -Path $folder -Force | Out-Null
$evidencePath = Join-Path $folder ("{0}-{1:yyyyMMddTHHmmss}.evidence.json" -f $triage.ShortId, [DateTime]::UtcNow)
Save-IncidentEvidence -IssueId $triage.IssueId -Path $evidencePath | Out-Null

$sentTo = if ($deliveries) { ($deliveries | Where-Object Succeeded | ForEach-Object Target) -join ', ' } else { 'nobody (no channel for this severity)' }
$triage | Add-SentryIssueNote -Text "Runbook ran (Azure Functions, alert '$($QueueItem.RuleName)', request $($QueueItem.RequestId)): severity $severity; initial message sent to $sentTo; evidence saved as $(Split-Path $evidencePath -Leaf)." | Out-Null

# A failed delivery fails the invocation: the queue retries it, and the seen store is not in the way (it guards the HTTP side).
if ($deliveries | Where-Object { -not $_.Succeeded }) { throw "The initial message was not delivered to: $(($deliveries | Where-Object { -not $_.Succeeded }).Target -join ', ')" }

<#
.SYNOPSIS
    Azure Automation runbook: stay with an incident, post its updates on cadence, and resolve it when it is back to baseline.

.DESCRIPTION
    Start it from the alert runbook (Start-AzAutomationRunbook -Name AzureAutomation-WatchIncident
    -Parameters @{ IssueId = $alert.IssueId }) or by hand when an incident is declared. Every -Interval it
    measures the issue again and writes one line per round to the job's output; updates go to PagerDuty (re-triggered
    with the incident's dedup key, never acknowledged) and to a Slack or Teams webhook on the severity's cadence.
    With -ResolveOnRecovery the issue is resolved once it has been back at the pre-incident baseline for
    -RecoveredAfter, the resolution notice is sent, and the job keeps watching for a regression until -Timeout.
    Azure Automation stops a job after 3 hours (fair share): keep -Timeout below that.

    Assets: a credential "Sentry" whose password is an internal integration token (event:read, event:write,
    project:read, org:read), an encrypted variable "PagerDutyRoutingKey" and, optionally, an encrypted variable
    "IncidentWebhookUri" (a Slack incoming webhook, or any webhook). For self-hosted Sentry pass -BaseUri.
#>
param(
    [string] $Organization = 'acme',
    [ValidateSet('us', 'de')] [string] $Region = 'us',
    [string] $BaseUri,
    [Parameter(Mandatory)] [string] $IssueId,
    [string] $PagerDutyVariable = 'PagerDutyRoutingKey',
    [string] $WebhookVariable = 'IncidentWebhookUri',
    [TimeSpan] $Interval = '00:01:00',
    [TimeSpan] $Timeout = '02:45:00',
    [Nullable[TimeSpan]] $UpdateEvery,
    [switch] $ResolveOnRecovery,
    [string] $PagerDutyUri
)

$ErrorActionPreference = 'Stop'
Import-Module SentryRunbook

$where = if ($BaseUri) { @{ BaseUri = $BaseUri } } else { @{ Region = $Region } }
Connect-Sentry @where -Organization $Organization -Credential (Get-AutomationPSCredential -Name 'Sentry')

$targets = @{}
$routingKey = try { Get-AutomationVariable -Name $PagerDutyVariable } catch { $null }
if ($routingKey) { $targets.PagerDutyRoutingKey = $routingKey }
if ($routingKey -and $PagerDutyUri) { $targets.PagerDutyUri = $PagerDutyUri }
$webhook = try { Get-AutomationVariable -Name $WebhookVariable } catch { $null }
if ($webhook) { $targets[$(if ($webhook -like 'https://hooks.slack.com/*') { 'SlackWebhookUri' } else { 'WebhookUri' })] = $webhook }
if ($UpdateEvery) { $targets.UpdateEvery = $UpdateEvery }

# The journal lives in the job's temporary folder: the cadence goes on from its last message if the job is restarted there.
$journal = Join-Path ([IO.Path]::GetTempPath()) "sentry-watch-$IssueId.journal.jsonl"
Watch-SentryIncident -IssueId $IssueId -Interval $Interval -Timeout $Timeout -Until Resolved -ResolveOnRecovery:$ResolveOnRecovery -Journal $journal @targets -WarningAction Continue |
    ForEach-Object {
        $sent = if ($_.Message) { " sent: $($_.Message.Kind) ($(@($_.Delivery | Where-Object Succeeded).Count)/$(@($_.Delivery).Count) delivered)" } else { '' }
        '{0:yyyy-MM-dd HH:mm} UTC {1,-10} {2}/min (peak {3}, baseline {4}){5}' -f $_.Time.UtcDateTime, $_.State, $_.EventsPerMinute, $_.PeakEventsPerMinute, $_.BaselineEventsPerMinute, $sent
    }

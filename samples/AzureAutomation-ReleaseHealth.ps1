<#
.SYNOPSIS
    Azure Automation runbook: judge the release running in an environment and post a Warn or Fail to Teams.

.DESCRIPTION
    Schedule it (say every 30 minutes) after deploys. It finds the release deployed last to the
    environment, runs Test-SentryReleaseHealth against the release before it, and on Warn or Fail posts
    an Adaptive Card to a Teams channel through an incoming webhook (New-IncidentMessage escapes the
    event data in it). A Pass posts nothing.

    Assets: a credential "Sentry" whose password is an internal integration token (event:read,
    project:read, project:releases, org:read), and an encrypted variable "TeamsWebhookUri".
    For self-hosted Sentry pass -BaseUri instead of -Region.
#>
param(
    [string] $Organization = 'acme',
    [ValidateSet('us', 'de')] [string] $Region = 'us',
    [string] $BaseUri,
    [Parameter(Mandatory)] [string] $Project,
    [string] $Environment = 'production',
    [string] $TeamsWebhookVariable = 'TeamsWebhookUri'
)

$ErrorActionPreference = 'Stop'
Import-Module SentryRunbook

$where = if ($BaseUri) { @{ BaseUri = $BaseUri } } else { @{ Region = $Region } }
Connect-Sentry @where -Organization $Organization -Project $Project -Credential (Get-AutomationPSCredential -Name 'Sentry')

# The release deployed last to the environment: the newest releases' deploys, latest first.
$current = Get-SentryRelease -Project $Project -First 10 |
    Where-Object LastDeploy |
    Get-SentryDeploy |
    Where-Object Environment -eq $Environment |
    Sort-Object { if ($_.DateFinished) { $_.DateFinished } else { $_.DateStarted } } -Descending |
    Select-Object -First 1
if (-not $current) { Write-Output "No release of $Project was deployed to $Environment recently."; return }

$verdict = Test-SentryReleaseHealth -Release $current.Release -Environment $Environment -Project $Project -WarningAction SilentlyContinue
$verdict | Format-List Release, Baseline, Verdict, CrashFreeSessionRate, BaselineCrashFreeSessionRate, Sessions, ErrorsPerThousandSessions | Out-String | Write-Output
$verdict.Reasons | Write-Output

if ($verdict.Verdict -in 'Warn', 'Fail') {
    $problems = @($verdict.Reasons | Where-Object { $_ -match '^(Fail|Warn):' } | ForEach-Object { $_ -replace ' \[GET .*\]$', '' })
    $message = New-IncidentMessage -Kind Initial `
        -Service "$Project $($verdict.Release) ($Environment)" `
        -Severity $(if ($verdict.Verdict -eq 'Fail') { 'P1' } else { 'P2' }) `
        -Impact ("Release health {0} against {1}: {2}" -f $verdict.Verdict, $(if ($verdict.Baseline) { $verdict.Baseline } else { 'no baseline' }), ($problems -join ' ')) `
        -DedupKey "release-health-$Project-$($verdict.Release)-$Environment"
    $delivery = $message | Send-IncidentMessage -TeamsWebhookUri (Get-AutomationVariable -Name $TeamsWebhookVariable)
    if (-not $delivery.Succeeded) { throw "Teams did not accept the message (status $($delivery.StatusCode))." }
    if ($verdict.Verdict -eq 'Fail') { Write-Output "Roll back: Get-SentryRollbackTarget -Environment $Environment -Project $Project" }
}

<#
.SYNOPSIS
    A scheduled script (cron, Task Scheduler): classify the unresolved issues of the last hour and
    exit non-zero when one is P0 or P1, so the scheduler's own alerting fires.

.EXAMPLE
    SENTRY_AUTH_TOKEN=... SENTRY_ORG=acme SENTRY_URL=https://de.sentry.io pwsh -File Scheduled-SeverityCheck.ps1
#>
param(
    [string] $Query = 'is:unresolved lastSeen:-1h',
    # A policy file of the team's own thresholds, environments and core flows (optional).
    [string] $Policy
)

$ErrorActionPreference = 'Stop'
Import-Module SentryRunbook   # reads SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_URL: no Connect-Sentry needed

$severityArgs = @{}
if ($Policy) { $severityArgs.Policy = $Policy }
$severities = Get-SentryIssue -Query $Query -First 50 | Measure-SentryImpact -StatsPeriod 1h | Get-IncidentSeverity @severityArgs
$severities | Format-Table IssueId, Severity, Rule, Escalation, { $_.Reasons[0] } -AutoSize

$urgent = $severities | Where-Object Severity -in 'P0', 'P1'
if ($urgent) {
    Write-Error "Urgent: $(($urgent | ForEach-Object { "$($_.IssueId) $($_.Severity)" }) -join ', ')"
    exit 2
}

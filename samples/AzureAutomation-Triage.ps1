<#
.SYNOPSIS
    Azure Automation runbook: triage the newest unresolved Sentry issues and write a severity table.

.DESCRIPTION
    Import SentryRunbook into the Automation account (Modules > Add a module > the .nupkg from
    ./build.ps1 -Task Package), create a credential asset named "Sentry" whose password is an internal
    integration token (scopes event:read, event:write, project:read, project:releases, org:read), and
    set the variables below. The runbook runs on PowerShell 7.4 or Windows PowerShell 5.1 workers.
#>
param(
    [string] $Organization = 'acme',
    [ValidateSet('us', 'de')] [string] $Region = 'us',
    [string] $Query = 'is:unresolved firstSeen:-1h',
    [int] $First = 20
)

$ErrorActionPreference = 'Stop'
Import-Module SentryRunbook

Connect-Sentry -Region $Region -Organization $Organization -Credential (Get-AutomationPSCredential -Name 'Sentry')

$reports = Get-SentryIssue -Query $Query -Sort freq -First $First | Invoke-SentryTriage
$reports |
    Sort-Object { $_.Severity.Severity }, { -$_.Issue.Count } |
    Select-Object ShortId,
        @{ n = 'Severity'; e = { $_.Severity.Severity } },
        @{ n = 'Rule'; e = { $_.Severity.Rule } },
        Trend,
        @{ n = 'Pattern'; e = { $_.Patterns | Select-Object -First 1 -ExpandProperty Pattern } },
        @{ n = 'Users'; e = { $_.Impact.UniqueUsers } },
        @{ n = 'Title'; e = { $_.Issue.Title } } |
    Format-Table -AutoSize | Out-String -Width 200 | Write-Output

# Fail the job when a P0 is open, so the Automation alert rule pages someone.
if ($reports | Where-Object { $_.Severity.Severity -eq 'P0' }) {
    throw "P0 incident open: $(($reports | Where-Object { $_.Severity.Severity -eq 'P0' }).ShortId -join ', ')"
}

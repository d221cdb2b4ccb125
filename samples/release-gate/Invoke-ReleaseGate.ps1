<#
.SYNOPSIS
    Deployment gate: stops a pipeline (exit code 1) when Sentry says the release is unhealthy.

.DESCRIPTION
    Runs Test-SentryReleaseHealth once, or Watch-SentryRelease for -BakeMinutes, on a release that was
    just deployed (or deployed to a canary), and ends with an exit code a pipeline acts on:

        0  Pass (and Warn or Inconclusive, unless -FailOn says otherwise)
        1  Fail (or worse than -FailOn allows)
        2  the release could not be judged (unknown release, no deploy, Sentry unreachable): a gate
           that cannot see stays closed

    The same script runs as a pwsh step in GitHub Actions (github-actions.yml) and Azure DevOps
    (azure-pipelines.yml). It connects from the environment: SENTRY_AUTH_TOKEN (a secret), SENTRY_ORG,
    and SENTRY_URL for self-hosted Sentry. In a pipeline it adds an error or warning annotation, and
    in GitHub Actions a job summary. Reasons quote issue titles, which come from event data: they are
    escaped for the annotation syntax and Markdown, and never start a line of output.

.EXAMPLE
    ./Invoke-ReleaseGate.ps1 -Release "web@$env:GITHUB_SHA" -Environment production -Project web -BakeMinutes 15
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Release,
    [Parameter(Mandatory)] [string] $Environment,
    [string] $Project = $env:SENTRY_PROJECT,
    [string] $Baseline,
    # 0: judge once now. More: watch the rollout this long, stopping early on Fail or a stable verdict.
    [ValidateRange(0, 1440)] [int] $BakeMinutes = 0,
    [ValidateRange(1, 60)] [int] $IntervalMinutes = 5,
    # The mildest verdict that stops the pipeline.
    [ValidateSet('Fail', 'Warn', 'Inconclusive')] [string] $FailOn = 'Fail',
    # The module: its name when installed, or the path of SentryRunbook.psd1.
    [string] $ModulePath = 'SentryRunbook'
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function ConvertTo-OneLine([string] $Text) { ($Text -replace '[\r\n]+', ' ') -replace '##(vso)?\[', '# #$1[' }

# GitHub workflow commands: %, CR and LF in the message are escaped (actions/toolkit escapeData).
function ConvertTo-GitHubData([string] $Text) { $Text.Replace('%', '%25').Replace("`r", '%0D').Replace("`n", '%0A') }

# Azure DevOps logging commands: %, ;, ], CR and LF in the message are escaped.
function ConvertTo-AzureDevOpsData([string] $Text) { $Text.Replace('%', '%AZP25').Replace(';', '%3B').Replace(']', '%5D').Replace("`r", '%0D').Replace("`n", '%0A') }

function ConvertTo-MarkdownText([string] $Text) {
    $escaped = [regex]::Replace((ConvertTo-OneLine $Text), '[\\`*_{}\[\]()#+!|~>-]', '\$0')
    $escaped.Replace('<', '&lt;')
}

$parameters = @{ Release = $Release; Environment = $Environment; WarningAction = 'SilentlyContinue' }
if ($Project) { $parameters.Project = $Project }
if ($Baseline) { $parameters.Baseline = $Baseline }

try {
    $verdict = if ($BakeMinutes -gt 0) {
        Watch-SentryRelease @parameters -Interval ([TimeSpan]::FromMinutes($IntervalMinutes)) -Timeout ([TimeSpan]::FromMinutes($BakeMinutes)) | Select-Object -Last 1
    } else {
        Test-SentryReleaseHealth @parameters
    }
}
catch {
    Write-Host "Release gate: could not judge ${Release}: $(ConvertTo-OneLine $_.Exception.Message)"
    exit 2
}
if (-not $verdict) {
    Write-Host "Release gate: could not judge $Release (see the errors above)."
    exit 2
}

$rank = @{ Pass = 0; Inconclusive = 1; Warn = 2; Fail = 3 }
$threshold = @{ Inconclusive = 1; Warn = 2; Fail = 3 }[$FailOn]
$blocked = $rank[$verdict.Verdict] -ge $threshold

Write-Host "Release gate: $($verdict.Release) in $($verdict.Environment): $($verdict.Verdict) (baseline: $(if ($verdict.Baseline) { $verdict.Baseline } else { 'none' }))"
foreach ($reason in $verdict.Reasons) { Write-Host ('  - ' + (ConvertTo-OneLine $reason)) }
foreach ($missing in $verdict.MissingSignals) { Write-Host ('  missing: ' + (ConvertTo-OneLine $missing)) }

# The reasons that decided the verdict first (a Fail's before its Warns).
$deciding = @($verdict.Reasons | Where-Object { $_.StartsWith($verdict.Verdict + ':') }) + @($verdict.Reasons | Where-Object { $_ -match '^(Fail|Warn|Inconclusive):' -and -not $_.StartsWith($verdict.Verdict + ':') })
$headline = "$($verdict.Release) in $($verdict.Environment): $($verdict.Verdict). " + (($deciding | Select-Object -First 3) -join ' ')
$level = if ($blocked) { 'error' } elseif ($verdict.Verdict -ne 'Pass') { 'warning' } else { $null }
if ($level -and $env:GITHUB_ACTIONS -eq 'true') {
    Write-Host "::${level} title=Sentry release health::$(ConvertTo-GitHubData $headline)"
}
if ($level -and $env:TF_BUILD) {
    Write-Host "##vso[task.logissue type=$level]$(ConvertTo-AzureDevOpsData $headline)"
}
if ($env:GITHUB_STEP_SUMMARY) {
    $summary = @("### Sentry release health: $(ConvertTo-MarkdownText $verdict.Release) is **$($verdict.Verdict)**", '')
    $summary += $verdict.Reasons | ForEach-Object { '- ' + (ConvertTo-MarkdownText $_) }
    Add-Content -Path $env:GITHUB_STEP_SUMMARY -Value $summary -Encoding utf8
}

if ($blocked) {
    if ($verdict.Verdict -eq 'Fail') { Write-Host "Roll back: Test-SentryReleaseHealth '$($verdict.Release)' '$($verdict.Environment)' | Get-SentryRollbackTarget | New-SentryDeploy" }
    exit 1
}
exit 0

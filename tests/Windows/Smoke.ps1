<#
.SYNOPSIS
    A smoke test of the built module that runs in Windows PowerShell 5.1 as well as in pwsh: start the sandbox,
    import the module (after Az.Accounts when -WithAzAccounts, to catch assembly clashes), read, triage and act.

.DESCRIPTION
    Written in the language both editions share (no ?., no ternaries, no ProcessStartInfo.ArgumentList). The
    Pester suite itself uses PowerShell 7 features; this script is what the Windows workflow runs under 5.1.
    Exits 1 on the first failed check, 0 when all pass.

        powershell.exe -NoProfile -File tests/Windows/Smoke.ps1
        pwsh -NoProfile -File tests/Windows/Smoke.ps1 -WithAzAccounts
#>
param(
    [string] $Configuration = 'Release',
    [switch] $WithAzAccounts
)

$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$sandboxDll = Join-Path $root "src/SentryRunbook.Sandbox/bin/$Configuration/net10.0/SentryRunbook.Sandbox.dll"
$module = Join-Path $root 'out/SentryRunbook/SentryRunbook.psd1'

function Assert-That([bool] $Condition, [string] $What) {
    if (-not $Condition) { Write-Host "FAILED: $What"; exit 1 }
    Write-Host "ok: $What"
}

if ($WithAzAccounts) {
    # Az.Accounts brings its own System.Text.Json and friends: ours must load beside them.
    Import-Module Az.Accounts
}

$info = New-Object System.Diagnostics.ProcessStartInfo
$info.FileName = 'dotnet'
$info.Arguments = "`"$sandboxDll`" --port 0"
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
$sandbox = [System.Diagnostics.Process]::Start($info)
try {
    $ready = $sandbox.StandardOutput.ReadLine() | ConvertFrom-Json
    Import-Module $module
    Assert-That ($PSVersionTable.PSVersion.Major -ge 5) "the module imports in PowerShell $($PSVersionTable.PSVersion)"
    Connect-Sentry -BaseUri $ready.baseUri -Organization $ready.organization -Token (ConvertTo-SecureString $ready.token -AsPlainText -Force)

    $issue = Get-SentryIssue WEB-1
    Assert-That ($issue.ShortId -eq 'WEB-1') 'Get-SentryIssue reads an issue'
    $page = @(Get-SentryIssue -Query 'is:unresolved' -First 120)
    Assert-That ($page.Count -eq 120) 'Get-SentryIssue pages through the issue list'
    $report = Invoke-SentryTriage WEB-1
    Assert-That ($report.Severity.Severity -eq 'P0') 'Invoke-SentryTriage classifies WEB-1 as P0'
    $changed = @($page | Select-Object -Last 12 | Set-SentryIssueStatus -Status Ignored -IgnoreDuration 30 -Force -PassThru)
    Assert-That ($changed.Count -eq 12) 'Set-SentryIssueStatus changes 12 issues with the bulk route'
    $message = $report | New-IncidentMessage -Kind Initial
    Assert-That ($message.Text -match 'P0') 'New-IncidentMessage renders the alert'
}
finally {
    if (-not $sandbox.HasExited) { $sandbox.Kill() }
}
exit 0

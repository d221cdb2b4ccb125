<#
.SYNOPSIS
    Runs the Pester suite in this (fresh) pwsh and writes {Passed, Failed} as JSON for build.ps1 to add up.
#>
param(
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:SENTRYRUNBOOK_CONFIGURATION = $Configuration

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $config

# Containers that failed to run (a broken BeforeAll) count as failures, so a crash is never "0 failed".
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed } | ConvertTo-Json | Set-Content -Path $ResultPath -Encoding utf8NoBOM

<#
.SYNOPSIS
    Times Invoke-SentryTriage against the runbook's own sequential investigation (curl + python3),
    both against one sandbox that adds a fixed latency to every request, and writes bench/RESULTS.md.

.DESCRIPTION
    A benchmark, not a test: it reports numbers, it asserts nothing. Run it after ./build.ps1 -Task Build:

        dotnet pwsh ./bench/Triage/Invoke-TriageBenchmark.ps1

    Both sides triage the same issue (WEB-1 of seed-examples). The sandbox adds -LatencyMs to every
    request, as a distant Sentry would. Our side is measured warm (after one untimed run, so JIT and
    connection set-up are not counted) over -Iterations runs; the script's side is run the same number
    of times. Requests are counted from the sandbox's own statistics.
#>
param(
    [int] $LatencyMs = 100,
    [int] $Iterations = 5,
    [string] $IssueShortId = 'WEB-1',
    [string] $Configuration = 'Release',
    [string] $ResultsPath = (Join-Path $PSScriptRoot '../RESULTS.md')
)

$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$sandboxDll = Join-Path $root "src/SentryRunbook.Sandbox/bin/$Configuration/net10.0/SentryRunbook.Sandbox.dll"
$module = Join-Path $root 'out/SentryRunbook/SentryRunbook.psd1'
foreach ($path in $sandboxDll, $module) { if (-not (Test-Path $path)) { throw "Missing ${path}: run ./build.ps1 -Task Build first." } }

$info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($arg in @($sandboxDll, '--port', '0', '--scenario', 'seed-examples', '--latency-ms', "$LatencyMs")) { $info.ArgumentList.Add($arg) }
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
$sandbox = [System.Diagnostics.Process]::Start($info)

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    if ($sorted.Count % 2) { return $sorted[[int][Math]::Floor($sorted.Count / 2)] }
    return ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2
}

try {
    $connection = $sandbox.StandardOutput.ReadLine() | ConvertFrom-Json
    $null = $sandbox.StandardOutput.ReadToEndAsync()
    $base = $connection.baseUri
    Import-Module $module -Force
    Connect-Sentry -BaseUri $base -Organization $connection.organization -Token (ConvertTo-SecureString $connection.token -AsPlainText -Force)
    $issue = Get-SentryIssue $IssueShortId

    # The sandbox counts the requests it served; reset its fault statistics (latency only) per measurement.
    $faults = @{ latencyMs = $LatencyMs } | ConvertTo-Json
    function Reset-Count { Invoke-RestMethod -Method Put -Uri "$base/sandbox/faults" -Body $faults -ContentType 'application/json' | Out-Null }
    function Get-Count { (Invoke-RestMethod -Uri "$base/sandbox/faults/stats").requests }

    $null = Invoke-SentryTriage -Issue $issue   # warm-up: JIT, connection pool
    $ours = @()
    foreach ($i in 1..$Iterations) {
        Reset-Count
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $report = Invoke-SentryTriage -Issue $issue
        $watch.Stop()
        $ours += [pscustomobject]@{ Ms = $watch.Elapsed.TotalMilliseconds; Requests = Get-Count }
    }

    $env:SENTRY_URL = $base
    $env:SENTRY_AUTH_TOKEN = $connection.token
    $env:SENTRY_ORG = $connection.organization
    $env:ISSUE_ID = $issue.Id
    $script = Join-Path $PSScriptRoot 'runbook-sequential.sh'
    $theirs = @()
    $scriptOutput = $null
    foreach ($i in 1..$Iterations) {
        Reset-Count
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $scriptOutput = & bash $script 2>&1
        $watch.Stop()
        $theirs += [pscustomobject]@{ Ms = $watch.Elapsed.TotalMilliseconds; Requests = Get-Count }
    }
}
finally {
    if (-not $sandbox.HasExited) { $sandbox.Kill($true) }
    foreach ($name in 'SENTRY_URL', 'SENTRY_AUTH_TOKEN', 'SENTRY_ORG', 'ISSUE_ID') { [Environment]::SetEnvironmentVariable($name, $null) }
}

$oursMedian = Get-Median $ours.Ms
$theirsMedian = Get-Median $theirs.Ms
$machine = "$([Environment]::ProcessorCount) cores, $([Math]::Round((Get-Content /proc/meminfo -First 1 -ErrorAction SilentlyContinue | ForEach-Object { ($_ -split '\s+')[1] / 1MB }), 1)) GiB, $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"
$section = @"
## Triage: Invoke-SentryTriage vs the runbook's sequential script

Command: ``dotnet pwsh ./bench/Triage/Invoke-TriageBenchmark.ps1 -LatencyMs $LatencyMs -Iterations $Iterations``
Run: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC on $machine. Issue $IssueShortId of seed-examples; the sandbox adds $LatencyMs ms to every request.

| | median | min | max | requests per run | gathers |
| --- | ---: | ---: | ---: | ---: | --- |
| Invoke-SentryTriage (warm) | $([Math]::Round($oursMedian)) ms | $([Math]::Round(($ours.Ms | Measure-Object -Minimum).Minimum)) ms | $([Math]::Round(($ours.Ms | Measure-Object -Maximum).Maximum)) ms | $(($ours.Requests | Select-Object -First 1)) | $($report.Checklist.Count) checklist steps, impact (7 figures), severity, 5 pattern rules, rollback target |
| runbook script (curl + python3, sequential) | $([Math]::Round($theirsMedian)) ms | $([Math]::Round(($theirs.Ms | Measure-Object -Minimum).Minimum)) ms | $([Math]::Round(($theirs.Ms | Measure-Object -Maximum).Maximum)) ms | $(($theirs.Requests | Select-Object -First 1)) | issue summary, 5 events, events and users (24h), p95 per transaction |

Target: our triage within 4 x $LatencyMs ms = $(4 * $LatencyMs) ms and faster than the script. Result: $([Math]::Round($oursMedian)) ms = $([Math]::Round($oursMedian / $LatencyMs, 1)) x the latency ($(if ($oursMedian -le 4 * $LatencyMs) { 'within' } else { 'over' }) the target); $([Math]::Round($theirsMedian / $oursMedian, 1)) x faster than the script.
Severity found: $($report.Severity.Severity); strongest pattern: $($report.Patterns[0].Pattern).

The script's output on the last run:

``````
$($scriptOutput -join "`n")
``````
"@

$existing = if (Test-Path $ResultsPath) { Get-Content -Raw $ResultsPath } else { "# Benchmark results`n`nEach section is replaced when its benchmark runs again.`n" }
$pattern = '(?ms)^## Triage: .*?(?=^## |\z)'
$updated = if ($existing -match $pattern) { [regex]::Replace($existing, $pattern, $section.TrimEnd() + "`n`n") } else { $existing.TrimEnd() + "`n`n" + $section.TrimEnd() + "`n" }
Set-Content -Path $ResultsPath -Value $updated.TrimEnd() -Encoding utf8NoBOM
Write-Host $section

<#
.SYNOPSIS
    Group-SentryIssue over 500 unresolved issues at sentry.io's rate limits: the requests it makes and the time.
    Writes its section of bench/RESULTS.md.

.DESCRIPTION
    A benchmark, not a test: it reports numbers and asserts nothing. Run it after ./build.ps1 -Task Build:

        dotnet pwsh ./bench/Grouping/Invoke-GroupingBenchmark.ps1

    The sandbox runs with its defaults (sentry.io's rate limits on) and adds -LatencyMs to every request, as a
    distant Sentry would. 500 issues, all first seen in the last hour, in 5 projects: 200 raised by one release
    deployed 40 minutes ago, 100 behind one failing upstream host, 200 unrelated. Requests and 429s are counted by
    the sandbox itself (GET /sandbox/traffic). Median of -Iterations runs after one untimed warm-up.
#>
param(
    [int] $LatencyMs = 100,
    [int] $Iterations = 3,
    [string] $Configuration = 'Release',
    [string] $ResultsPath = (Join-Path $PSScriptRoot '../RESULTS.md')
)

$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$sandboxDll = Join-Path $root "src/SentryRunbook.Sandbox/bin/$Configuration/net10.0/SentryRunbook.Sandbox.dll"
$module = Join-Path $root 'out/SentryRunbook/SentryRunbook.psd1'
foreach ($path in $sandboxDll, $module) { if (-not (Test-Path $path)) { throw "Missing ${path}: run ./build.ps1 -Task Build first." } }

$projects = 'web', 'api', 'checkout', 'worker', 'billing'
$issues = foreach ($i in 0..499) {
    $project = $projects[$i % 5]
    $spec = @{ project = $project; exception = @{ type = 'BenchError'; value = "bench $i" }; fingerprint = @("bench-$i"); count = 3; users = 2; startMinutesAgo = 55 - ($i % 50) / 2; endMinutesAgo = 1; transaction = "task-$i" }
    if ($i -lt 200) { $spec.release = 'shop@2.0.0'; $spec.startMinutesAgo = 38 - ($i % 20) / 4 }
    elseif ($i -lt 300) {
        $spec.breadcrumbs = @(@{ type = 'http'; category = 'httplib'; level = 'error'; data = @{ url = 'https://api.upstream.example/v1/x'; method = 'POST'; status_code = 503 } })
    }
    $spec
}
$releases = foreach ($p in 'web', 'api', 'checkout', 'worker', 'billing') { @{ version = 'shop@2.0.0'; project = $p; createdMinutesAgo = 50; deploys = @(@{ environment = 'production'; minutesAgo = 40 }) } }
$scenarioPath = Join-Path ([IO.Path]::GetTempPath()) "grouping-bench-$([guid]::NewGuid().ToString('n')).json"
@{ seed = 5; projects = @($projects | ForEach-Object { @{ slug = $_ } }); releases = @($releases); issues = @($issues) } | ConvertTo-Json -Depth 8 | Set-Content -Path $scenarioPath

$info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($arg in @($sandboxDll, '--port', '0', '--scenario', $scenarioPath, '--latency-ms', "$LatencyMs")) { $info.ArgumentList.Add($arg) }
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
$sandbox = [System.Diagnostics.Process]::Start($info)
try {
    $announce = $sandbox.StandardOutput.ReadLine() | ConvertFrom-Json
    $null = $sandbox.StandardOutput.ReadToEndAsync()
    Import-Module $module -Force
    Connect-Sentry -BaseUri $announce.baseUri -Organization $announce.organization -Token (ConvertTo-SecureString $announce.token -AsPlainText -Force)

    $null = Group-SentryIssue   # warm-up
    $times = @(); $traffic = $null; $incidents = $null
    foreach ($run in 1..$Iterations) {
        Invoke-RestMethod -Method Delete -Uri "$($announce.baseUri)/sandbox/traffic" | Out-Null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $incidents = @(Group-SentryIssue)
        $watch.Stop()
        $times += $watch.Elapsed.TotalSeconds
        $traffic = Invoke-RestMethod -Uri "$($announce.baseUri)/sandbox/traffic"
    }
    $sorted = $times | Sort-Object
    $median = $sorted[[int][Math]::Floor($sorted.Count / 2)]
    $grouped = $incidents | Sort-Object { $_.Issues.Count } -Descending
    $routes = $traffic.routes.PSObject.Properties | Sort-Object { $_.Value.requests } -Descending | ForEach-Object { "| ``$($_.Name)`` | $($_.Value.requests) | $($_.Value.rateLimited) |" }

    $section = @"
## Group-SentryIssue over 500 issues (``bench/Grouping``)

Command: ``dotnet pwsh ./bench/Grouping/Invoke-GroupingBenchmark.ps1`` (sandbox with sentry.io's rate limits,
$LatencyMs ms added to every request; $Iterations timed runs after one warm-up; machine as above).

500 unresolved issues first seen in the last hour in 5 projects: 200 raised by one release deployed 40 minutes ago,
100 behind one failing upstream host, 200 unrelated. Result: $($incidents.Count) incidents; the largest
$(($grouped | Select-Object -First 2 | ForEach-Object { "$($_.Issues.Count) issues ($($_.Pattern))" }) -join ' and ').

Median time: $('{0:0.0}' -f $median) s (runs: $(($times | ForEach-Object { '{0:0.0}' -f $_ }) -join ', ') s). Requests of one run: $($traffic.requests), of which $($traffic.rateLimited) answered 429.

| route | requests | 429 |
| --- | ---: | ---: |
$($routes -join "`n")

The latest event of each issue (for the failing hosts) dominates: one request per issue on a 40/s route.
"@
    $existing = if (Test-Path $ResultsPath) { Get-Content -Raw $ResultsPath } else { "# Benchmarks`n" }
    $pattern = '(?s)## Group-SentryIssue over 500 issues.*?(?=\n## |\z)'
    $updated = if ($existing -match $pattern) { [regex]::Replace($existing, $pattern, $section.TrimEnd() + "`n") } else { $existing.TrimEnd() + "`n`n" + $section.TrimEnd() + "`n" }
    Set-Content -Path $ResultsPath -Value $updated -NoNewline
    $section
}
finally {
    if (-not $sandbox.HasExited) { $sandbox.Kill($true); $sandbox.WaitForExit(5000) | Out-Null }
    Remove-Item -LiteralPath $scenarioPath -ErrorAction SilentlyContinue
}

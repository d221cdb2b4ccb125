<#
.SYNOPSIS
    Storms of issues at sentry.io's rate limits: bulk status changes against sentry-cli, the triage of 100 piped
    issues against the floor Sentry's per-route limits impose, and one triage against the added latency.
    Writes its section of bench/RESULTS.md.

.DESCRIPTION
    A benchmark, not a test: it reports numbers and asserts nothing. Run it after ./build.ps1 -Task Build:

        dotnet pwsh ./bench/Scale/Invoke-ScaleBenchmark.ps1

    The sandbox runs with its defaults (sentry.io's rate limits and the bulk fallback hazard on) and adds
    -LatencyMs to every request, as a distant Sentry would. sentry-cli 3.8.0 is installed from npm into
    out/bench-tools/ (its binary comes from @sentry/cli-linux-x64) and is the anchor: `sentry-cli issues
    resolve -i … -i …` sends all ids in one unguarded request. Both sides change the same issues, measured
    in the same run, alternately, after one untimed warm-up each; between runs the issues are put back.
    Requests and 429s are counted by the sandbox itself (GET /sandbox/traffic).
#>
param(
    [int] $LatencyMs = 100,
    [int] $Iterations = 3,
    [int] $TriageRuns = 9,
    [string] $Configuration = 'Release',
    [string] $ResultsPath = (Join-Path $PSScriptRoot '../RESULTS.md')
)

$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$sandboxDll = Join-Path $root "src/SentryRunbook.Sandbox/bin/$Configuration/net10.0/SentryRunbook.Sandbox.dll"
$module = Join-Path $root 'out/SentryRunbook/SentryRunbook.psd1'
foreach ($path in $sandboxDll, $module) { if (-not (Test-Path $path)) { throw "Missing ${path}: run ./build.ps1 -Task Build first." } }

# sentry-cli from npm, once; --ignore-scripts: the platform package carries the binary, nothing is downloaded.
$tools = Join-Path $root 'out/bench-tools'
$cli = Join-Path $tools 'node_modules/@sentry/cli-linux-x64/bin/sentry-cli'
if (-not (Test-Path $cli)) {
    & npm install --prefix $tools --no-audit --no-fund --ignore-scripts '@sentry/cli@3.8.0' '@sentry/cli-linux-x64@3.8.0' | Out-Host
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $cli)) { throw 'npm could not install @sentry/cli 3.8.0; the anchor cannot run.' }
}
$cliVersion = (& $cli --version) -join ''

# A storm: 1,300 issues in one project, their events an hour old (none still firing), one release.
$issues = foreach ($i in 1..1300) {
    @{ project = 'shop'; exception = @{ type = 'StormError'; value = "storm $i" }; fingerprint = @("storm-$i"); release = 'shop@1.0.0'; count = 3; users = 2; startMinutesAgo = 150; endMinutesAgo = 60; transaction = "GET /items/$($i % 7)" }
}
$scenarioPath = Join-Path ([IO.Path]::GetTempPath()) "scale-bench-$([guid]::NewGuid().ToString('n')).json"
@{ seed = 3; projects = @(@{ slug = 'shop'; platform = 'javascript' }); releases = @(@{ version = 'shop@1.0.0'; project = 'shop'; createdMinutesAgo = 200; deploys = @(@{ environment = 'production'; minutesAgo = 190 }) }); issues = $issues } |
    ConvertTo-Json -Depth 6 | Set-Content -Path $scenarioPath

$info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($arg in @($sandboxDll, '--port', '0', '--scenario', $scenarioPath, '--latency-ms', "$LatencyMs")) { $info.ArgumentList.Add($arg) }
$info.RedirectStandardOutput = $true
$info.UseShellExecute = $false
$sandbox = [System.Diagnostics.Process]::Start($info)

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    if ($sorted.Count % 2) { return $sorted[[int][Math]::Floor($sorted.Count / 2)] }
    return ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2
}

function Format-Ms([double] $Ms) { if ($Ms -ge 10000) { '{0:0.0} s' -f ($Ms / 1000) } else { '{0:0} ms' -f $Ms } }

try {
    $connection = $sandbox.StandardOutput.ReadLine() | ConvertFrom-Json
    $null = $sandbox.StandardOutput.ReadToEndAsync()
    $base = $connection.baseUri
    Import-Module $module -Force
    Connect-Sentry -BaseUri $base -Organization $connection.organization -Token (ConvertTo-SecureString $connection.token -AsPlainText -Force)

    function Reset-Traffic { Invoke-RestMethod -Method Delete -Uri "$base/sandbox/traffic" | Out-Null }
    function Get-Traffic { Invoke-RestMethod -Uri "$base/sandbox/traffic" }
    function Get-Statuses { $s = @{}; foreach ($i in Get-SentryIssue -Query '' -StatsPeriod 14d) { $s[$i.Id] = $i.Status }; $s }

    $all = @(Get-SentryIssue -Project shop -Query 'is:unresolved' -StatsPeriod 14d)
    $cliEnv = @{ SENTRY_URL = $base; SENTRY_AUTH_TOKEN = $connection.token; SENTRY_DISABLE_UPDATE_CHECK = '1'; SENTRY_LOG_LEVEL = 'warn' }
    foreach ($k in $cliEnv.Keys) { [Environment]::SetEnvironmentVariable($k, $cliEnv[$k]) }

    function Invoke-CliResolve([string[]] $Ids) {
        $arguments = @('issues', 'resolve', '-o', $connection.organization, '-p', 'shop') + ($Ids | ForEach-Object { '-i', $_ })
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $output = & $cli @arguments 2>&1
        $watch.Stop()
        if ($LASTEXITCODE -ne 0) { throw "sentry-cli failed: $output" }
        $watch.Elapsed.TotalMilliseconds
    }

    function Restore-Unresolved($Chosen) { $Chosen | Set-SentryIssueStatus -Status Unresolved -Force }

    $bulk = foreach ($size in 250, 1000) {
        $chosen = $all | Select-Object -First $size
        $others = $all | Select-Object -Skip $size
        $cliRuns = @(); $ourRuns = @(); $limited = 0; $errors = 0; $wrong = 0; $otherChanged = 0; $requests = 0
        # Warm-up, untimed: JIT, connections, the client's budgets.
        $null = Invoke-CliResolve $chosen.Id; Restore-Unresolved $chosen
        $chosen | Set-SentryIssueStatus -Status Resolved -Force; Restore-Unresolved $chosen
        foreach ($i in 1..$Iterations) {
            $cliRuns += Invoke-CliResolve $chosen.Id
            Restore-Unresolved $chosen
            # Read just before, untimed, as in `Get-SentryIssue … | Set-SentryIssueStatus`: fresh copies are not read again.
            $fresh = $chosen.Id | Get-SentryIssue
            Reset-Traffic
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $fresh | Set-SentryIssueStatus -Status Resolved -Force -ErrorVariable problems -ErrorAction SilentlyContinue
            $watch.Stop()
            $ourRuns += $watch.Elapsed.TotalMilliseconds
            $traffic = Get-Traffic
            $limited += $traffic.rateLimited
            $requests = $traffic.requests
            $errors += @($problems).Count
            $statuses = Get-Statuses
            $wrong += @($chosen | Where-Object { $statuses[$_.Id] -ne 'resolved' }).Count
            $otherChanged += @($others | Where-Object { $statuses[$_.Id] -ne 'unresolved' }).Count
            Restore-Unresolved $chosen
        }
        [pscustomobject]@{ Size = $size; Cli = Get-Median $cliRuns; Ours = Get-Median $ourRuns; OursMax = ($ourRuns | Measure-Object -Maximum).Maximum; Limited = $limited; Errors = $errors; Wrong = $wrong; OtherChanged = $otherChanged; Requests = $requests }
    }

    # 100 piped issues triaged: the floor is what Sentry's per-route limits impose on the requests made.
    $hundred = $all | Select-Object -First 100
    $null = $all | Select-Object -Skip 200 -First 20 | Invoke-SentryTriage   # warm-up on other issues
    Reset-Traffic
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $reports = @($hundred | Invoke-SentryTriage -ErrorVariable triageProblems -ErrorAction SilentlyContinue)
    $watch.Stop()
    $triageMs = $watch.Elapsed.TotalMilliseconds
    $traffic = Get-Traffic
    $routes = foreach ($p in $traffic.routes.PSObject.Properties) {
        $r = $p.Value
        $windows = [Math]::Ceiling($r.requests / $r.limit)
        [pscustomobject]@{ Route = $p.Name; Requests = $r.requests; Limit = $r.limit; Window = $r.windowSeconds; FloorMs = ($windows - 1) * $r.windowSeconds * 1000 + $LatencyMs; RateLimited = $r.rateLimited }
    }
    $routes = $routes | Sort-Object FloorMs -Descending
    $floor = $routes[0]

    # One triage at a prompt, by short id, warm.
    $one = $all[500].ShortId
    $null = Invoke-SentryTriage $one
    $oneRuns = foreach ($i in 1..$TriageRuns) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-SentryTriage $one
        $watch.Stop()
        $watch.Elapsed.TotalMilliseconds
        Start-Sleep -Milliseconds 1100   # one triage at a time, as at a prompt: each starts with Sentry's windows free
    }
    $oneMedian = Get-Median $oneRuns
}
finally {
    if (-not $sandbox.HasExited) { $sandbox.Kill($true) }
    foreach ($k in 'SENTRY_URL', 'SENTRY_AUTH_TOKEN', 'SENTRY_DISABLE_UPDATE_CHECK', 'SENTRY_LOG_LEVEL') { [Environment]::SetEnvironmentVariable($k, $null) }
    Remove-Item -LiteralPath $scenarioPath -ErrorAction SilentlyContinue
}

$machine = "$([Environment]::ProcessorCount) cores, $([Math]::Round((Get-Content /proc/meminfo -First 1 -ErrorAction SilentlyContinue | ForEach-Object { ($_ -split '\s+')[1] / 1MB }), 1)) GiB, $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"
$bulkRows = ($bulk | ForEach-Object {
    $ratio = $_.Ours / $_.Cli
    "| $($_.Size) | $(Format-Ms $_.Cli) | $(Format-Ms $_.Ours) (max $(Format-Ms $_.OursMax)) | $('{0:0.0}' -f $ratio) x | $($_.Requests) | $($_.Limited) | $($_.Errors) | $($_.Wrong) | $($_.OtherChanged) |"
}) -join "`n"
$routeRows = ($routes | ForEach-Object { "| ``$($_.Route)`` | $($_.Requests) | $($_.Limit) / $($_.Window) s | $(Format-Ms $_.FloorMs) | $($_.RateLimited) |" }) -join "`n"
$b250 = $bulk | Where-Object Size -eq 250
$b1000 = $bulk | Where-Object Size -eq 1000
$section = @"
## Scale: storms of issues at sentry.io's rate limits

Command: ``dotnet pwsh ./bench/Scale/Invoke-ScaleBenchmark.ps1 -LatencyMs $LatencyMs -Iterations $Iterations -TriageRuns $TriageRuns``
Run: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC on $machine. The sandbox with its defaults
(sentry.io's rate limits, the bulk fallback hazard on) adds $LatencyMs ms to every request; a storm of 1,300 issues in one project.
Anchor: $cliVersion from npm, ``sentry-cli issues resolve -o acme -p shop -i … -i …`` (all ids in one unguarded request), timed in the same run.

### Resolving piped issues: ```$issues | Set-SentryIssueStatus -Status Resolved -Force``

Median of $Iterations runs each, warm, alternating with sentry-cli; errors, wrong statuses and changed bystanders summed over the runs.

| issues | sentry-cli | Set-SentryIssueStatus | ratio | requests (ours, one run) | 429s | errors | not resolved | other issues changed |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$bulkRows

Targets: 250 issues within 3 x sentry-cli's time: $('{0:0.0}' -f ($b250.Ours / $b250.Cli)) x ($(if ($b250.Ours -le 3 * $b250.Cli) { 'met' } else { 'missed' })); 1,000 issues within 3 s: $(Format-Ms $b1000.Ours) ($(if ($b1000.Ours -le 3000) { 'met' } else { 'missed' })); 0 errors and 0 answers 429: $(if (($bulk | Measure-Object Limited, Errors, Wrong, OtherChanged -Sum | Measure-Object Sum -Sum).Sum -eq 0) { 'met' } else { 'missed' }).
The issues are read just before each timed run (untimed, ``$ids | Get-SentryIssue``: 100 to a request), as in ``Get-SentryIssue … | Set-SentryIssueStatus``;
copies read within the last minute are not read again. Our requests: bulk PUTs of one project with as many ids as an 8,000-character URL holds,
each guarded by ``query=issue.id:[…]`` so the fallback search can only match the named ids, and the batched read back (``group=``, 100 a request).
sentry-cli's single request gives no per-issue result and no guard; ours report each issue as Sentry has it afterwards.

### Triage of 100 piped issues: ```$issues | Invoke-SentryTriage``

$(Format-Ms $triageMs) for $($reports.Count) reports ($(@($triageProblems).Count) errors), $($traffic.requests) requests, $($traffic.rateLimited) answered 429.
The floor Sentry's per-route limits impose: for each route, n requests at a limit of L per window need ceil(n / L) windows,
and the last of them still takes one round trip ($LatencyMs ms): floor = max over routes of (ceil(n / L) - 1) x window + latency
= $(Format-Ms $floor.FloorMs) (``$($floor.Route)``). Result: $('{0:0.00}' -f ($triageMs / $floor.FloorMs)) x the floor (target: within 1.2 x, $(if ($triageMs -le 1.2 * $floor.FloorMs) { 'met' } else { 'missed' })).

| route | requests | limit | floor | 429s |
| --- | ---: | ---: | ---: | ---: |
$routeRows

### One triage at a prompt: ``Invoke-SentryTriage $one``

Median of $TriageRuns warm runs: $(Format-Ms $oneMedian) = $('{0:0.0}' -f ($oneMedian / $LatencyMs)) x the added latency (target: at most 2.5 x, $(if ($oneMedian -le 2.5 * $LatencyMs) { 'met' } else { 'missed' })); runs: $(($oneRuns | ForEach-Object { '{0:0}' -f $_ }) -join ', ') ms.
Critical path: two round trips (what needs only the id at once; the rest as soon as the issue, its latest event or its tags arrive).
"@

$existing = if (Test-Path $ResultsPath) { Get-Content -Raw $ResultsPath } else { "# Benchmarks`n" }
$pattern = '(?ms)^## Scale: .*?(?=^## |\z)'
$updated = if ($existing -match $pattern) { [regex]::Replace($existing, $pattern, $section.TrimEnd() + "`n`n") } else { $existing.TrimEnd() + "`n`n" + $section.TrimEnd() + "`n" }
Set-Content -Path $ResultsPath -Value $updated.TrimEnd() -Encoding utf8NoBOM
Write-Host $section

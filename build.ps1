#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages SentryRunbook.

.DESCRIPTION
    Plain PowerShell, no Gallery-only tools. Run it with the pinned pwsh: `dotnet tool restore`, then
    `dotnet pwsh ./build.ps1 -Task <Task>`.

    Build    compiles the solution and assembles the module at out/SentryRunbook/.
    Test     Build, then xunit and Pester; the last line is "N passed, N failed".
    Demo     Build, then runs the runbook against the sandbox and writes what it produced to out/demo/.
    Sandbox  starts the local Sentry (-Scenario, default seed-examples); its first output line is JSON.
    Package  Build, then writes a module package (.nupkg) that Install-Module/Publish-Module accept, and
             SentryRunbook.zip for Azure Automation's "Add a module" (out/package/).
    Clean    removes out/ and every bin/ and obj/.
    Help     Build, then regenerates module/en-US/*-Help.xml from docs/help/*.md (commit the result).

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Sandbox', 'Package', 'Clean', 'Help')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # For -Task Sandbox: the scenario to load.
    [string] $Scenario = 'seed-examples',

    # For -Task Sandbox: the port (0 picks a free one).
    [int] $Port = 0,

    # STYLE.md's switch spelling; each selects the task of the same name.
    [switch] $Clean,
    [switch] $Build,
    [switch] $Assemble,
    [switch] $Test,
    [switch] $Package
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'SentryRunbook'
$Solution = Join-Path $Root 'SentryRunbook.PowerShell.sln'

if ($Clean) { $Task = 'Clean' } elseif ($Package) { $Task = 'Package' } elseif ($Test) { $Task = 'Test' } elseif ($Build -or $Assemble) { $Task = 'Build' }

function Invoke-Native {
    # Runs a native command and stops the build when it fails; native failures do not throw by themselves.
    # Its output goes to stderr, not stdout: -Task Sandbox's first line of output must be the sandbox's JSON.
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList 2>&1 | ForEach-Object { [Console]::Error.WriteLine($_) }
    if ($LASTEXITCODE -ne 0) { throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw (Join-Path $Root 'Directory.Build.props')
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_.ModuleVersion } | Where-Object { $_ })[0]
    if (-not $version) { throw 'Directory.Build.props has no <ModuleVersion>.' }
    return $version
}

function Get-NuGetPackageRoot {
    $line = & dotnet nuget locals global-packages --list
    if ($LASTEXITCODE -ne 0) { throw 'dotnet nuget locals failed.' }
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Clean {
    foreach ($dir in @($Out) + @(Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests'), (Join-Path $Root 'bench') -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue | ForEach-Object FullName)) {
        if (Test-Path $dir) { Remove-Item -Recurse -Force $dir }
    }
    Write-Host 'Clean: removed out/, bin/ and obj/.'
}

function Invoke-Build {
    Write-Host "Build: dotnet build ($Configuration)"
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/Tools.proj'), '--verbosity', 'quiet')
    Invoke-Native dotnet @('build', $Solution, '-c', $Configuration, '--nologo', '--verbosity', 'quiet')
    Invoke-Assemble
}

function Invoke-Assemble {
    # The module folder: cmdlets and Core at the root (PowerShell sees their types), everything else in
    # dependencies/ (loaded privately, see src/SentryRunbook.PowerShell/Loading/ModuleInitializer.cs).
    $bin = Join-Path $Root "src/SentryRunbook.PowerShell/bin/$Configuration/netstandard2.0"
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $deps = New-Item -ItemType Directory -Force -Path (Join-Path $ModuleOut 'dependencies')

    $rootAssemblies = 'SentryRunbook.PowerShell', 'SentryRunbook.Core'
    foreach ($name in $rootAssemblies) {
        Copy-Item (Join-Path $bin "$name.dll") $ModuleOut
        Copy-Item (Join-Path $bin "$name.pdb") $ModuleOut -ErrorAction SilentlyContinue
    }
    Get-ChildItem $bin -Filter *.dll |
        Where-Object { $_.BaseName -notin $rootAssemblies -and $_.BaseName -ne 'System.Management.Automation' } |
        Copy-Item -Destination $deps
    Copy-Item (Join-Path $Root 'module/*') $ModuleOut -Recurse
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut

    $manifest = Get-Content -Raw (Join-Path $Root 'SentryRunbook.psd1')
    $manifest = $manifest -replace "ModuleVersion(\s*)=(\s*)'[^']*'", "ModuleVersion`$1=`$2'$(Get-ModuleVersion)'"
    Set-Content -Path (Join-Path $ModuleOut 'SentryRunbook.psd1') -Value $manifest -Encoding utf8NoBOM

    $expected = Get-Content (Join-Path $Root 'build/dependencies.txt') | Where-Object { $_ -and -not $_.StartsWith('#') } | Sort-Object
    $actual = Get-ChildItem $deps -File | ForEach-Object Name | Sort-Object
    $diff = Compare-Object $expected $actual
    if ($diff) {
        $text = ($diff | ForEach-Object { "$($_.InputObject) ($(if ($_.SideIndicator -eq '<=') { 'expected, missing' } else { 'present, not expected' }))" }) -join '; '
        throw "dependencies/ does not match build/dependencies.txt: $text. Update the list if the change is intended."
    }
    if (Get-ChildItem $ModuleOut -Recurse -Filter 'System.Management.Automation.dll') { throw 'The module must not ship System.Management.Automation.dll.' }
    Write-Host "Build: module assembled at $ModuleOut"
}

function Get-SandboxPath {
    Join-Path $Root "src/SentryRunbook.Sandbox/bin/$Configuration/net10.0/SentryRunbook.Sandbox.dll"
}

function Read-TrxCounts {
    param([string] $Path)
    [xml] $trx = Get-Content -Raw $Path
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int] $counters.passed; Failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout }
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Force -Path $results | Out-Null

    $passed = 0
    $failed = 0
    foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Recurse -Filter '*.Tests.csproj') {
        $trx = Join-Path $results "$($project.BaseName).trx"
        Write-Host "Test: xunit $($project.BaseName)"
        & dotnet test $project.FullName -c $Configuration --no-build --nologo --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
        if (Test-Path $trx) {
            $counts = Read-TrxCounts $trx
            $passed += $counts.Passed
            $failed += $counts.Failed
        }
        else {
            Write-Host "Test: $($project.BaseName) produced no results (exit code $LASTEXITCODE); counted as one failure."
            $failed += 1
        }
    }

    # Pester runs in a fresh pwsh so that it imports the assembled module exactly as a user would.
    $pesterResult = Join-Path $results 'pester.json'
    Write-Host 'Test: Pester'
    & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Pester/Invoke-PesterTests.ps1') -ResultPath $pesterResult -PesterPath (Join-Path (Get-NuGetPackageRoot) 'pester/5.7.1/tools/Pester.psd1') -Configuration $Configuration
    if (Test-Path $pesterResult) {
        $pester = Get-Content -Raw $pesterResult | ConvertFrom-Json
        $passed += $pester.Passed
        $failed += $pester.Failed
    }
    else {
        Write-Host "Test: Pester produced no results (exit code $LASTEXITCODE); counted as one failure."
        $failed += 1
    }

    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Start-Sandbox {
    # Starts the sandbox in the background and returns its process and the JSON of its first line.
    param([string] $ScenarioName = 'seed-examples')
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($arg in @((Get-SandboxPath), '--port', '0', '--scenario', $ScenarioName)) { $info.ArgumentList.Add($arg) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) { throw 'The sandbox exited before it printed its connection line.' }
    # Keep reading what follows, so a chatty sandbox never blocks on a full pipe.
    $null = $process.StandardOutput.ReadToEndAsync()
    [pscustomobject]@{ Process = $process; Info = ($line | ConvertFrom-Json) }
}

function Invoke-Demo {
    Invoke-Build
    $demo = Join-Path $Out 'demo'
    if (Test-Path $demo) { Remove-Item -Recurse -Force $demo }
    New-Item -ItemType Directory -Force -Path $demo | Out-Null

    $sandbox = Start-Sandbox -ScenarioName 'seed-examples'
    try {
        $info = $sandbox.Info
        Write-Host "Demo: sandbox Sentry at $($info.baseUri), organization '$($info.organization)'"
        Import-Module (Join-Path $ModuleOut 'SentryRunbook.psd1') -Force
        Connect-Sentry -BaseUri $info.baseUri -Organization $info.organization -Token (ConvertTo-SecureString $info.token -AsPlainText -Force)

        Write-Host 'Demo: step 1, the unresolved issues seen in the last hour'
        $issues = Get-SentryIssue -Query 'is:unresolved lastSeen:-1h' -Sort freq -First 10
        $table = $issues | Format-Table | Out-String -Width 160
        Write-Host $table
        Set-Content -Path (Join-Path $demo 'unresolved-issues.txt') -Value $table -Encoding utf8NoBOM
        $issues | Select-Object ShortId, Level, Status, Count, UserCount, FirstSeen, LastSeen, Title, Permalink |
            ConvertTo-Json -Depth 3 | Set-Content -Path (Join-Path $demo 'unresolved-issues.json') -Encoding utf8NoBOM

        Write-Host 'Demo: step 2, triage them: severity, trend and the strongest root-cause pattern'
        $reports = $issues | Invoke-SentryTriage
        $severityTable = $reports | Sort-Object { $_.Severity.Severity }, { -$_.Issue.Count } |
            Format-Table ShortId, @{ n = 'Severity'; e = { $_.Severity.Severity } }, @{ n = 'Rule'; e = { $_.Severity.Rule } }, Trend,
                @{ n = 'Pattern'; e = { $_.Patterns | Select-Object -First 1 -ExpandProperty Pattern } }, @{ n = 'Title'; e = { $_.Issue.Title } } |
            Out-String -Width 160
        Write-Host $severityTable
        Set-Content -Path (Join-Path $demo 'severity.txt') -Value $severityTable -Encoding utf8NoBOM
        $p0 = $reports | Where-Object { $_.Severity.Severity -eq 'P0' } | Select-Object -First 1
        if (-not $p0) { throw 'The seed-examples scenario has no P0: the demo cannot go on.' }
        $id = $p0.ShortId
        Set-Content -Path (Join-Path $demo "triage-$id.txt") -Value ($p0 | Format-List | Out-String -Width 160) -Encoding utf8NoBOM

        Write-Host "Demo: step 3, the initial alert for the P0 ($id)"
        $initial = $p0 | New-IncidentMessage -Kind Initial -IncidentLead 'on-call'
        Write-Host $initial.Text
        Set-Content -Path (Join-Path $demo 'initial-alert.txt') -Value $initial.Text -Encoding utf8NoBOM
        Set-Content -Path (Join-Path $demo 'initial-alert.slack.json') -Value $initial.SlackPayload -Encoding utf8NoBOM
        Set-Content -Path (Join-Path $demo 'initial-alert.pagerduty.json') -Value $initial.PagerDutyPayload -Encoding utf8NoBOM

        Write-Host 'Demo: step 4, save the evidence, roll back, resolve in the next release'
        $evidence = Save-IncidentEvidence $id -Path (Join-Path $demo "$id.evidence.json")
        $rollback = Get-SentryRollbackTarget -Environment production -Project $p0.Issue.Project
        $deploy = $rollback | New-SentryDeploy -Name 'rollback (demo)'
        Set-SentryIssueStatus $id -Status Resolved -InNextRelease -Reason "rolled back to $($rollback.Release)" -Force
        Write-Host "  evidence: $($evidence.ExchangeCount) Sentry answers, SHA-256 $($evidence.Sha256.Substring(0, 12))..."
        Write-Host "  rollback: $($rollback.CurrentRelease) -> $($rollback.Release), deploy recorded at $($deploy.DateFinished.UtcDateTime.ToString('yyyy-MM-dd HH:mm')) UTC"

        Write-Host 'Demo: step 5, the resolution notice'
        $resolution = Invoke-SentryTriage $id | New-IncidentMessage -Kind Resolution -FixApplied "rollback to $($rollback.Release)" -PostmortemUrl "file://out/demo/postmortem-$id.md"
        Write-Host $resolution.Text
        Set-Content -Path (Join-Path $demo 'resolution-notice.txt') -Value $resolution.Text -Encoding utf8NoBOM

        Write-Host 'Demo: step 6, the postmortem (Markdown and HTML) and the timeline'
        $postmortem = New-Postmortem $id -Path (Join-Path $demo "postmortem-$id.md") -Force
        $null = New-Postmortem $id -Format Html -Path (Join-Path $demo "postmortem-$id.html") -Force
        $timeline = Get-IncidentTimeline $id
        Set-Content -Path (Join-Path $demo "timeline-$id.txt") -Value ($timeline.Entries | Format-Table | Out-String -Width 200) -Encoding utf8NoBOM
        Write-Host "  $($postmortem.Title): $($postmortem.Path)"
        Write-Host "  time to acknowledge $([SentryRunbook.Text.Formats]::Duration($timeline.TimeToAcknowledge)), to resolve $([SentryRunbook.Text.Formats]::Duration($timeline.TimeToResolve))"
        Disconnect-Sentry
        Write-Host "Demo: done; files in $demo"
        Get-ChildItem $demo | ForEach-Object { Write-Host "  $($_.Name)" }
    }
    finally {
        if (-not $sandbox.Process.HasExited) { $sandbox.Process.Kill($true) }
    }
}

function Invoke-Sandbox {
    Invoke-Native dotnet @('build', (Join-Path $Root 'src/SentryRunbook.Sandbox'), '-c', $Configuration, '--nologo', '--verbosity', 'quiet')
    # Foreground: the sandbox's own first line is the connection JSON; Ctrl+C stops it.
    & dotnet (Get-SandboxPath) --port $Port --scenario $Scenario
}

function Invoke-Package {
    Invoke-Build
    $feed = Join-Path $Out 'package'
    New-Item -ItemType Directory -Force -Path $feed | Out-Null
    Get-ChildItem $feed -Filter 'SentryRunbook.*.nupkg' | Remove-Item -Force
    $repository = "SentryRunbookBuild-$PID"
    Register-PSResourceRepository -Name $repository -Uri $feed -Trusted
    try {
        Publish-PSResource -Path $ModuleOut -Repository $repository -SkipDependenciesCheck
    }
    finally {
        Unregister-PSResourceRepository -Name $repository
    }
    Get-ChildItem $feed -Filter 'SentryRunbook.*.nupkg' | ForEach-Object { Write-Host "Package: $($_.FullName)" }
    # Azure Automation's "Add a module" takes a zip whose root folder is the module.
    $zip = & (Join-Path $Root 'build/New-AutomationZip.ps1') -ModulePath $ModuleOut -DestinationPath (Join-Path $feed 'SentryRunbook.zip')
    Write-Host "Package: $($zip.FullName) (Azure Automation)"
}

function Invoke-Help {
    Invoke-Build
    $maml = Join-Path $Root 'module/en-US/SentryRunbook.PowerShell.dll-Help.xml'
    # A separate pwsh, so that the freshly built module is the one imported.
    Invoke-Native dotnet @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-File', (Join-Path $Root 'build/New-MamlHelp.ps1'), '-ModulePath', (Join-Path $ModuleOut 'SentryRunbook.psd1'), '-OutputPath', $maml)
    Invoke-Assemble
}

switch ($Task) {
    'Clean' { Invoke-Clean }
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Sandbox' { Invoke-Sandbox }
    'Package' { Invoke-Package }
    'Help' { Invoke-Help }
}

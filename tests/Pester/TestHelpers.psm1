# Shared by the Pester suite: where the assembled module is, and a sandbox Sentry per test file.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Configuration = if ($env:SENTRYRUNBOOK_CONFIGURATION) { $env:SENTRYRUNBOOK_CONFIGURATION } else { 'Release' }

function Get-TestModulePath {
    Join-Path $script:RepoRoot 'out/SentryRunbook/SentryRunbook.psd1'
}

function Get-RepoRoot { $script:RepoRoot }

function Start-TestSandbox {
    <# Starts the sandbox on a free port and returns its connection details and process. #>
    param([string] $Scenario = 'seed-examples', [string[]] $ExtraArgument = @())
    $dll = Join-Path $script:RepoRoot "src/SentryRunbook.Sandbox/bin/$script:Configuration/net10.0/SentryRunbook.Sandbox.dll"
    if (-not (Test-Path $dll)) { throw "The sandbox is not built: $dll. Run ./build.ps1 -Task Build." }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($arg in @($dll, '--port', '0', '--scenario', $Scenario) + $ExtraArgument) { $info.ArgumentList.Add($arg) }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) { throw "The sandbox exited early (exit code $(if ($process.HasExited) { $process.ExitCode }))." }
    # Drain the rest so the sandbox never blocks on a full pipe.
    $null = $process.StandardOutput.ReadToEndAsync()
    $json = $line | ConvertFrom-Json
    [pscustomobject]@{
        Process      = $process
        BaseUri      = $json.baseUri
        Organization = $json.organization
        Project      = $json.project
        Token        = $json.token
        SecureToken  = (ConvertTo-SecureString $json.token -AsPlainText -Force)
        Dsn          = $json.dsn
    }
}

function Stop-TestSandbox {
    param($Sandbox)
    if ($Sandbox -and $Sandbox.Process -and -not $Sandbox.Process.HasExited) {
        $Sandbox.Process.Kill($true)
        $Sandbox.Process.WaitForExit(5000) | Out-Null
    }
}

function Invoke-FreshPwsh {
    <# Runs a script in a new pwsh process (the one running these tests) and returns its output lines. #>
    param([Parameter(Mandatory)] [string] $Script)
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
}

Export-ModuleMember -Function Get-TestModulePath, Get-RepoRoot, Start-TestSandbox, Stop-TestSandbox, Invoke-FreshPwsh

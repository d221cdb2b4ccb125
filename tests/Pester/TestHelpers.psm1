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

function Start-TestWebhook {
    <#
        A local webhook receiver on 127.0.0.1: records every request (path, headers, body) and answers with the
        statuses queued in .Plan first (429s carry Retry-After: 1), then 200 (202 with PagerDuty's body on /v2/enqueue).
    #>
    $requests = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
    $plan = [System.Collections.Concurrent.ConcurrentQueue[int]]::new()
    $listener = $null
    foreach ($attempt in 1..20) {
        $port = Get-Random -Minimum 20000 -Maximum 60000
        $candidate = [System.Net.HttpListener]::new()
        $candidate.Prefixes.Add("http://127.0.0.1:$port/")
        try { $candidate.Start(); $listener = $candidate; break } catch { $candidate.Close() }
    }
    if (-not $listener) { throw 'No free port for the webhook receiver.' }

    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $null = $ps.AddScript({
        param($listener, $requests, $plan)
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            $reader = [System.IO.StreamReader]::new($context.Request.InputStream)
            $body = $reader.ReadToEnd()
            $requests.Enqueue([pscustomobject]@{ Path = $context.Request.Url.AbsolutePath; Body = $body; ContentType = $context.Request.ContentType })
            $status = 0
            if (-not $plan.TryDequeue([ref] $status)) { $status = if ($context.Request.Url.AbsolutePath -eq '/v2/enqueue') { 202 } else { 200 } }
            $context.Response.StatusCode = $status
            if ($status -eq 429) { $context.Response.AddHeader('Retry-After', '1') }
            $answer = if ($status -eq 202) { '{"status":"success","message":"Event processed"}' } elseif ($status -eq 200) { 'ok' } else { '{"error":"try later"}' }
            $bytes = [Text.Encoding]::UTF8.GetBytes($answer)
            $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
            $context.Response.Close()
        }
    }).AddArgument($listener).AddArgument($requests).AddArgument($plan)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{ Uri = "http://127.0.0.1:$port"; Requests = $requests; Plan = $plan; Listener = $listener; PowerShell = $ps; Runspace = $runspace; Handle = $handle }
}

function Stop-TestWebhook {
    param($Webhook)
    if (-not $Webhook) { return }
    $Webhook.Listener.Stop()
    $Webhook.Listener.Close()
    $null = $Webhook.Handle.AsyncWaitHandle.WaitOne(5000)
    $Webhook.PowerShell.Dispose()
    $Webhook.Runspace.Dispose()
}

function Receive-TestWebhook {
    <# The requests received so far, oldest first, emptying the queue. #>
    param($Webhook)
    $item = $null
    while ($Webhook.Requests.TryDequeue([ref] $item)) { $item }
}

function Install-CompatClient {
    <#
        Installs the real Sentry clients pinned in tests/Compat/package.json and package-lock.json (sentry-cli,
        Sentry's MCP server, @sentry/node) from npm into a cache, once per pinned set, like build/Tools.proj fetches
        Pester: $env:SENTRYRUNBOOK_CLIENT_CACHE, else ~/.cache/sentryrunbook/clients/<hash of the pins>. A filled cache
        needs no network. Never throws: when Node.js/npm are missing or the registry is unreachable, .Error says what
        happened and what to do, and the compatibility tests fail with it.
    #>
    $compat = Join-Path $script:RepoRoot 'tests/Compat'
    $pins = @('package.json', 'package-lock.json') | ForEach-Object { Get-Content -Raw (Join-Path $compat $_) }
    $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($pins -join "`n"))).Substring(0, 16).ToLowerInvariant()
    $base = if ($env:SENTRYRUNBOOK_CLIENT_CACHE) { $env:SENTRYRUNBOOK_CLIENT_CACHE } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.cache/sentryrunbook/clients' }
    $root = Join-Path $base $hash
    $result = [pscustomobject]@{ Root = $root; Node = $null; SentryCli = $null; McpServer = $null; NodeModules = (Join-Path $root 'node_modules'); Error = $null }

    $node = Get-Command node -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $npm = Get-Command npm -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $node -or -not $npm) {
        $result.Error = 'Node.js 20+ and npm are needed to run the real clients (sentry-cli, @sentry/mcp-server, @sentry/node) against the sandbox. Install them (Debian/Ubuntu: apt-get install nodejs npm; .ci/run does this on CI) and run the tests again.'
        return $result
    }
    $result.Node = $node.Source
    $marker = Join-Path $root '.installed'
    if (-not (Test-Path $marker)) {
        New-Item -ItemType Directory -Force -Path $root | Out-Null
        Copy-Item (Join-Path $compat 'package.json'), (Join-Path $compat 'package-lock.json') $root -Force
        # --ignore-scripts: nothing runs at install time; sentry-cli's binary comes from its platform package.
        Push-Location $root
        try {
            $output = & $npm.Source ci --ignore-scripts --no-audit --no-fund --fetch-retries=1 2>&1 | Out-String
            $exitCode = $LASTEXITCODE
        }
        finally { Pop-Location }
        if ($exitCode -ne 0) {
            $result.Error = "npm could not install the pinned clients into $root (offline, or no access to the npm registry?). Connect to the registry once to fill the cache, or point SENTRYRUNBOOK_CLIENT_CACHE at a filled one. npm said: $($output.Trim() -split "`n" | Select-Object -Last 5 | Out-String)"
            return $result
        }
        Set-Content -Path $marker -Value $hash
    }
    $cli = Get-ChildItem (Join-Path $root 'node_modules/@sentry') -Directory -Filter 'cli-*' -ErrorAction SilentlyContinue |
        ForEach-Object { Get-ChildItem (Join-Path $_.FullName 'bin') -File -ErrorAction SilentlyContinue } | Select-Object -First 1
    if (-not $cli) {
        $result.Error = "No sentry-cli binary for this platform under $root/node_modules/@sentry (npm installs only the optional package that matches the OS and CPU)."
        return $result
    }
    $result.SentryCli = $cli.FullName
    $result.McpServer = Join-Path $root 'node_modules/@sentry/mcp-server/dist/index.js'
    $result
}

Export-ModuleMember -Function Get-TestModulePath, Get-RepoRoot, Start-TestSandbox, Stop-TestSandbox, Invoke-FreshPwsh, Start-TestWebhook, Stop-TestWebhook, Receive-TestWebhook, Install-CompatClient

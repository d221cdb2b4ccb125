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
        A local webhook receiver on 127.0.0.1 (a Start-TestListener): records every request (path, headers, body) and
        answers with the statuses queued in .Plan first (429s carry Retry-After: 1), then 200 (202 with PagerDuty's
        body on /v2/enqueue).
    #>
    $state = @{
        Requests = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
        Plan = [System.Collections.Concurrent.ConcurrentQueue[int]]::new()
    }
    $server = Start-TestListener -State $state -Handler {
        param($context, $state)
        $reader = [System.IO.StreamReader]::new($context.Request.InputStream)
        $body = $reader.ReadToEnd()
        $state.Requests.Enqueue([pscustomobject]@{ Path = $context.Request.Url.AbsolutePath; Body = $body; ContentType = $context.Request.ContentType })
        $status = 0
        if (-not $state.Plan.TryDequeue([ref] $status)) { $status = if ($context.Request.Url.AbsolutePath -eq '/v2/enqueue') { 202 } else { 200 } }
        $context.Response.StatusCode = $status
        if ($status -eq 429) { $context.Response.AddHeader('Retry-After', '1') }
        $answer = if ($status -eq 202) { '{"status":"success","message":"Event processed"}' } elseif ($status -eq 200) { 'ok' } else { '{"error":"try later"}' }
        $bytes = [Text.Encoding]::UTF8.GetBytes($answer)
        $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
        $context.Response.Close()
    }
    $server | Add-Member -NotePropertyName Requests -NotePropertyValue $state.Requests
    $server | Add-Member -NotePropertyName Plan -NotePropertyValue $state.Plan -PassThru
}

function Stop-TestWebhook {
    param($Webhook)
    Stop-TestListener $Webhook
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

function Start-TestListener {
    <#
        A loopback HttpListener served from its own runspace: $Handler (a script block taking $context and
        $state) answers each request. Returns the listener's Uri and what Stop-TestListener needs.
    #>
    param([Parameter(Mandatory)] [scriptblock] $Handler, [hashtable] $State = @{})
    $listener = $null
    foreach ($attempt in 1..20) {
        $port = Get-Random -Minimum 20000 -Maximum 60000
        $candidate = [System.Net.HttpListener]::new()
        $candidate.Prefixes.Add("http://127.0.0.1:$port/")
        try { $candidate.Start(); $listener = $candidate; break } catch { $candidate.Close() }
    }
    if (-not $listener) { throw 'No free port for a local listener.' }
    $shared = [hashtable]::Synchronized($State)
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $null = $ps.AddScript({
        param($listener, $handlerText, $state)
        $handler = [scriptblock]::Create($handlerText)
        while ($listener.IsListening) {
            try { $context = $listener.GetContext() } catch { break }
            try { & $handler $context $state } catch { try { $context.Response.StatusCode = 500; $context.Response.Close() } catch { } }
        }
    }).AddArgument($listener).AddArgument($Handler.ToString()).AddArgument($shared)
    $handle = $ps.BeginInvoke()
    [pscustomobject]@{ Uri = "http://127.0.0.1:$port"; State = $shared; Listener = $listener; PowerShell = $ps; Runspace = $runspace; Handle = $handle }
}

function Stop-TestListener {
    param($Server)
    if (-not $Server) { return }
    $Server.Listener.Stop()
    $Server.Listener.Close()
    $null = $Server.Handle.AsyncWaitHandle.WaitOne(5000)
    $Server.PowerShell.Dispose()
    $Server.Runspace.Dispose()
}

function Start-TestSentryReceiver {
    <#
        Where the sandbox's Sentry webhooks go, as an Azure Automation webhook receives them: acknowledges at once
        (Sentry allows 1 s) and keeps each delivery's body as received and its headers, for the runbook to be
        started with. .State.Deliveries is a ConcurrentQueue of { Body; Headers }.
    #>
    Start-TestListener -State @{ Deliveries = [System.Collections.Concurrent.ConcurrentQueue[object]]::new() } -Handler {
        param($context, $state)
        $reader = [System.IO.StreamReader]::new($context.Request.InputStream, [Text.UTF8Encoding]::new($false))
        $body = $reader.ReadToEnd()
        $headers = [ordered]@{}
        foreach ($name in $context.Request.Headers.AllKeys) { $headers[$name] = $context.Request.Headers[$name] }
        $context.Response.StatusCode = 202
        $context.Response.Close()
        $state.Deliveries.Enqueue([pscustomobject]@{ Body = $body; Headers = $headers })
    }
}

function Start-TestAzureIdentity {
    <#
        Loopback stand-ins for the managed identity endpoint of Automation/Functions/App Service (GET
        /msi/token?resource=&api-version=2019-08-01 with X-IDENTITY-HEADER) and for Key Vault (GET
        /secrets/{name}?api-version=7.4 with the bearer token it issued). .State.Secrets holds the secrets;
        .State.Requests records method, path and query (never the token). Point IDENTITY_ENDPOINT at
        "<Uri>/msi/token", IDENTITY_HEADER at .IdentityHeader, and secret URIs at "<Uri>/secrets/<name>".
    #>
    param([hashtable] $Secrets = @{})
    $identityHeader = [guid]::NewGuid().ToString('n')
    $accessToken = 'eyJ0eXAiOiJKV1QiLCJhbGciOi.' + [guid]::NewGuid().ToString('n') + '.sig'
    $server = Start-TestListener -State @{ Secrets = $Secrets; IdentityHeader = $identityHeader; AccessToken = $accessToken; Requests = [System.Collections.Concurrent.ConcurrentQueue[string]]::new() } -Handler {
        param($context, $state)
        $request = $context.Request
        $state.Requests.Enqueue("$($request.HttpMethod) $($request.Url.PathAndQuery)")
        $status = 200
        $json = '{}'
        if ($request.Url.AbsolutePath -eq '/msi/token') {
            if ($request.Headers['X-IDENTITY-HEADER'] -ne $state.IdentityHeader) { $status = 400; $json = '{"statusCode":400,"message":"No X-IDENTITY-HEADER or a wrong one."}' }
            elseif ($request.QueryString['api-version'] -ne '2019-08-01' -or $request.QueryString['resource'] -ne 'https://vault.azure.net') { $status = 400; $json = '{"error":"invalid_request","error_description":"api-version 2019-08-01 and resource https://vault.azure.net expected"}' }
            else { $json = @{ access_token = $state.AccessToken; expires_on = '1764760800'; resource = 'https://vault.azure.net'; token_type = 'Bearer' } | ConvertTo-Json -Compress }
        }
        elseif ($request.Url.AbsolutePath -like '/secrets/*') {
            $name = $request.Url.AbsolutePath.Substring(9).Split('/')[0]
            if ($request.Headers['Authorization'] -ne "Bearer $($state.AccessToken)") { $status = 401; $json = '{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}' }
            elseif ($request.QueryString['api-version'] -ne '7.4') { $status = 400; $json = '{"error":{"code":"BadParameter","message":"api-version 7.4 expected"}}' }
            elseif (-not $state.Secrets.ContainsKey($name)) { $status = 404; $json = "{`"error`":{`"code`":`"SecretNotFound`",`"message`":`"A secret with (name/id) $name was not found in this key vault.`"}}" }
            else { $json = @{ value = $state.Secrets[$name]; id = "$($request.Url.GetLeftPart('Path'))/0123456789abcdef"; attributes = @{ enabled = $true } } | ConvertTo-Json -Compress }
        }
        else { $status = 404 }
        $bytes = [Text.Encoding]::UTF8.GetBytes($json)
        $context.Response.StatusCode = $status
        $context.Response.ContentType = 'application/json'
        $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
        $context.Response.Close()
    }
    $server | Add-Member -NotePropertyName IdentityHeader -NotePropertyValue $identityHeader
    $server | Add-Member -NotePropertyName AccessToken -NotePropertyValue $accessToken -PassThru
}

Export-ModuleMember -Function Get-TestModulePath, Get-RepoRoot, Start-TestSandbox, Stop-TestSandbox, Invoke-FreshPwsh, Start-TestWebhook, Stop-TestWebhook, Receive-TestWebhook, Install-CompatClient, Start-TestListener, Stop-TestListener, Start-TestSentryReceiver, Start-TestAzureIdentity

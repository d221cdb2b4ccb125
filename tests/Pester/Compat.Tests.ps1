# Real clients, unmodified, against the sandbox: sentry-cli 3.8.0, Sentry's MCP server 0.36.0 and @sentry/node 11.12,
# installed from npm into a cache by Install-CompatClient (tests/Compat/package.json pins them). Each test checks the
# client's own output and the sandbox's state as the module's cmdlets (or Sentry's API) read it back.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Clients = Install-CompatClient
    # sentry-cli does not retry 429 (REFERENCE.md §13), pages the legacy project issue list (5 a second) and sends
    # bursts; the MCP server calls issue details (5 a second) several times per tool. Against sentry.io they would
    # meet the same limits; here the suite checks the wire format, so this one sandbox runs without them.
    $script:Sandbox = Start-TestSandbox -Scenario seed-examples -ExtraArgument '--no-rate-limits'
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    $script:HostAndPort = ([Uri] $s.BaseUri).Authority
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) ("compat-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:WorkDir | Out-Null

    function Assert-ClientsInstalled {
        if ($script:Clients.Error) { throw $script:Clients.Error }
    }

    function Invoke-Client {
        # Runs a client process with the sandbox's coordinates in its environment only; returns exit code and output.
        # -Bare: no SENTRY_* variables (the MCP server refuses --insecure-http when SENTRY_URL is set).
        param([string] $FilePath, [string[]] $Argument, [hashtable] $Environment = @{}, [switch] $Bare)
        Assert-ClientsInstalled
        $info = [Diagnostics.ProcessStartInfo]::new($FilePath)
        foreach ($a in $Argument) { $info.ArgumentList.Add($a) }
        foreach ($key in @($info.Environment.Keys)) { if ($key -like 'SENTRY_*') { $null = $info.Environment.Remove($key) } }
        if (-not $Bare) {
            $info.Environment['SENTRY_URL'] = $script:Sandbox.BaseUri
            $info.Environment['SENTRY_AUTH_TOKEN'] = $script:Sandbox.Token
            $info.Environment['SENTRY_ORG'] = $script:Sandbox.Organization
            $info.Environment['SENTRY_PROJECT'] = 'web'
            $info.Environment['SENTRY_DSN'] = $script:Sandbox.Dsn
            $info.Environment['SENTRY_LOAD_DOTENV'] = '0'
        }
        foreach ($key in $Environment.Keys) { $info.Environment[$key] = $Environment[$key] }
        $info.WorkingDirectory = $script:WorkDir
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(180000)) { $process.Kill($true); throw "$FilePath $($Argument -join ' ') did not finish within 3 minutes." }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Error = $stderr.Result }
    }

    function Invoke-SentryCli {
        param([Parameter(ValueFromRemainingArguments)] [string[]] $Argument)
        $result = Invoke-Client -FilePath $script:Clients.SentryCli -Argument $Argument
        if ($result.ExitCode -ne 0) { throw "sentry-cli $($Argument -join ' ') failed ($($result.ExitCode)): $($result.Output) $($result.Error)" }
        $result.Output
    }

    function Invoke-McpTool {
        # One MCP server session over stdio: initialize, tools/list, then each call in order (tests/Compat/mcp-call.mjs).
        param([object[]] $Call, [string[]] $ExtraArgument = @())
        $callsFile = Join-Path $script:WorkDir ("calls-" + [guid]::NewGuid().ToString('n') + '.json')
        ConvertTo-Json -InputObject @($Call) -Depth 10 | Set-Content -Path $callsFile -Encoding utf8NoBOM
        $driver = Join-Path (Get-RepoRoot) 'tests/Compat/mcp-call.mjs'
        $arguments = @($driver, $callsFile, '--', $script:Clients.Node, $script:Clients.McpServer,
            "--access-token=$($script:Sandbox.Token)", "--host=$script:HostAndPort", '--insecure-http') + $ExtraArgument
        $result = Invoke-Client -FilePath $script:Clients.Node -Argument $arguments -Bare
        $json = $result.Output | ConvertFrom-Json
        if ($result.ExitCode -ne 0 -or $json.error) { throw "The MCP session failed: $($json.error) $($json.stderr) $($result.Error)" }
        $json
    }

    function Invoke-SandboxApi {
        param([string] $Path)
        Invoke-RestMethod -Uri ($script:Sandbox.BaseUri + $Path) -Headers @{ Authorization = "Bearer $($script:Sandbox.Token)" }
    }

    # Unresolved background issues of the web project that nothing else in this file touches.
    $script:Spare = @(Get-SentryIssue -Project web -Query 'is:unresolved times_seen:<100' -Sort freq |
        Where-Object { $_.ShortId -notin 'WEB-1', 'WEB-2', 'WEB-3' } | Select-Object -First 6)
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
    if ($script:WorkDir -and (Test-Path $script:WorkDir)) { Remove-Item -Recurse -Force $script:WorkDir }
}

Describe 'Installing the real clients' {
    It 'reuses the filled cache, and without a registry says what happened and what to do' {
        Assert-ClientsInstalled
        # Filled: a second call installs nothing and finds the same binaries.
        $again = Install-CompatClient
        $again.Error | Should -BeNullOrEmpty
        $again.SentryCli | Should -Be $script:Clients.SentryCli
        # Empty cache and an unreachable registry (a closed loopback port): a clear error instead of an exception.
        $saved = $env:SENTRYRUNBOOK_CLIENT_CACHE, $env:npm_config_registry
        try {
            $env:SENTRYRUNBOOK_CLIENT_CACHE = Join-Path $script:WorkDir 'empty-cache'
            $env:npm_config_registry = 'http://127.0.0.1:9/'
            $offline = Install-CompatClient
        }
        finally { $env:SENTRYRUNBOOK_CLIENT_CACHE, $env:npm_config_registry = $saved }
        $offline.Error | Should -Match 'npm could not install the pinned clients'
        $offline.Error | Should -Match 'SENTRYRUNBOOK_CLIENT_CACHE'
        $offline.SentryCli | Should -BeNullOrEmpty
    }
}

Describe 'sentry-cli 3.8.0 against the sandbox' {
    It 'info authenticates with the sandbox token as its user' {
        $out = Invoke-SentryCli info
        $out | Should -Match 'sandbox@example\.com'
        $out | Should -Match 'Default Organization: acme'
    }

    It 'issues list shows the project''s issues from the legacy project route, as the cmdlets see them' {
        $out = Invoke-SentryCli issues list '--query' is:unresolved '--max-rows' 1000
        $listed = @([regex]::Matches($out, '\|\s*\d+\s*\|\s*([A-Z]+-[0-9A-Z]+)\s*\|') | ForEach-Object { $_.Groups[1].Value })
        $expected = @(Get-SentryIssue -Project web -Query 'is:unresolved' | ForEach-Object ShortId)
        $listed.Count | Should -BeGreaterThan 10
        ($listed | Sort-Object) | Should -Be ($expected | Sort-Object)
    }

    It 'issues resolve (now and in the next release), mute and unresolve change exactly the named issue' {
        $target = $script:Spare[0]
        $bystander = $script:Spare[1]
        Invoke-SentryCli issues resolve '-i' $target.Id | Out-Null
        (Get-SentryIssue $target.Id).Status | Should -Be 'resolved'
        Invoke-SentryCli issues mute '-i' $target.Id | Out-Null
        (Get-SentryIssue $target.Id).Status | Should -Be 'ignored'
        Invoke-SentryCli issues unresolve '-i' $target.Id | Out-Null
        (Get-SentryIssue $target.Id).Status | Should -Be 'unresolved'
        Invoke-SentryCli issues resolve '--next-release' '-i' $target.Id | Out-Null
        $detail = Invoke-SandboxApi "/api/0/organizations/acme/issues/$($target.Id)/"
        $detail.status | Should -Be 'resolved'
        $detail.statusDetails.inNextRelease | Should -BeTrue
        (Get-SentryIssue $bystander.Id).Status | Should -Be 'unresolved'
        # The CLI's route is project-scoped: an id from another project matches nothing there and stays as it was.
        $other = Get-SentryIssue API-1
        Invoke-SentryCli issues resolve '-i' $other.Id | Out-Null
        (Get-SentryIssue $other.Id).Status | Should -Be $other.Status
    }

    It 'releases new, finalize, info and list round-trip a release' {
        $version = "compat-cli@1.0.$(Get-Random -Maximum 100000)"
        Invoke-SentryCli releases new $version | Should -Match "Created release $([regex]::Escape($version))"
        (Get-SentryRelease $version).DateReleased | Should -BeNullOrEmpty
        Invoke-SentryCli releases finalize $version | Should -Match "Finalized release $([regex]::Escape($version))"
        (Get-SentryRelease $version).DateReleased | Should -Not -BeNullOrEmpty
        Invoke-SentryCli releases info $version | Should -Match ([regex]::Escape($version))
        Invoke-SentryCli releases list | Should -Match ([regex]::Escape($version.Substring($version.IndexOf('@') + 1)))
    }

    It 'repos list shows the repositories, and releases set-commits attaches a commit of one' {
        Invoke-SentryCli repos list | Should -Match 'acme/web'
        $version = "compat-commits@$(Get-Random -Maximum 100000)"
        Invoke-SentryCli releases new $version | Out-Null
        $sha = -join ((1..40) | ForEach-Object { '0123456789abcdef'[(Get-Random -Maximum 16)] })
        $out = Invoke-SentryCli releases set-commits $version '--commit' "acme/web@$sha"
        $out | Should -Match 'acme/web'
        $out | Should -Match $sha.Substring(0, 12)
        (Get-SentryRelease $version).CommitCount | Should -Be 1
    }

    It 'deploys new records a deploy that deploys list and Get-SentryDeploy both show' {
        $version = "compat-deploy@$(Get-Random -Maximum 100000)"
        Invoke-SentryCli releases new $version | Out-Null
        Invoke-SentryCli deploys new '-r' $version '-e' production '-n' 'compat deploy' | Out-Null
        $deploy = Get-SentryDeploy -Release $version
        $deploy.Name | Should -Be 'compat deploy'
        $deploy.Environment | Should -Be 'production'
        Invoke-SentryCli deploys list '-r' $version | Should -Match 'compat deploy'
    }

    It 'events list shows the project''s newest events, each resolvable to its issue' {
        $out = Invoke-SentryCli events list '-p' api '--max-rows' 3
        $ids = @([regex]::Matches($out, '\|\s*([0-9a-f]{8}-[0-9a-f-]{27})\s*\|') | ForEach-Object { $_.Groups[1].Value -replace '-', '' })
        $ids.Count | Should -Be 3
        foreach ($id in $ids) {
            $found = Invoke-SandboxApi "/api/0/organizations/acme/eventids/$id/"
            $found.projectSlug | Should -Be 'api'
        }
        # Newest first: the first row is the project's newest event.
        $newest = Get-SentryIssue -Project api -Query '' -Sort date -First 1 | Get-SentryEvent -Latest
        $ids[0] | Should -Be $newest.EventId
    }

    It 'monitors run reports check-ins that monitors list and the check-in list show' {
        $slug = "compat-job-$(Get-Random -Maximum 100000)"
        $result = Invoke-Client -FilePath $script:Clients.SentryCli -Argument @('monitors', 'run', '-s', '*/5 * * * *', $slug, '--', $script:Clients.Node, '-e', '0')
        $result.ExitCode | Should -Be 0 -Because "$($result.Output) $($result.Error)"
        $list = Invoke-SentryCli monitors list
        foreach ($seeded in 'nightly-report', 'billing-sync', 'cache-warmup', $slug) { $list | Should -Match ([regex]::Escape($seeded)) }
        $checkIns = @(Invoke-SandboxApi "/api/0/organizations/acme/monitors/$slug/checkins/")
        $checkIns.Count | Should -Be 1
        $checkIns[0].status | Should -Be 'ok'
        (Invoke-SandboxApi "/api/0/organizations/acme/monitors/$slug/").config.schedule | Should -Be '*/5 * * * *'
    }

    It 'send-event lands as an issue with its release, environment, tags and user' {
        $release = "compat-send@$(Get-Random -Maximum 100000)"
        $message = "compat message $(Get-Random -Maximum 100000)"
        Invoke-SentryCli send-event '-m' $message '-r' $release '-E' rehearsal '-t' kind:cli '-u' id:cli-7 | Should -Match 'Event dispatched'
        $issue = Get-SentryIssue -Query "release:$release" -First 1
        $issue.Title | Should -Be $message
        $event = $issue | Get-SentryEvent -Latest
        $event.Release | Should -Be $release
        $event.Environment | Should -Be 'rehearsal'
        $event.Tags['kind'] | Should -Be 'cli'
        $event.User.Id | Should -Be 'cli-7'
    }
}

Describe 'Sentry MCP server 0.36.0 (stdio) against the sandbox' {
    BeforeAll {
        $script:Resolved = $script:Spare[2]
        $script:Ignored = $script:Spare[3]
        $script:Counted = $script:Spare[4]
        $script:Noted = $script:Spare[5]
        $script:Calls = @(
            @{ name = 'whoami' }
            @{ name = 'find_organizations' }
            @{ name = 'find_projects'; arguments = @{ organizationSlug = 'acme' } }
            @{ name = 'find_teams'; arguments = @{ organizationSlug = 'acme' } }
            @{ name = 'find_releases'; arguments = @{ organizationSlug = 'acme'; projectSlug = 'web' } }
            @{ name = 'find_dsns'; arguments = @{ organizationSlug = 'acme'; projectSlug = 'web' } }
            @{ name = 'search_issues'; arguments = @{ organizationSlug = 'acme'; query = 'is:unresolved issue.priority:high'; limit = 100 } }
            @{ name = 'search_issues'; arguments = @{ organizationSlug = 'acme'; projectSlugOrId = 'web'; query = 'payment_provider:stripe' } }
            @{ name = 'get_sentry_resource'; arguments = @{ organizationSlug = 'acme'; resourceType = 'issue'; resourceId = 'API-1' } }
            @{ name = 'get_sentry_resource'; arguments = @{ url = "$($script:Sandbox.BaseUri)/organizations/acme/issues/WEB-2/" } }
            @{ name = 'get_issue_tag_values'; arguments = @{ organizationSlug = 'acme'; issueId = 'WEB-2'; tagKey = 'browser' } }
            @{ name = 'search_issue_events'; arguments = @{ organizationSlug = 'acme'; issueId = 'API-1'; query = 'user.id:acct-2001' } }
            @{ name = 'search_events'; arguments = @{ organizationSlug = 'acme'; dataset = 'errors'; query = 'level:error'; fields = @('title', 'count()'); sort = '-count()' } }
            @{ name = 'update_issue'; arguments = @{ organizationSlug = 'acme'; issueId = $script:Resolved.ShortId; status = 'resolved' } }
            @{ name = 'update_issue'; arguments = @{ organizationSlug = 'acme'; issueId = $script:Ignored.ShortId; status = 'ignored'; ignoreMode = 'forDuration'; ignoreDurationMinutes = 60 } }
            @{ name = 'update_issue'; arguments = @{ organizationSlug = 'acme'; issueId = $script:Counted.ShortId; status = 'ignored'; ignoreMode = 'untilOccurrenceCount'; ignoreCount = 50 } }
            @{ name = 'analyze_issue_with_seer'; arguments = @{ organizationSlug = 'acme'; issueId = 'WEB-1' } }
        )
        # Read before the session: its update_issue calls change issues that may match the same query.
        $script:HighPriority = @(Get-SentryIssue -Query 'is:unresolved issue.priority:high' | ForEach-Object ShortId)
        $script:Mcp = Invoke-McpTool -Call $script:Calls
        function Get-McpResult([int] $Index) {
            $r = $script:Mcp.results[$Index]
            $r.name | Should -Be $script:Calls[$Index].name
            $r
        }
    }

    It 'whoami is the token''s user' {
        $r = Get-McpResult 0
        $r.isError | Should -BeFalse
        $r.text | Should -Match 'sandbox@example\.com'
    }

    It 'find_organizations, find_projects and find_teams list what the sandbox has' {
        (Get-McpResult 1).text | Should -Match '\*\*acme\*\*'
        $projects = (Get-McpResult 2).text
        foreach ($p in 'api', 'web', 'worker') { $projects | Should -Match "\*\*$p\*\*" }
        (Get-McpResult 3).text | Should -Match 'backend \(ID: 1\)'
    }

    It 'find_releases lists the project''s releases with their last deploy' {
        $text = (Get-McpResult 4).text
        foreach ($release in Get-SentryRelease -Project web) { $text | Should -Match ([regex]::Escape($release.ShortVersion)) }
        $text | Should -Match 'Last Deploy'
    }

    It 'find_dsns shows the DSN SDKs ingest with' {
        (Get-McpResult 5).text | Should -Match ([regex]::Escape($script:Sandbox.Dsn))
    }

    It 'search_issues (organization) finds exactly the issues the cmdlets find for the same query' {
        $text = (Get-McpResult 6).text
        $found = @([regex]::Matches($text, '## \d+\. \[([A-Z]+-[0-9A-Z]+)\]') | ForEach-Object { $_.Groups[1].Value })
        $found | Should -Contain 'API-1'
        ($found | Sort-Object) | Should -Be ($script:HighPriority | Sort-Object)
    }

    It 'search_issues (project) uses the project route and Sentry''s tag search' {
        $text = (Get-McpResult 7).text
        @([regex]::Matches($text, '## \d+\. \[([A-Z]+-[0-9A-Z]+)\]') | ForEach-Object { $_.Groups[1].Value }) | Should -Be @('WEB-1')
    }

    It 'get_sentry_resource (0.36''s get_issue_details) reads an issue by short id and by URL' {
        $api1 = Get-SentryIssue API-1
        $byId = (Get-McpResult 8).text
        $byId | Should -Match ([regex]::Escape($api1.Title))
        $byId | Should -Match "\*\*Occurrences\*\*: $($api1.Count)"
        $byUrl = (Get-McpResult 9).text
        $byUrl | Should -Match ([regex]::Escape((Get-SentryIssue WEB-2).Title))
    }

    It 'get_issue_tag_values shows the tag''s values with the counts Get-SentryIssueTag reports' {
        $text = (Get-McpResult 10).text
        $tag = Get-SentryIssueTag WEB-2 -Key browser
        foreach ($value in $tag.TopValues) { $text | Should -Match ("``$([regex]::Escape($value.Value))`` \| $($value.Count) \|") }
    }

    It 'search_issue_events finds the issue''s events for one user' {
        $text = (Get-McpResult 11).text
        $expected = @(Get-SentryEvent API-1 -First 500 | Where-Object { $_.User.Id -eq 'acct-2001' }).Count
        $expected | Should -BeGreaterThan 0
        $text | Should -Match "Found $expected errors"
    }

    It 'search_events sorts by the function alias it sends (-count) and the counts come back descending' {
        $text = (Get-McpResult 12).text
        $json = [regex]::Match($text, '```json\s*(\[.*?\])\s*```', 'Singleline').Groups[1].Value | ConvertFrom-Json
        $counts = @($json | ForEach-Object { $_.'count()' })
        $counts.Count | Should -BeGreaterThan 1
        $counts | Should -Be ($counts | Sort-Object -Descending)
    }

    It 'update_issue resolves, and ignores for a duration and until a count, as Sentry records them' {
        (Get-McpResult 13).text | Should -Match 'resolved'
        (Get-SentryIssue $script:Resolved.Id).Status | Should -Be 'resolved'
        (Get-McpResult 14).isError | Should -BeFalse
        $ignored = Get-SentryIssue $script:Ignored.Id
        $ignored.Status | Should -Be 'ignored'
        $ignored.Substatus | Should -Be 'archived_until_condition_met'
        (Get-SentryIssueActivity $script:Ignored.Id | Where-Object Type -eq 'set_ignored' | Select-Object -Last 1).Data['ignoreDuration'] | Should -Be '60'
        (Get-McpResult 15).isError | Should -BeFalse
        (Get-SentryIssueActivity $script:Counted.Id | Where-Object Type -eq 'set_ignored' | Select-Object -Last 1).Data['ignoreCount'] | Should -Be '50'
    }

    It 'analyze_issue_with_seer is told Seer is not enabled, as an organization without Seer is' {
        $r = Get-McpResult 16
        $r.isError | Should -BeTrue
        $r.text | Should -Match 'Seer is not enabled for this organization'
    }

    It 'add_issue_note and get_issue_activity (reached through --experimental''s execute_tool in 0.36) write and read the note' {
        $script:Mcp.tools | Should -Not -Contain 'add_issue_note' -Because '0.36.0 lists it only through search_tools/execute_tool'
        $note = "compat note $(Get-Random -Maximum 100000)"
        $experimental = Invoke-McpTool -ExtraArgument '--experimental' -Call @(
            @{ name = 'execute_tool'; arguments = @{ name = 'add_issue_note'; arguments = @{ organizationSlug = 'acme'; issueId = $script:Noted.ShortId; text = $note } } }
            @{ name = 'execute_tool'; arguments = @{ name = 'get_issue_activity'; arguments = @{ organizationSlug = 'acme'; issueId = $script:Noted.ShortId } } }
        )
        $experimental.results[0].isError | Should -BeFalse
        $experimental.results[0].text | Should -Match ([regex]::Escape($note))
        (Get-SentryIssueActivity $script:Noted.Id | Where-Object Type -eq 'note').Text | Should -Contain $note
        $experimental.results[1].text | Should -Match ([regex]::Escape($note))
    }

    It 'natural-language search and search_docs need what the sandbox cannot offer' {
        # search_issues/search_events translate natural language with an LLM (OPENAI_API_KEY/ANTHROPIC_API_KEY) and
        # search_docs/get_doc read docs.sentry.io: neither exists offline, so the tests above send Sentry syntax.
        $script:Mcp.tools | Should -Contain 'search_docs'
        Set-ItResult -Skipped -Because 'the MCP server''s LLM query translation and docs search need services outside the sandbox'
    }
}

Describe '@sentry/node 11.12 against the sandbox' {
    It 'an error with breadcrumbs, user and release, a session and a span come back intact' {
        Assert-ClientsInstalled
        $release = "node-compat@1.0.$(Get-Random -Maximum 100000)"
        $script = Join-Path (Get-RepoRoot) 'tests/Compat/node-sdk.mjs'
        $run = Invoke-Client -FilePath $script:Clients.Node -Argument @($script, $script:Sandbox.Dsn, $release) -Environment @{ NODE_PATH = $script:Clients.NodeModules } -Bare
        $run.ExitCode | Should -Be 0 -Because "$($run.Output) $($run.Error)"
        $sent = $run.Output | ConvertFrom-Json
        $sent.flushed | Should -BeTrue

        $issue = Get-SentryIssue -Query "release:$release" -First 1
        $issue.Title | Should -Be 'TypeError: Card processor refused the charge'
        $event = $issue | Get-SentryEvent -Latest
        $event.EventId | Should -Be $sent.eventId
        $event.Release | Should -Be $release
        $event.Environment | Should -Be 'rehearsal'
        $event.User.Id | Should -Be 'node-42'
        $event.User.Email | Should -Be 'grace@example.com'
        $event.Tags['compat'] | Should -Be 'node-sdk'
        $event.Breadcrumbs.Message | Should -Contain 'checkout started'
        ($event.Breadcrumbs | Where-Object Message -eq 'POST /api/pay failed').Data['status_code'] | Should -Be '502'
        $event.Sdk.Name | Should -Be 'sentry.javascript.node'

        # The SDK ends its session as "exited" with 0 errors (a handled error does not count against a server
        # session), so release health shows one healthy session for the release.
        $sessions = Invoke-SandboxApi "/api/0/organizations/acme/sessions/?field=sum(session)&groupBy=session.status&query=release:$release&statsPeriod=1h&interval=1h"
        ($sessions.groups | Where-Object { $_.by.'session.status' -eq 'healthy' }).totals.'sum(session)' | Should -Be 1
        $spans = Invoke-SandboxApi "/api/0/organizations/acme/events/?dataset=spans&field=span.description&field=span.op&query=release:$release&statsPeriod=1h"
        $spans.data.'span.description' | Should -Contain 'compat checkout'
        ($spans.data | Where-Object 'span.description' -eq 'compat checkout').'span.op' | Should -Be 'task'

        # The error was raised inside the span: the trace shows it on that span.
        $traceId = $event.Contexts['trace']['trace_id']
        $traceId | Should -Match '^[0-9a-f]{32}$'
        $trace = @(Invoke-SandboxApi "/api/0/organizations/acme/trace/$traceId/")
        $trace.Count | Should -Be 1
        $trace[0].name | Should -Be 'compat checkout'
        $trace[0].errors.event_id | Should -Be $sent.eventId

        # The MCP server's trace view takes the organization's region URL and accepts only https there; the
        # sandbox (like any http self-hosted Sentry) serves http, so the client itself refuses before asking.
        $mcp = Invoke-McpTool -Call @(@{ name = 'get_sentry_resource'; arguments = @{ organizationSlug = 'acme'; resourceType = 'trace'; resourceId = $traceId } })
        $mcp.results[0].isError | Should -BeTrue
        $mcp.results[0].text | Should -Match 'Must use HTTPS'
    }
}

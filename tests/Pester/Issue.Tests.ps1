BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'Get-SentryIssue by id' {
    It 'gets an issue by short id, in any case' {
        $issue = Get-SentryIssue web-1
        $issue | Should -BeOfType ([SentryRunbook.Models.SentryIssue])
        $issue.ShortId | Should -Be 'WEB-1'
        $issue.Title | Should -Match 'PaymentProcessingError'
        $issue.Count | Should -BeOfType ([long])
        $issue.Stats.Count | Should -Be 24
    }

    It 'gets the same issue by numeric id and by its URL' {
        $byShort = Get-SentryIssue WEB-1
        (Get-SentryIssue $byShort.Id).ShortId | Should -Be 'WEB-1'
        $byShort.Permalink | Should -Not -BeNullOrEmpty
        (Get-SentryIssue $byShort.Permalink).Id | Should -Be $byShort.Id
    }

    It 'takes ids from the pipeline, by value and by property name' {
        @('WEB-1', 'API-1') | Get-SentryIssue | ForEach-Object ShortId | Should -Be @('WEB-1', 'API-1')
        [pscustomobject]@{ IssueId = 'API-1' } | Get-SentryIssue | ForEach-Object ShortId | Should -Be 'API-1'
        Get-SentryIssue WEB-1 | Get-SentryIssue | ForEach-Object ShortId | Should -Be 'WEB-1'
    }

    It 'reports a missing issue and goes on with the next' {
        $found = @('WEB-ZZZZ', 'WEB-1') | Get-SentryIssue -ErrorVariable problems -ErrorAction SilentlyContinue
        $found.ShortId | Should -Be 'WEB-1'
        $problems[0].FullyQualifiedErrorId | Should -Be 'SentryIssueNotFound,SentryRunbook.PowerShell.Commands.GetSentryIssueCommand'
        $problems[0].TargetObject | Should -Be 'WEB-ZZZZ'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'reads many numeric ids 100 to a request, in input order, and each issue alone with -Detailed' {
        $ids = @((Get-SentryIssue -Query '' -Sort freq -First 12).Id) + '999999998'
        $verbose = $ids | Get-SentryIssue -Verbose -ErrorVariable problems -ErrorAction SilentlyContinue 4>&1
        $issues = @($verbose | Where-Object { $_ -is [SentryRunbook.Models.SentryIssue] })
        $issues.Id | Should -Be ($ids | Select-Object -First 12)
        @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^GET \S+/issues/\?group=' }).Count | Should -Be 1
        @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^GET \S+/issues/\d+/ ->' }).Count | Should -Be 0
        $issues | ForEach-Object { $_.HasReleaseDetails | Should -BeFalse }
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueNotFound,*'
        $problems[0].TargetObject | Should -Be '999999998'

        $detailed = $ids | Select-Object -First 7 | Get-SentryIssue -Detailed
        $detailed.Id | Should -Be ($ids | Select-Object -First 7)
        $detailed | ForEach-Object { $_.HasReleaseDetails | Should -BeTrue }
    }

    It 'refuses what is not an issue id without calling Sentry' {
        Get-SentryIssue 'not an id' -ErrorVariable problems -ErrorAction SilentlyContinue -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueIdInvalid,*'
    }

    It 'refuses a URL of another organization' {
        Get-SentryIssue "$($script:Sandbox.BaseUri)/organizations/other-org/issues/1/" -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueOrganizationMismatch,*'
    }

    It 'refuses a URL on another host instead of reading that id on this one' {
        $issue = Get-SentryIssue WEB-1
        Get-SentryIssue "https://other.example/organizations/acme/issues/$($issue.Id)/" -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueHostMismatch,*'
        $problems[0].ErrorDetails.RecommendedAction | Should -Match 'Connect-Sentry -BaseUri https://other.example'
    }

    It 'echoes at most a sensible length of a bad id' {
        Get-SentryIssue ('x' * 5000) -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueIdInvalid,*'
        $problems[0].ErrorDetails.Message.Length | Should -BeLessThan 400
    }
}

Describe 'Get-SentryIssue -Query' {
    It 'lists unresolved issues by default' {
        $issues = Get-SentryIssue -First 20
        $issues.Count | Should -Be 20
        $issues.Status | Sort-Object -Unique | Should -Be 'unresolved'
    }

    It 'streams a query across three pages and stops at -First' {
        $lines = Get-SentryIssue -Query 'is:unresolved' -First 250 -Verbose 4>&1
        $issues = @($lines | Where-Object { $_ -is [SentryRunbook.Models.SentryIssue] })
        $requests = @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'GET *' })
        $issues.Count | Should -Be 250
        @($issues.Id | Sort-Object -Unique).Count | Should -Be 250
        $requests.Count | Should -Be 3
        $requests[1].Message | Should -Match 'cursor='
    }

    It 'reads full pages with -Skip and no -First' {
        $lines = Get-SentryIssue -Query 'is:unresolved' -Skip 2 -Verbose 4>&1
        $requests = @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'GET *' })
        $requests.Count | Should -BeLessOrEqual 4 -Because 'about 275 issues are three pages of 100, not one request per issue'
        $requests[0].Message | Should -Match 'limit=100'
    }

    It 'pages on the host it connected to, whatever host the Link header names' {
        # The sandbox writes 127.0.0.1 into its Link headers; connecting as localhost must still page with the token.
        $s = $script:Sandbox
        $byName = Connect-Sentry -BaseUri ($s.BaseUri -replace '127\.0\.0\.1', 'localhost') -Organization $s.Organization -Token $s.SecureToken -PassThru
        $issues = Get-SentryIssue -Connection $byName -First 150
        $issues.Count | Should -Be 150
        $s = $script:Sandbox
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    }

    It 'skips with -Skip' {
        $all = Get-SentryIssue -Query 'is:unresolved' -Sort freq -First 5
        $skipped = Get-SentryIssue -Query 'is:unresolved' -Sort freq -Skip 2 -First 3
        $skipped.Id | Should -Be $all[2..4].Id
    }

    It 'filters by project and environment' {
        $issues = Get-SentryIssue -Project api -Environment production -First 50
        $issues | Should -Not -BeNullOrEmpty
        $issues.Project | Sort-Object -Unique | Should -Be 'api'
    }

    It 'lists every status with an empty query' {
        $statuses = Get-SentryIssue -Query '' -First 400 | ForEach-Object Status | Sort-Object -Unique
        $statuses | Should -Contain 'unresolved'
        $statuses | Should -Contain 'resolved'
    }

    It 'reports the total with -IncludeTotalCount' {
        $out = Get-SentryIssue -First 1 -IncludeTotalCount
        $out[0] | Should -Match 'Total count: \d+'
    }

    It 'shows each request in -Verbose with status and time, and never the token' {
        $verbose = Get-SentryIssue WEB-1 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Should -Match '^GET http://127\.0\.0\.1:\d+/api/0/organizations/acme/issues/WEB-1/ -> 200 OK \(\d+ ms\)$'
        ($verbose.Message -join "`n") | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))
    }
}

Describe 'Get-SentryIssue output' {
    It 'formats as a compact table with a 24h sparkline' {
        $text = Get-SentryIssue WEB-1 | Format-Table | Out-String -Width 200
        $text | Should -Match 'ShortId\s+Level\s+Status\s+Priority\s+Events\s+Users\s+LastSeen\s+Last 24h\s+Title'
        $text | Should -Match 'WEB-1'
        $text | Should -Match '[▁▂▃▄▅▆▇█]{24}'
    }
}

Describe 'Ctrl+C' {
    BeforeAll {
        # The runspace below reads its connection from SENTRY_* (process-wide), pointing at port 9 (discard),
        # which refuses connections, so the client backs off for seconds between attempts.
        Disconnect-Sentry
        $env:SENTRY_URL = 'http://127.0.0.1:9'
        $env:SENTRY_ORG = 'acme'
        $env:SENTRY_AUTH_TOKEN = 'not-a-real-token'
    }

    AfterAll {
        foreach ($name in 'SENTRY_URL', 'SENTRY_ORG', 'SENTRY_AUTH_TOKEN') { [Environment]::SetEnvironmentVariable($name, $null) }
        $s = $script:Sandbox
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    }

    It 'stops a command promptly, even while it waits to retry' {
        $runspace = [runspacefactory]::CreateRunspace()
        $runspace.Open()
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; Get-SentryIssue -Query '' -Verbose")
        $async = $ps.BeginInvoke()
        # Wait until the client says it backs off (a bounded poll, not a timing assertion: speed is measured in bench/).
        for ($i = 0; $i -lt 600 -and -not ($ps.Streams.Verbose | Where-Object Message -Match '^retry '); $i++) { Start-Sleep -Milliseconds 50 }
        $ps.Streams.Verbose | Where-Object Message -Match '^retry ' | Should -Not -BeNullOrEmpty
        $attempts = @($ps.Streams.Verbose | Where-Object Message -Match 'failed after').Count
        $ps.Stop()
        $async.IsCompleted | Should -BeTrue
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        # Stopped during the wait: no attempt after it (the retry wait itself is cancelled; see RetryWaitCancellationTests).
        @($ps.Streams.Verbose | Where-Object Message -Match 'failed after').Count | Should -Be $attempts
        $ps.Dispose()
        $runspace.Dispose()
    }
}

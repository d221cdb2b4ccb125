BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken

    function Find-SeedIssue([string] $Query) {
        Get-SentryIssue -Query $Query -First 1
    }
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'Invoke-SentryTriage on seed-examples' {
    It 'the payment failure is P0, a deployment regression, with malformed payloads as data-corruption evidence' {
        $report = Invoke-SentryTriage WEB-1
        $report.Severity.Severity | Should -Be 'P0'
        $report.Patterns[0].Pattern | Should -Be 'DeploymentRegression'
        $report.Patterns.Pattern | Should -Contain 'DataCorruption'
        ($report.Patterns | Where-Object Pattern -eq 'DataCorruption').Evidence -join ' ' | Should -Match 'pars'
        $report.Patterns[0].Evidence -join ' ' | Should -Match 'deployed to production'
        $report.Trend | Should -BeIn @('Spiking', 'Steady') -Because 'all 200 events came in the last five minutes'
        $report.IsNew | Should -BeTrue
    }

    It 'the geocoding 503s are P2 and a third-party failure' {
        $report = Invoke-SentryTriage API-1
        $report.Severity.Severity | Should -Be 'P2'
        $report.Patterns[0].Pattern | Should -Be 'ThirdPartyFailure'
        $report.Patterns[0].Evidence -join ' ' | Should -Match 'geocoding-provider'
        $report.Patterns[0].ImmediateAction | Should -Match 'circuit breaker'
    }

    It 'the TypeError after v2.4.1 is P1 and a deployment regression with its suspect commit' {
        $report = Invoke-SentryTriage WEB-2
        $report.Severity.Severity | Should -Be 'P1'
        $report.Patterns[0].Pattern | Should -Be 'DeploymentRegression'
        $report.Release | Should -Be 'web@2.4.1'
        $report.SuspectCommits.Message -join ' ' | Should -Match 'rename'
    }

    It 'the staging-only issue is P3' {
        (Find-SeedIssue 'is:unresolved environment:staging RangeError' | Invoke-SentryTriage).Severity.Severity | Should -Be 'P3'
    }

    It 'the misconfigured SDK is named' {
        $report = Find-SeedIssue 'is:unresolved "Something went wrong"' | Invoke-SentryTriage
        $report.Patterns[0].Pattern | Should -Be 'SdkMisconfiguration'
        $report.Patterns[0].Evidence | Should -Contain 'Events carry no release'
    }

    It 'the pool exhaustion follows traffic' {
        $report = Find-SeedIssue 'is:unresolved "Connection pool exhausted"' | Invoke-SentryTriage
        $report.Patterns[0].Pattern | Should -Be 'ResourceExhaustion'
        $report.Patterns[0].Evidence -join ' ' | Should -Match 'follow traffic'
    }

    It 'walks every checklist step' {
        $report = Invoke-SentryTriage WEB-1
        $report.Checklist.Step | Should -Be @('Frequency trend', 'First and last seen', 'New or regression', 'Users affected', 'Environment', 'Release', 'Suspect commits', 'Failing frame', 'Breadcrumbs', 'User context', 'Tag patterns', "Sentry's own signals", 'Seer summary (AI-generated)')
        ($report.Checklist | Where-Object Step -eq 'Failing frame').Done | Should -BeTrue
        ($report | Format-List | Out-String -Width 200) | Should -Match '\[x\] Frequency trend'
    }

    It 'triages several piped issues and writes the reports in input order' {
        $reports = 'API-1', 'WEB-1', 'WEB-2' | Invoke-SentryTriage
        $reports.ShortId | Should -Be @('API-1', 'WEB-1', 'WEB-2')
    }

    It 'streams the reports of more issues than it triages at once, still in input order' {
        $ids = (Get-SentryIssue -Query 'is:unresolved' -First 11).ShortId
        ($ids | Invoke-SentryTriage).ShortId | Should -Be $ids
    }

    It 'shows the call plan in -Verbose' {
        $verbose = Invoke-SentryTriage WEB-1 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $text = $verbose.Message -join "`n"
        $text | Should -Match 'Triage plan for WEB-1: at once: issue details, latest event, tags, activity, event counts and series'
        $text | Should -Match 'then, as their inputs arrive'
        # The counts go out by short id beside the issue read instead of after it.
        $text | Should -Match 'events/\?dataset=errors&field=count%28%29&field=count_unique%28user%29&query=issue%3AWEB-1&statsPeriod=24h'
    }

    It 'does not read piped issues again, and reads numeric ids in one batch' {
        $issues = Get-SentryIssue -Query 'is:unresolved' -Sort freq -First 3
        $verbose = $issues | Invoke-SentryTriage -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $details = $verbose.Message | Where-Object { $_ -match '^GET \S+/api/0/organizations/acme/issues/\d+/ ->' }
        $details | Should -BeNullOrEmpty -Because 'list rows carry what triage needs; their releases come from the oldest and latest events'
        ($verbose.Message | Where-Object { $_ -match '/events/oldest/ ->' }).Count | Should -Be 3

        $verbose = $issues.Id | Invoke-SentryTriage -Verbose 4>&1
        $reports = $verbose | Where-Object { $_ -is [SentryRunbook.Models.TriageReport] }
        $reports.Issue.Id | Should -Be $issues.Id
        $batch = $verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '/issues/\?group=' }
        @($batch).Count | Should -Be 1
        # The first release from the oldest event is the one Sentry's details name.
        $reports[0].Release | Should -Be (Invoke-SentryTriage $issues[0].ShortId).Release
    }

    It 'asks Sentry once for what issues of one project share' {
        $issues = Get-SentryIssue -Project web -Query 'is:unresolved' -Sort freq -First 4
        $verbose = $issues | Invoke-SentryTriage -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($verbose.Message | Where-Object { $_ -match '^GET \S+/sessions/\?field=crash_free_rate%28session%29&field=sum%28session%29&groupBy=release&project=\d+&statsPeriod=14d' }).Count | Should -Be 1
        @($verbose.Message | Where-Object { $_ -match '^GET \S+/releases/\?project=' }).Count | Should -Be 1
    }

    It 'Find-IncidentPattern gives the same strongest pattern' {
        (Find-IncidentPattern API-1)[0].Pattern | Should -Be 'ThirdPartyFailure'
        (Invoke-SentryTriage WEB-1 | Find-IncidentPattern)[0].Pattern | Should -Be 'DeploymentRegression'
    }

    It 'reports a missing issue and triages the rest' {
        $reports = 'WEB-ZZZZ', 'API-1' | Invoke-SentryTriage -ErrorVariable problems -ErrorAction SilentlyContinue
        $reports.ShortId | Should -Be 'API-1'
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueNotFound,*'
    }
}

Describe 'Triage while Sentry fails' {
    BeforeAll {
        $script:Calm = Invoke-SentryTriage API-1
        $body = @{ rateLimitRate = 0.1; serverErrorRate = 0.1; serverErrorStatus = 503; resetSeconds = 1; seed = 7; pathPrefix = '/api/0/' } | ConvertTo-Json
        Invoke-RestMethod -Method Put -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" -Body $body -ContentType 'application/json' | Out-Null
    }

    AfterAll {
        Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" | Out-Null
    }

    It 'completes with the same report, and says in -Verbose what it retried' {
        $lines = Invoke-SentryTriage API-1 -Verbose 4>&1
        $report = $lines | Where-Object { $_ -is [SentryRunbook.Models.TriageReport] }
        $retries = $lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'retry *' }
        $stats = Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/sandbox/faults/stats"
        ($stats.injected.rateLimited + $stats.injected.serverError) | Should -BeGreaterThan 0
        $retries | Should -Not -BeNullOrEmpty
        $report.Severity.Severity | Should -Be $script:Calm.Severity.Severity
        $report.Patterns.Pattern | Should -Be $script:Calm.Patterns.Pattern
        # Step 1 counts "the last hour", which moves between the two runs; every other finding must match.
        ($report.Checklist | Select-Object -Skip 1).Finding | Should -Be ($script:Calm.Checklist | Select-Object -Skip 1).Finding
        $report.Impact.Events | Should -Be $script:Calm.Impact.Events
    }
}

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

Describe 'Get-SentryEvent' {
    It 'reads the latest event with its exception, failing frame and breadcrumbs' {
        $event = Get-SentryEvent WEB-1
        $event | Should -BeOfType ([SentryRunbook.Models.SentryEvent])
        $event.Exceptions[-1].Type | Should -Be 'PaymentProcessingError'
        $event.Exceptions[-1].Handled | Should -BeFalse
        $event.FailingFrame | Should -Not -BeNullOrEmpty
        $event.FailingFrame.InApp | Should -BeTrue
        $event.Environment | Should -Be 'production'
        $event.Breadcrumbs.Count | Should -BeGreaterThan 0
        ($event.Breadcrumbs.Message + $event.Breadcrumbs.Data.Values) -join ' ' | Should -Match 'stripe'
        $event.User | Should -Not -BeNullOrEmpty
    }

    It 'reads the oldest event and one event by id' {
        $oldest = Get-SentryEvent WEB-1 -Oldest
        $latest = Get-SentryEvent WEB-1
        $oldest.DateCreated | Should -BeLessThan $latest.DateCreated
        (Get-SentryEvent WEB-1 -EventId $oldest.EventId).EventId | Should -Be $oldest.EventId
    }

    It 'takes issues from the pipeline: Get-SentryIssue WEB-1 | Get-SentryEvent -First 5' {
        $events = Get-SentryIssue WEB-1 | Get-SentryEvent -First 5
        $events.Count | Should -Be 5
        @($events.EventId | Sort-Object -Unique).Count | Should -Be 5
        $events.DateCreated | Should -Be ($events.DateCreated | Sort-Object -Descending)
    }

    It 'reports an event of another issue as not found' {
        $other = Get-SentryEvent API-1
        Get-SentryEvent WEB-1 -EventId $other.EventId -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryEventNotFound,*'
    }

    It 'reports an issue that does not exist' {
        Get-SentryEvent WEB-ZZZZ -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Match '^Sentry(Event|Issue)NotFound,'
    }
}

Describe 'Issue details' {
    It 'reads tags with their shares' {
        $environment = Get-SentryIssueTag WEB-1 -Key environment
        $environment.Key | Should -Be 'environment'
        $environment.TopValues[0].Value | Should -Be 'production'
        $environment.TopValues[0].Percent | Should -Be 100
        $environment.TotalValues | Should -Be (Get-SentryIssue WEB-1).Count
    }

    It 'reads the activity' {
        (Get-SentryIssueActivity WEB-1).Type | Should -Contain 'first_seen'
    }

    It 'reads suspect commits, and writes nothing without an error when there are none' {
        $commits = Get-SentrySuspectCommit WEB-2
        $commits | Should -Not -BeNullOrEmpty
        ($commits.Message -join ' ') | Should -Match 'rename'
        Get-SentrySuspectCommit API-1 -ErrorVariable problems | Should -BeNullOrEmpty
        $problems | Should -BeNullOrEmpty
    }

    It 'reads releases and their deploys' {
        $releases = Get-SentryRelease -Project web
        $releases.Version | Should -Contain 'web@2.4.1'
        $deploys = Get-SentryRelease web@2.4.1 | Get-SentryDeploy
        $deploys.Environment | Should -Contain 'production'
    }

    It 'says which release does not exist' {
        Get-SentryRelease 'web@0.0.0-nope' -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryReleaseNotFound,*'
    }
}

Describe 'Measure-SentryImpact and Get-IncidentSeverity on seed-examples' {
    It 'classifies the payment failure as P0 from its crash-free drop' {
        $impact = Measure-SentryImpact WEB-1
        $impact.Events | Should -Be 200
        $impact.UniqueUsers | Should -BeGreaterThan 100
        $impact.CrashFreeSessionRate | Should -BeLessThan 95
        $severity = $impact | Get-IncidentSeverity
        $severity.Severity | Should -Be 'P0'
        $severity.Rule | Should -Be 'CrashFreeRate'
        $severity.ResponseTime | Should -Be ([TimeSpan]::FromMinutes(15))
    }

    It 'measures the geocoding 503s as the runbook reports them, and classifies them P2' {
        $impact = Measure-SentryImpact API-1 -StatsPeriod 2h
        $impact.Events | Should -Be 180
        $impact.UniqueUsers | Should -Be 40
        $impact.P95DurationMs | Should -BeGreaterThan 8000
        $impact.P95DurationMs | Should -BeLessThan 8400
        ($impact | Get-IncidentSeverity -WorkaroundExists).Severity | Should -Be 'P2'
    }

    It 'classifies the TypeError after the deploy as P1 from its users per hour' {
        $impact = Measure-SentryImpact WEB-2
        $impact.UniqueUsers | Should -Be 320
        $impact.PeakUsersPerHour | Should -BeGreaterThan 100
        $severity = $impact | Get-IncidentSeverity
        $severity.Severity | Should -Be 'P1'
        $severity.Rule | Should -Be 'UserImpact'
    }

    It 'classifies the staging-only issue as P3' {
        $staging = Get-SentryIssue -Query 'is:unresolved environment:staging RangeError' -First 1
        ($staging | Measure-SentryImpact | Get-IncidentSeverity).Severity | Should -Be 'P3'
    }

    It 'records the query behind each figure' {
        $impact = Measure-SentryImpact WEB-1
        $impact.Queries.Figure | Should -Contain 'Events and UniqueUsers'
        ($impact.Queries | Where-Object Figure -eq 'Events and UniqueUsers').Parameters.Value | Should -Contain 'errors'
    }

    It 'measures crash-free rates over 90 days at an interval Sentry can answer for every release, with the query as sent' {
        $impact = Measure-SentryImpact WEB-1 -StatsPeriod 90d
        $impact.CrashFreeSessionRate | Should -Not -BeNullOrEmpty
        $query = $impact.Queries | Where-Object Figure -like 'CrashFree*'
        ($query.Parameters | Where-Object Key -eq 'interval').Value | Should -Be '1d'
        ($query.Parameters | Where-Object Key -eq 'groupBy').Value | Should -Be 'release'
        $impact.MissingSignals | Where-Object { $_ -like 'CrashFree*' } | Should -BeNullOrEmpty
    }

    It 'runs as one pipeline from the issue list' {
        $issues = @(Get-SentryIssue -Query 'is:unresolved' -Sort date -First 5)
        $severities = @($issues | Measure-SentryImpact | Get-IncidentSeverity)
        $severities.Count | Should -Be 5
        @($severities.IssueId | Sort-Object) | Should -Be @($issues.ShortId | Sort-Object)
        # Each level is the one the issue gets on its own: the pipeline neither mixes up nor drops an issue's figures.
        foreach ($severity in $severities) {
            $severity.Severity | Should -Be (Measure-SentryImpact -IssueId $severity.IssueId | Get-IncidentSeverity).Severity
        }
    }

    It 'takes a policy from a .psd1 file' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "policy-$PID.psd1"
        Set-Content -Path $path -Value "@{ UsersPerHourAbove = 10 }"
        try {
            (Measure-SentryImpact API-1 -StatsPeriod 2h | Get-IncidentSeverity -Policy $path).Severity | Should -Be 'P1'
        }
        finally { Remove-Item $path }
    }

    It 'refuses a policy with an unknown setting' {
        $err = { Get-IncidentSeverity -PeakUsersPerHour 5 -Policy @{ UsersPerHourAbov = 10 } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'IncidentPolicyInvalid,*'
        $err.Exception.Message | Should -Match 'UsersPerHourAbov'
    }
}

Describe 'A Sentry without release health or spans' {
    BeforeAll {
        $script:Legacy = Start-TestSandbox -ExtraArgument '--profile', 'self-hosted-legacy'
        $script:LegacyConnection = Connect-Sentry -BaseUri $script:Legacy.BaseUri -Organization $script:Legacy.Organization -Token $script:Legacy.SecureToken -PassThru
        $s = $script:Sandbox
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    }

    AfterAll { Stop-TestSandbox $script:Legacy }

    It 'gives missing signals instead of numbers, and falls back to the transactions dataset' {
        $impact = Measure-SentryImpact API-1 -StatsPeriod 2h -Connection $script:LegacyConnection
        $impact.Events | Should -Be 180
        $impact.CrashFreeSessionRate | Should -BeNullOrEmpty
        $impact.MissingSignals -join ' ' | Should -Match 'CrashFreeSessionRate'
        $impact.P95DurationMs | Should -BeGreaterThan 8000
        $severity = $impact | Get-IncidentSeverity
        $severity.MissingSignals -join ' ' | Should -Match 'CrashFreeSessionRate'
    }
}

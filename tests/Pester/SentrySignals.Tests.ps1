BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    # This file changes issues: it has a sandbox of its own, with Sentry's rate limits on.
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken

    function Get-Traffic { Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" }
    function Reset-Traffic { Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" | Out-Null }

    function Send-TestEvent([string] $Fingerprint, [int] $Count = 1) {
        $dsn = [uri] $script:Sandbox.Dsn
        $key = $dsn.UserInfo
        $project = $dsn.AbsolutePath.Trim('/')
        for ($i = 0; $i -lt $Count; $i++) {
            $eventId = [guid]::NewGuid().ToString('n')
            $event = @{
                event_id = $eventId; timestamp = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0; platform = 'javascript'; level = 'error'
                release = 'web@2.4.2'; environment = 'production'; fingerprint = @($Fingerprint)
                exception = @{ values = @(@{ type = 'SignalTestError'; value = "check $Fingerprint" }) }
            } | ConvertTo-Json -Depth 6 -Compress
            $body = "{`"event_id`":`"$eventId`"}`n{`"type`":`"event`"}`n$event`n"
            Invoke-RestMethod -Method Post -Uri "$($dsn.Scheme)://$($dsn.Authority)/api/$project/envelope/?sentry_key=$key" -Body $body -ContentType 'application/x-sentry-envelope' | Out-Null
        }
    }
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'Set-SentryIssue' {
    It 'assigns 50 piped issues to a team and sets them high priority, with no 429 and nothing else changed' {
        $all = @(Get-SentryIssue -Query 'is:unresolved' -Project web, api, worker)
        $chosen = @($all | Where-Object { $_.Priority -ne 'high' -or $_.AssignedTo.Name -ne 'backend' } | Select-Object -First 50)
        $chosen.Count | Should -Be 50
        $others = @($all | Where-Object { $_.Id -notin $chosen.Id })
        Reset-Traffic

        $journal = Join-Path ([IO.Path]::GetTempPath()) "signals-$([guid]::NewGuid().ToString('n')).jsonl"
        # More than ten issues is a high-impact change: a script confirms it with -Confirm:$false.
        $changed = @($chosen | Set-SentryIssue -Priority high -AssignedTo team:backend -PassThru -Confirm:$false -Journal $journal)

        $traffic = Get-Traffic
        $traffic.rateLimited | Should -Be 0
        # The bulk route, one request per project: not 50 single-issue PUTs.
        (($traffic.routes.PSObject.Properties | Where-Object Name -like 'PUT *').Value.requests | Measure-Object -Sum).Sum | Should -BeLessOrEqual 3
        $changed.Count | Should -Be 50
        $after = @(Get-SentryIssue -Query 'is:unresolved' -Project web, api, worker)
        foreach ($issue in $chosen) {
            $now = $after | Where-Object Id -eq $issue.Id
            $now.Priority | Should -Be 'high'
            $now.AssignedTo.Type | Should -Be 'team'
            $now.AssignedTo.Name | Should -Be 'backend'
            $now.Status | Should -Be $issue.Status
            $now.Substatus | Should -Be $issue.Substatus
        }

        foreach ($issue in $others) {
            $now = $after | Where-Object Id -eq $issue.Id
            $now.Priority | Should -Be $issue.Priority
            "$($now.AssignedTo.Type):$($now.AssignedTo.Id)" | Should -Be "$($issue.AssignedTo.Type):$($issue.AssignedTo.Id)"
        }

        # The journal: one line per issue changed, what it was before and after; the token never in it.
        try {
            $lines = @(Get-Content -LiteralPath $journal | ForEach-Object { $_ | ConvertFrom-Json })
            $lines.Count | Should -Be 50
            ($lines.action | Sort-Object -Unique) | Should -Be 'SetIssue'
            ($lines.target | Sort-Object) | Should -Be ($chosen.Id | Sort-Object)
            foreach ($issue in $chosen) {
                $line = $lines | Where-Object target -eq $issue.Id
                $line.change | Should -Be 'set priority high and assign to #backend'
                $line.detail | Should -BeLike "priority $(if ($issue.Priority) { $issue.Priority } else { 'none' }) -> high; assignee * -> team:* (#backend)"
            }
            (Get-Content -Raw -LiteralPath $journal) | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))

            # Undo-SentryIssueStatus puts back statuses only: these lines are left alone, and it says so.
            $undo = Undo-SentryIssueStatus -Journal $journal -Confirm:$false -Verbose -WarningVariable warned -WarningAction SilentlyContinue 4>&1
            ($undo | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match '50 priority or assignee change\(s\) \(Set-SentryIssue\): not undone'
            $warned[0].Message | Should -Match 'records no status change'
            (Get-SentryIssue $chosen[0].Id).Priority | Should -Be 'high'
        }
        finally { Remove-Item -LiteralPath $journal -ErrorAction SilentlyContinue }
    }

    It 'asks once more before changing more than ten issues; a session that cannot ask changes nothing' {
        $ids = @(Get-SentryIssue -Query 'is:unresolved' -Project web | Where-Object Priority -ne 'low' | Select-Object -First 12).Id
        $ids.Count | Should -Be 12
        Reset-Traffic
        $ps = [powershell]::Create()   # no interactive host: it cannot ask
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; `$args[0] | Set-SentryIssue -Priority low -Connection `$args[1]").AddArgument($ids).AddArgument((Get-SentryConnection))
        try { $ps.Invoke() } catch { }
        ($ps.Streams.Error + @($ps.InvocationStateInfo.Reason.ErrorRecord) | Where-Object { $_ } | ForEach-Object FullyQualifiedErrorId) -join ' ' | Should -Match 'SentryHighImpactNotConfirmed'
        $ps.Dispose()
        ((Get-Traffic).routes.PSObject.Properties | Where-Object Name -like 'PUT *') | Should -BeNullOrEmpty
    }

    It 'sends nothing for an issue already so, and nothing at all with -WhatIf' {
        $issue = Get-SentryIssue -Query 'is:unresolved' -Project web -First 1
        Set-SentryIssue $issue.Id -Priority low -Confirm:$false
        Reset-Traffic
        $verbose = Set-SentryIssue $issue.Id -Priority low -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'already so'
        Set-SentryIssue $issue.Id -Priority medium -AssignedTo me -WhatIf
        $puts = (Get-Traffic).routes.PSObject.Properties | Where-Object Name -like 'PUT *'
        $puts | Should -BeNullOrEmpty
        (Get-SentryIssue $issue.Id).Priority | Should -Be 'low'
    }

    It 'assigns to me and to an e-mail, and unassigns' {
        $issue = Get-SentryIssue -Query 'is:unresolved' -Project api -First 1
        (Set-SentryIssue $issue.Id -AssignedTo me -PassThru).AssignedTo.Email | Should -Be 'sandbox@example.com'
        (Set-SentryIssue $issue.Id -Unassign -PassThru).AssignedTo | Should -BeNullOrEmpty
        (Set-SentryIssue $issue.Id -AssignedTo sandbox@example.com -PassThru).AssignedTo.Id | Should -Be '1'
    }

    It 'fails with Sentry''s message when the assignee is not on a team of the project, and changes nothing' {
        $issue = Get-SentryIssue -Query 'is:unresolved' -Project worker -First 1
        Set-SentryIssue $issue.Id -AssignedTo olive@example.com -Priority high -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryAssigneeNotMember,*'
        $problems[0].Exception.Message | Should -Match 'Cannot assign to non-team member'
        $problems[0].ErrorDetails.RecommendedAction + $problems[0].CategoryInfo | Should -Not -BeNullOrEmpty
        $after = Get-SentryIssue $issue.Id
        $after.Priority | Should -Be $issue.Priority
        $after.AssignedTo.Id | Should -Be $issue.AssignedTo.Id
    }

    It 'fails with Sentry''s message for a team without access to the project' {
        $issue = Get-SentryIssue -Query 'is:unresolved' -Project worker -First 1
        Set-SentryIssue $issue.Id -AssignedTo team:mobile -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryAssigneeTeamNoAccess,*'
        $problems[0].Exception.Message | Should -Match 'team without access to the project'
    }

    It 'refuses bad input before any request' {
        { Set-SentryIssue WEB-1 -ErrorAction Stop } | Should -Throw -ErrorId 'SentryIssueNothingToSet,*'
        { Set-SentryIssue WEB-1 -AssignedTo 'not an assignee' -ErrorAction Stop } | Should -Throw -ErrorId 'SentryAssigneeInvalid,*'
        { Set-SentryIssue WEB-1 -AssignedTo me -Unassign -ErrorAction Stop } | Should -Throw -ErrorId 'SentryAssigneeConflict,*'
        { Set-SentryIssue WEB-1 -AssignedTo team:nosuchteam -ErrorAction Stop } | Should -Throw -ErrorId 'SentryTeamNotFound,*'
    }
}

Describe 'Triage with Sentry''s own signals' {
    It 'reports an escalating issue as such, raised to high priority, and its severity reasons say so' {
        $fingerprint = "signal-escalating-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        Send-TestEvent $fingerprint
        $issue = Get-SentryIssue -Query "is:unresolved $fingerprint" -First 1
        Set-SentryIssueStatus $issue.Id -Status Ignored -UntilEscalating -Confirm:$false
        Send-TestEvent $fingerprint -Count 12

        $report = Invoke-SentryTriage $issue.Id
        $report.Substatus | Should -Be 'escalating'
        $report.IsEscalating | Should -BeTrue
        $report.Priority | Should -Be 'high'
        $report.Trend | Should -Be 'Spiking'
        ($report.Severity.Reasons -join "`n") | Should -Match 'escalating .*counted as a spiking trend'
        ($report.Severity.Reasons -join "`n") | Should -Match 'high priority'
        ($report.Checklist | Where-Object Step -eq "Sentry's own signals").Finding | Should -Match 'priority high, substatus escalating'
        (Get-IncidentSeverity -Triage $report).Reasons -join "`n" | Should -Match 'counted as a spiking trend'
    }
}

Describe 'Seer' {
    It 'Get-SentryIssueSummary gives Seer''s summary, marked AI-generated, where the organization has it' {
        $summary = Get-SentryIssueSummary WEB-1
        $summary.Headline | Should -Match 'Stripe'
        $summary.PossibleCause | Should -Match 'pinned'
        $summary.IsAiGenerated | Should -BeTrue
        $summary.Source | Should -Match 'AI-generated'
        # The default view leads with where it came from, so nobody reads it as a verified finding.
        $text = $summary | Out-String
        $text | Should -Match 'Source\s*: Sentry Seer \(AI-generated\)'
        $text | Should -Match 'Headline\s*: .*Stripe'
    }

    It 'Get-SentryIssueSummary says why Seer is not available' {
        Get-SentryIssueSummary API-1 -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentrySeerUnavailable,*'
        $problems[0].Exception.Message | Should -Match 'no Seer'
    }

    It 'triage shows Seer''s summary as its own AI-generated evidence where present, and a missing signal where not' {
        $with = Invoke-SentryTriage WEB-1
        $with.SeerSummary.Headline | Should -Match 'Stripe'
        $step = $with.Checklist | Where-Object Step -eq 'Seer summary (AI-generated)'
        $step.Done | Should -BeTrue
        $step.Finding | Should -Match "^AI-generated by Sentry's Seer, not verified"
        $with.Patterns.Pattern | Should -Not -Contain 'Seer'
        ($with.Severity.MissingSignals -like 'SeerSummary:*') | Should -BeNullOrEmpty
        $with.IssueCategory | Should -Be 'error'

        $without = Invoke-SentryTriage API-1
        $without.SeerSummary | Should -BeNullOrEmpty
        @($without.Severity.MissingSignals -like 'SeerSummary:*').Count | Should -Be 1
        ($without.Severity.MissingSignals -like 'SeerSummary:*') | Should -Match 'no Seer'

        $skipped = Invoke-SentryTriage API-1 -NoSeer
        ($skipped.Severity.MissingSignals -like 'SeerSummary:*') | Should -BeNullOrEmpty
    }

    It 'asks Seer for the first ten issues of a storm only (Seer allows ten a minute)' {
        $issues = Get-SentryIssue -Query '' -First 12
        $verbose = $issues | Invoke-SentryTriage -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($verbose.Message | Where-Object { $_ -match '^POST \S+/summarize/ ->' }).Count | Should -Be 10
        $verbose.Message | Should -Contain 'Seer was asked for the first 10 issues only (it allows 10 a minute); Get-SentryIssueSummary asks it for any other'
    }
}

Describe 'Cron and uptime issues' {
    BeforeAll {
        function Invoke-SandboxApi([string] $Path) {
            # Invoke-RestMethod writes a JSON array as one object: ForEach-Object unrolls it into its elements.
            Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/api/0/$Path" -Headers @{ Authorization = "Bearer $($script:Sandbox.Token)" } | ForEach-Object { $_ }
        }
    }

    It 'a missed cron job is triaged from its check-ins' {
        $issue = Get-SentryIssue -Query 'issue.category:cron' -Project worker -First 1
        $issue.IssueCategory | Should -Be 'cron'
        $issue.IssueType | Should -Be 'monitor_check_in_failure'
        # What the sandbox itself says: the monitor its event names, its check-ins, the project's deploys.
        $event = Invoke-SandboxApi "organizations/$($script:Sandbox.Organization)/issues/$($issue.Id)/events/latest/"
        $slug = ($event.tags | Where-Object key -eq 'monitor.slug').value
        $checkIns = @(Invoke-SandboxApi "organizations/$($script:Sandbox.Organization)/monitors/$slug/checkins/?per_page=100")
        $lastOk = $checkIns | Where-Object status -eq 'ok' | Select-Object -First 1
        $firstMissed = $checkIns | Where-Object status -eq 'missed' | Select-Object -Last 1
        $deployed = @(Get-SentryRelease -Project worker | Where-Object { $_.LastDeploy -and $_.LastDeploy.DateFinished -gt [DateTimeOffset] $lastOk.dateCreated -and $_.LastDeploy.DateFinished -le [DateTimeOffset] $firstMissed.expectedTime })
        $deployed.Count | Should -Be 1

        $report = Invoke-SentryTriage $issue.Id -NoSeer

        $report.Monitor.Kind | Should -Be 'cron'
        $report.Monitor.Slug | Should -Be $slug
        $report.Monitor.CheckInsRead | Should -Be $checkIns.Count
        $report.Monitor.Ok | Should -Be @($checkIns | Where-Object status -eq 'ok').Count
        $report.Monitor.Missed | Should -Be @($checkIns | Where-Object status -eq 'missed').Count
        $report.Monitor.Missed | Should -BeGreaterThan 0
        $report.Monitor.Failed | Should -Be @($checkIns | Where-Object status -eq 'error').Count
        $report.Monitor.LastOk | Should -Be ([DateTimeOffset] $lastOk.dateCreated)
        $report.Monitor.Schedule | Should -Be $checkIns[0].monitorConfig.schedule
        # No stack trace to read: the checklist reads the monitor instead.
        $report.Checklist.Step | Should -Not -Contain 'Breadcrumbs'
        $report.Checklist.Step | Should -Not -Contain 'Failing frame'
        ($report.Checklist | Where-Object Step -eq 'Check-ins').Finding | Should -Match "^$($report.Monitor.Ok) ok, $($report.Monitor.Missed) missed"
        $report.Patterns[0].Pattern | Should -Be 'DeploymentRegression'
        $report.Patterns[0].Evidence[0] | Should -Match "missed check-in of $slug .* after $([regex]::Escape($deployed[0].Version)) was deployed to production"
        $report.RecommendedActions -join "`n" | Should -Match "still schedules and starts the job $slug"
        $report.Patterns.Pattern | Should -Not -Contain 'SdkMisconfiguration'
        ($report | Out-String) | Should -Match "Monitor\s*: cron monitor $slug"
        # The first message says what is down, not "0 users hit errors".
        ($report | New-IncidentMessage -Kind Initial).Impact | Should -Match "^cron job $slug .*\($($report.Monitor.Missed) missed of the last $($checkIns.Count)\)"
    }

    It 'an uptime monitor whose host is down is triaged from its checks as an upstream failure' {
        $issue = Get-SentryIssue -Query 'issue.category:uptime' -Project api -First 1
        $event = Invoke-SandboxApi "organizations/$($script:Sandbox.Organization)/issues/$($issue.Id)/events/latest/"
        $id = ($event.tags | Where-Object key -eq 'uptime_rule').value
        $monitor = Invoke-SandboxApi "projects/$($script:Sandbox.Organization)/api/uptime/$id/"
        $checks = @(Invoke-SandboxApi "projects/$($script:Sandbox.Organization)/api/uptime/$id/checks/?per_page=100")
        $failing = 0
        foreach ($check in $checks) { if ($check.checkStatus -like 'failure*') { $failing++ } else { break } }
        $failing | Should -BeGreaterThan 2

        $report = Invoke-SentryTriage $issue.Id -NoSeer

        $report.Monitor.Kind | Should -Be 'uptime'
        $report.Monitor.Url | Should -Be $monitor.url
        $report.Monitor.ConsecutiveFailures | Should -Be $failing
        $report.Monitor.FailingHttpStatusCodes | Should -Be @($checks[0].httpStatusCode)
        $report.Patterns[0].Pattern | Should -Be 'ThirdPartyFailure'
        $report.Patterns[0].Evidence[0] | Should -Match "^$failing uptime checks of $([regex]::Escape($monitor.url)) in a row failed"
        $report.Patterns[0].ImmediateAction | Should -Match "^$([regex]::Escape(([uri] $monitor.url).Host)) is down"
        ($report.Severity.MissingSignals -like 'Monitor:*') | Should -BeNullOrEmpty
    }
}

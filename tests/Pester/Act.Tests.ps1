BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    # This file changes issues: it has a sandbox of its own.
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken

    function Send-TestEvent([string] $Fingerprint, [string] $Release, [string] $Type = 'ActTestError') {
        # An envelope as an SDK sends it, to the DSN the sandbox announced.
        $dsn = [uri] $script:Sandbox.Dsn
        $key = $dsn.UserInfo
        $project = $dsn.AbsolutePath.Trim('/')
        $eventId = [guid]::NewGuid().ToString('n')
        $event = @{
            event_id = $eventId; timestamp = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0; platform = 'javascript'; level = 'error'
            release = $Release; environment = 'production'; fingerprint = @($Fingerprint)
            exception = @{ values = @(@{ type = $Type; value = "check $Fingerprint" }) }
        } | ConvertTo-Json -Depth 6 -Compress
        $body = "{`"event_id`":`"$eventId`"}`n{`"type`":`"event`"}`n$event`n"
        Invoke-RestMethod -Method Post -Uri "$($dsn.Scheme)://$($dsn.Authority)/api/$project/envelope/?sentry_key=$key" -Body $body -ContentType 'application/x-sentry-envelope' | Out-Null
    }

    # The sandbox enforces Sentry's 5 a second on issue details: wait out a 429 as a client should.
    function Get-Raw([string] $Id) { Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/api/0/organizations/acme/issues/$Id/" -Headers @{ Authorization = "Bearer $($script:Sandbox.Token)" } -MaximumRetryCount 10 -RetryIntervalSec 1 }
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'Set-SentryIssueStatus' {
    It '-WhatIf sends nothing' {
        $before = Get-SentryIssue API-1
        $verbose = Set-SentryIssueStatus API-1 -Status Resolved -Force -WhatIf -Verbose 4>&1
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'PUT *' }) | Should -BeNullOrEmpty
        (Get-SentryIssue API-1).Status | Should -Be $before.Status
    }

    It 'refuses to resolve an issue that is still firing, and resolves it with -Force' {
        Set-SentryIssueStatus WEB-1 -Status Resolved -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueStillFiring,*'
        (Get-SentryIssue WEB-1).Status | Should -Be 'unresolved'
        (Set-SentryIssueStatus WEB-1 -Status Resolved -Force -PassThru).Status | Should -Be 'resolved'
    }

    It 'sends no request for an issue already in that state' {
        $verbose = Set-SentryIssueStatus WEB-1 -Status Resolved -Force -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Where-Object { $_ -like 'PUT *' } | Should -BeNullOrEmpty
        $verbose.Message -join "`n" | Should -Match 'already resolved'
    }

    It 'resolves in the next release; a new event in a later release regresses the issue' {
        $fingerprint = "act-regression-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        Send-TestEvent $fingerprint 'web@2.4.2'
        $issue = Get-SentryIssue -Query "is:unresolved $fingerprint" -First 1
        $issue | Should -Not -BeNullOrEmpty
        (Set-SentryIssueStatus $issue.Id -Status Resolved -InNextRelease -Force -PassThru).Status | Should -Be 'resolved'
        (Get-Raw $issue.Id).statusDetails.inNextRelease | Should -BeTrue

        Send-TestEvent $fingerprint 'web@2.4.2'
        (Get-SentryIssue $issue.Id).Status | Should -Be 'resolved' -Because 'an event of the same release does not regress it'

        Send-TestEvent $fingerprint 'web@9.9.9'
        $regressed = Get-SentryIssue $issue.Id
        $regressed.Status | Should -Be 'unresolved'
        $regressed.Substatus | Should -Be 'regressed'
        (Get-SentryIssueActivity $issue.Id).Type | Should -Contain 'set_regression'
    }

    It 'archives until 100 more events' {
        $issue = Set-SentryIssueStatus API-1 -Status Ignored -IgnoreCount 100 -PassThru
        $issue.Status | Should -Be 'ignored'
        $issue.Substatus | Should -Be 'archived_until_condition_met'
        (Get-Raw $issue.Id).statusDetails.ignoreCount | Should -Be 100
    }

    It 'writes the reason as a note' {
        Set-SentryIssueStatus WEB-2 -Status Resolved -InRelease 'web@2.4.2' -Reason 'hotfix renames the field back' -Force
        (Get-SentryIssueActivity WEB-2 | Where-Object Type -eq 'note').Text | Should -Contain 'Resolve in release web@2.4.2: hotfix renames the field back'
    }

    It 'refuses a release-based resolution across projects before sending anything' {
        $err = { Set-SentryIssueStatus API-2, WEB-3 -Status Resolved -InNextRelease -Force } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryReleaseResolutionMultipleProjects,*'
        (Get-SentryIssue API-2).Status | Should -Be 'unresolved'
    }

    It 'refuses conflicting archive conditions' {
        $err = { Set-SentryIssueStatus API-2 -Status Ignored -IgnoreCount 5 -IgnoreDuration 60 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryIgnoreConditionsConflict,*'
    }

    It 'reports a missing issue in the middle of a batch, and changes the others' {
        $changed = 'API-2', 'WEB-ZZZZ', 'WEB-3' | Set-SentryIssueStatus -Status Ignored -UntilEscalating -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue
        $changed.ShortId | Should -Be @('API-2', 'WEB-3')
        $changed.Substatus | Sort-Object -Unique | Should -Be 'archived_until_escalating'
        $problems.FullyQualifiedErrorId | Should -Contain 'SentryIssueNotFound,SentryRunbook.PowerShell.Commands.SetSentryIssueStatusCommand'
    }

    It 'reports progress while it changes many issues' {
        $ids = (Get-SentryIssue -Query 'is:unresolved' -First 12).Id
        $ps = [powershell]::Create()
        # A runspace of its own has no stored connection: the connection is passed.
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; `$args[0] | Set-SentryIssueStatus -Status Ignored -IgnoreDuration 30 -Force -Connection `$args[1]").AddArgument($ids).AddArgument((Get-SentryConnection))
        $ps.Invoke()
        $ps.HadErrors | Should -BeFalse
        $progress = @($ps.Streams.Progress | Where-Object Activity -eq 'Set-SentryIssueStatus')
        $progress.Count | Should -BeGreaterThan 2
        ($progress | Where-Object PercentComplete -eq 100) | Should -Not -BeNullOrEmpty
        $progress[-1].RecordType | Should -Be 'Completed'
        $ps.Dispose()
    }

    It 'asks before a high-impact change; a script confirms with -Confirm:$false and keeps the still-firing guard' {
        # Issues the progress test archived already: changing them again leaves the unresolved ones for the next test.
        $ids = (Get-SentryIssue -Query 'is:ignored' -First 12).Id
        $ids.Count | Should -Be 12
        $before = @{}
        foreach ($id in $ids) { $before[$id] = (Get-Raw $id).statusDetails.ignoreUntil }
        $ps = [powershell]::Create()   # no interactive host: it cannot ask
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; `$args[0] | Set-SentryIssueStatus -Status Ignored -IgnoreDuration 35 -Connection `$args[1]").AddArgument($ids).AddArgument((Get-SentryConnection))
        try { $ps.Invoke() } catch { }
        ($ps.Streams.Error + @($ps.InvocationStateInfo.Reason.ErrorRecord) | Where-Object { $_ } | ForEach-Object FullyQualifiedErrorId) -join ' ' | Should -Match 'SentryHighImpactNotConfirmed'
        $ps.Dispose()
        foreach ($id in $ids) { (Get-Raw $id).statusDetails.ignoreUntil | Should -Be $before[$id] -Because 'nothing was changed without the confirmation' }

        $changed = $ids | Set-SentryIssueStatus -Status Ignored -IgnoreDuration 35 -Confirm:$false -PassThru
        @($changed).Count | Should -Be 12
        # Sentry turns a duration into the time the archive ends.
        foreach ($id in $ids) { [DateTimeOffset](Get-Raw $id).statusDetails.ignoreUntil | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(33)) }
        $fingerprint = "act-firing-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        Send-TestEvent $fingerprint 'web@2.4.2'
        $firing = Get-SentryIssue -Query "is:unresolved $fingerprint" -First 1
        Set-SentryIssueStatus $firing.Id -Status Resolved -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueStillFiring,*' -Because '-Confirm:$false answers the question, it does not switch the guard off'
    }

    It 'resolves 250 piped issues and no other' {
        $before = @(Get-SentryIssue -Query 'is:unresolved')
        $before.Count | Should -BeGreaterThan 250
        $chosen = $before | Select-Object -First 250
        $chosen | Set-SentryIssueStatus -Status Resolved -Force
        $after = @(Get-SentryIssue -Query 'is:unresolved')
        $after.Count | Should -Be ($before.Count - 250)
        ($after.Id | Where-Object { $_ -in $chosen.Id }) | Should -BeNullOrEmpty
        ($before | Select-Object -Skip 250).Id | ForEach-Object { $_ | Should -BeIn $after.Id }
    }
}

Describe 'Rollback and deploys' {
    It 'names the release before the bad deploy as the rollback target' {
        $target = Get-SentryRollbackTarget -Environment production -Project web
        $target.CurrentRelease | Should -Be 'web@2.4.2'
        $target.Release | Should -Be 'web@2.4.1'
        $target.Reasons | Should -Not -BeNullOrEmpty
    }

    It 'pipes into New-SentryDeploy, which -WhatIf does not send' {
        $before = @(Get-SentryDeploy -Release web@2.4.1).Count
        Get-SentryRollbackTarget -Environment production -Project web | New-SentryDeploy -Name rollback -WhatIf
        @(Get-SentryDeploy -Release web@2.4.1).Count | Should -Be $before
        $deploy = Get-SentryRollbackTarget -Environment production -Project web | New-SentryDeploy -Name rollback
        $deploy.Release | Should -Be 'web@2.4.1'
        $deploy.Environment | Should -Be 'production'
        @(Get-SentryDeploy -Release web@2.4.1).Count | Should -Be ($before + 1)
        # Put web@2.4.2 back as the current release, so that the rollback target other tests read does not depend on their order.
        New-SentryDeploy -Release web@2.4.2 -Environment production -Name 'restore current' | Out-Null
        (Get-SentryRollbackTarget -Environment production -Project web).Release | Should -Be 'web@2.4.1'
    }

    It 'adds a note with Add-SentryIssueNote' {
        $note = Add-SentryIssueNote WEB-3 -Text "rehearsal note $([guid]::NewGuid())"
        $note.Type | Should -Be 'note'
        (Get-SentryIssueActivity WEB-3).Text | Should -Contain $note.Text
    }
}

Describe 'Acting while Sentry fails' {
    BeforeAll {
        # Truncated answers come after the sandbox stored the write: the note exists though the client saw a failure.
        $body = @{ rateLimitRate = 0.05; serverErrorRate = 0.05; truncateRate = 0.1; serverErrorStatus = 503; resetSeconds = 1; seed = 11; pathPrefix = '/api/0/' } | ConvertTo-Json
        Invoke-RestMethod -Method Put -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" -Body $body -ContentType 'application/json' | Out-Null
    }

    AfterAll {
        Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" | Out-Null
    }

    It 'finishes a batch with every issue changed and each note written once' {
        $ids = (Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/api/0/organizations/acme/issues/?query=&limit=20" -Headers @{ Authorization = "Bearer $($script:Sandbox.Token)" } -MaximumRetryCount 10 -RetryIntervalSec 1).id
        $ids.Count | Should -Be 20
        $reason = "flaky-batch $([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $ids | Set-SentryIssueStatus -Status Ignored -IgnoreDuration 45 -Reason $reason -Force -ErrorAction Stop
        $stats = Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/sandbox/faults/stats"
        $stats.injected.truncated | Should -BeGreaterThan 0 -Because 'some writes must have been stored and then failed'
        Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" | Out-Null
        foreach ($id in $ids) {
            (Get-SentryIssue $id).Status | Should -Be 'ignored'
            @(Get-SentryIssueActivity $id | Where-Object { $_.Type -eq 'note' -and $_.Text -like "*$reason" }).Count | Should -Be 1
        }
    }

    It 'creates a deploy once' {
        $body = @{ rateLimitRate = 0.05; serverErrorRate = 0.05; truncateRate = 0.1; serverErrorStatus = 503; resetSeconds = 1; seed = 5; pathPrefix = '/api/0/' } | ConvertTo-Json
        Invoke-RestMethod -Method Put -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" -Body $body -ContentType 'application/json' | Out-Null
        $name = "flaky-deploy-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        foreach ($i in 1..5) { New-SentryDeploy -Release web@2.3.9 -Environment staging -Name "$name-$i" -ErrorAction Stop | Out-Null }
        Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" | Out-Null
        $deploys = Get-SentryDeploy -Release web@2.3.9 | Where-Object Name -like "$name-*"
        $deploys.Count | Should -Be 5
        @($deploys.Name | Sort-Object -Unique).Count | Should -Be 5
    }
}

# Storms of issues under sentry.io's real rate limits and with the bulk fallback hazard on: both are the
# sandbox's defaults, as in Sentry. Nothing here turns them off.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    # 300 issues in "shop" (a release to resolve in), 20 in "other"; their events ended an hour ago, so none is still firing.
    $issues = foreach ($i in 1..300) {
        @{ project = 'shop'; exception = @{ type = 'StormError'; value = "storm $i" }; fingerprint = @("storm-$i"); release = 'shop@1.0.0'; count = 2; users = 1; startMinutesAgo = 120; endMinutesAgo = 60 }
    }
    $issues += foreach ($i in 1..20) {
        @{ project = 'other'; exception = @{ type = 'BystanderError'; value = "bystander $i" }; fingerprint = @("bystander-$i"); count = 2; startMinutesAgo = 120; endMinutesAgo = 60 }
    }
    $scenario = @{ seed = 7; projects = @(@{ slug = 'shop' }, @{ slug = 'other' }); releases = @(@{ version = 'shop@1.0.0'; project = 'shop'; createdMinutesAgo = 180 }); issues = $issues }
    $script:ScenarioPath = Join-Path ([IO.Path]::GetTempPath()) "storm-$([guid]::NewGuid().ToString('n')).json"
    $scenario | ConvertTo-Json -Depth 6 | Set-Content -Path $script:ScenarioPath
    $script:Sandbox = Start-TestSandbox -Scenario $script:ScenarioPath
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken

    function Get-AllIssueState {
        # Every issue of every status: id -> status/substatus.
        $state = @{}
        foreach ($issue in Get-SentryIssue -Query '' -StatsPeriod 14d) { $state[$issue.Id] = "$($issue.Status)/$($issue.Substatus)" }
        $state
    }

    function Get-Traffic { Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" }
    function Reset-Traffic { Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" | Out-Null }
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
    Remove-Item -LiteralPath $script:ScenarioPath -ErrorAction SilentlyContinue
}

Describe 'Set-SentryIssueStatus on 250 issues at sentry.io''s limits' {
    BeforeAll {
        $script:Shop = @(Get-SentryIssue -Project shop -Query '' -StatsPeriod 14d | Select-Object -First 250)
        $script:Shop.Count | Should -Be 250
    }

    It '<Name>: every issue changes, nothing else does, and Sentry refuses nothing' -ForEach @(
        @{ Name = 'archive forever'; Arguments = @{ Status = 'Ignored' }; Status = 'ignored'; Substatus = 'archived_forever' }
        @{ Name = 'unresolve'; Arguments = @{ Status = 'Unresolved' }; Status = 'unresolved'; Substatus = $null }
        @{ Name = 'archive until escalating'; Arguments = @{ Status = 'Archived'; UntilEscalating = $true }; Status = 'ignored'; Substatus = 'archived_until_escalating' }
        @{ Name = 'unresolve again'; Arguments = @{ Status = 'Unresolved' }; Status = 'unresolved'; Substatus = $null }
        @{ Name = 'archive until 100 events in 60 minutes'; Arguments = @{ Status = 'Ignored'; IgnoreCount = 100; IgnoreWindow = 60 }; Status = 'ignored'; Substatus = 'archived_until_condition_met' }
        @{ Name = 'archive until 10 more users'; Arguments = @{ Status = 'Ignored'; IgnoreUserCount = 10 }; Status = 'ignored'; Substatus = 'archived_until_condition_met' }
        @{ Name = 'archive for 30 minutes'; Arguments = @{ Status = 'Ignored'; IgnoreDuration = 30 }; Status = 'ignored'; Substatus = 'archived_until_condition_met' }
        @{ Name = 'resolve in the next release'; Arguments = @{ Status = 'Resolved'; InNextRelease = $true }; Status = 'resolved'; Substatus = $null }
        @{ Name = 'unresolve a third time'; Arguments = @{ Status = 'Unresolved' }; Status = 'unresolved'; Substatus = $null }
        @{ Name = 'resolve in the latest release'; Arguments = @{ Status = 'Resolved'; InRelease = 'latest' }; Status = 'resolved'; Substatus = $null }
        @{ Name = 'unresolve a fourth time'; Arguments = @{ Status = 'Unresolved' }; Status = 'unresolved'; Substatus = $null }
        @{ Name = 'resolve'; Arguments = @{ Status = 'Resolved' }; Status = 'resolved'; Substatus = $null }
    ) {
        $before = Get-AllIssueState
        Reset-Traffic
        $changed = $script:Shop | Set-SentryIssueStatus @Arguments -Confirm:$false -PassThru -ErrorVariable problems
        $traffic = Get-Traffic
        $problems | Should -BeNullOrEmpty
        @($changed).Count | Should -Be 250
        $traffic.rateLimited | Should -Be 0
        # The bulk route did the work: no issue was changed through the single-issue route.
        $traffic.routes.'PUT /api/0/organizations/{org}/issues/{id}/' | Should -BeNullOrEmpty
        $traffic.routes.'PUT /api/0/organizations/{org}/issues/'.requests | Should -BeGreaterThan 0

        $after = Get-AllIssueState
        foreach ($issue in $script:Shop) {
            $status, $substatus = $after[$issue.Id] -split '/', 2
            $status | Should -Be $Status
            if ($Substatus) { $substatus | Should -Be $Substatus }
        }
        foreach ($id in $before.Keys | Where-Object { $_ -notin $script:Shop.Id }) { $after[$id] | Should -Be $before[$id] -Because "issue $id was not named" }
    }
}

Describe 'Issues piped in fresh from Get-SentryIssue' {
    It 'are not read again, and a copy whose status went out of date is still changed' {
        $issues = @(Get-SentryIssue -Project other -Query 'is:unresolved' -StatsPeriod 14d | Select-Object -Last 8)
        Reset-Traffic
        $issues | Set-SentryIssueStatus -Status Ignored -Confirm:$false -ErrorAction Stop
        (Get-Traffic).routes.'GET /api/0/organizations/{org}/issues/'.requests | Should -Be 1 -Because 'only the read-back after the bulk change'

        # The copies still say unresolved; the issues are archived. "Already unresolved" must not be believed.
        $back = $issues | Set-SentryIssueStatus -Status Unresolved -Confirm:$false -PassThru -ErrorAction Stop
        @($back).Count | Should -Be 8
        $back | ForEach-Object { $_.Status | Should -Be 'unresolved' }
    }
}

Describe 'The bulk fallback hazard, with every named issue deleted between the read and the write' {
    It 'changes nothing and says, for each id, that it was not found' {
        $victims = @(Get-SentryIssue -Project other -Query 'is:unresolved' -StatsPeriod 14d | Select-Object -First 12)
        $victims.Count | Should -Be 12
        $before = Get-AllIssueState
        $unresolvedBefore = @($before.Values | Where-Object { $_ -like 'unresolved/*' }).Count
        $unresolvedBefore | Should -BeGreaterThan 12 -Because 'a search that ran would have had issues to change'

        # Someone deletes exactly those issues after Set-SentryIssueStatus read them and before it writes.
        Invoke-RestMethod -Method Put -Uri "$($script:Sandbox.BaseUri)/sandbox/options" -Body '{"deleteNamedIssuesOnNextBulkChange":true}' -ContentType 'application/json' | Out-Null
        $changed = $victims | Set-SentryIssueStatus -Status Resolved -Confirm:$false -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue

        $changed | Should -BeNullOrEmpty
        $problems.Count | Should -Be 12
        $problems | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'SentryIssueNotFound,*' }
        ($problems | ForEach-Object { $_.Exception.Message }) -join "`n" | Should -Match 'deleted or merged after it was read, so nothing was changed'
        @($problems.TargetObject) | Should -Be @($victims.Id)

        $after = Get-AllIssueState
        foreach ($id in $victims.Id) { $after.ContainsKey($id) | Should -BeFalse -Because 'the sandbox deleted it' }
        foreach ($id in $before.Keys | Where-Object { $_ -notin $victims.Id }) { $after[$id] | Should -Be $before[$id] -Because 'the fallback search must not have changed it' }
    }
}

# Watch-SentryIncident against the sandbox's live incidents: real events in real time, a shortened cadence, a local sink.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox -Scenario empty
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    $script:Hook = Start-TestWebhook

    function script:Start-LiveIncident([hashtable] $Shape) {
        Invoke-RestMethod -Method Post -Uri "$($script:Sandbox.BaseUri)/sandbox/live" -ContentType 'application/json' -Body ($Shape | ConvertTo-Json -Compress)
    }
    function script:Stop-LiveIncident($Live) {
        $null = Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/live/$($Live.id)"
    }
}

AfterAll {
    Stop-TestWebhook $script:Hook
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'Watch-SentryIncident' {
    BeforeEach { $null = Receive-TestWebhook $script:Hook }

    It 'with -WhatIf measures and prints every round, and sends and changes nothing' {
        $live = Start-LiveIncident @{ project = 'web'; type = 'WhatIfError'; value = 'dry run'; peakPerMinute = 120; rise = 2; plateau = '5m'; decay = 0 }
        try {
            $rounds = @(Watch-SentryIncident $live.issueId -WhatIf -Interval 00:00:02 -UpdateEvery 00:00:02 -Timeout 00:00:07 -ResolveOnRecovery -Force `
                -WebhookUri "$($script:Hook.Uri)/hook" -PagerDutyRoutingKey 'routing-key-whatif' -PagerDutyUri "$($script:Hook.Uri)/v2/enqueue")
        }
        finally { Stop-LiveIncident $live }
        $rounds.Count | Should -BeGreaterOrEqual 3
        $rounds | ForEach-Object { $_.State | Should -Be 'Ongoing'; $_.Message | Should -BeNullOrEmpty; $_.Delivery.Count | Should -Be 0 }
        $rounds[0].IssueId | Should -Be $live.issueId
        $rounds[0].ShortId | Should -Be $live.shortId
        # An update was due every round (2 s cadence): none went out.
        @(Receive-TestWebhook $script:Hook).Count | Should -Be 0
        (Get-SentryIssue $live.issueId).Status | Should -Be 'unresolved'
    }

    It 'follows a live incident that decays within two minutes: updates on the cadence with one dedup key, Mitigating then Recovered, one resolution, then the regression' {
        # 120 events/min at the peak; the last event within 45 s; comes back 5 s after it is resolved.
        $live = Start-LiveIncident @{ project = 'web'; type = 'LiveWatchError'; value = 'checkout upstream failing'; peakPerMinute = 120; rise = 5; plateau = 20; decay = 20; users = 12; restartAfterResolve = 5 }
        $journal = Join-Path $TestDrive 'watch.journal.jsonl'
        $updates = [System.Collections.Generic.List[object]]::new()
        try {
            # Select-Object stops the watch at the first Regressed round, as Ctrl+C would between rounds.
            $null = Watch-SentryIncident $live.issueId -Interval 00:00:05 -UpdateEvery 00:00:30 -RecoveredAfter 00:02:00 -ResolveOnRecovery -Force -Until Resolved -Timeout 00:06:00 `
                -WebhookUri "$($script:Hook.Uri)/hook" -PagerDutyRoutingKey 'routing-key-1' -PagerDutyUri "$($script:Hook.Uri)/v2/enqueue" -Journal $journal -WarningAction SilentlyContinue |
                ForEach-Object { $updates.Add($_); $_ } | Where-Object State -eq 'Regressed' | Select-Object -First 1
        }
        finally { Stop-LiveIncident $live }

        $states = @($updates.State)
        $states[-1] | Should -Be 'Regressed'
        $firstMitigating = $states.IndexOf('Mitigating')
        $firstRecovered = $states.IndexOf('Recovered')
        $firstResolved = $states.IndexOf('Resolved')
        $firstMitigating | Should -BeGreaterOrEqual 0
        $firstRecovered | Should -BeGreaterThan $firstMitigating
        $firstResolved | Should -BeGreaterThan $firstRecovered
        $states[0..($firstMitigating - 1)] | ForEach-Object { $_ | Should -Be 'Ongoing' }
        $updates[0].PeakEventsPerMinute, $updates[$firstRecovered].PeakEventsPerMinute | Should -Not -BeNullOrEmpty
        $updates[$firstRecovered].PeakEventsPerMinute | Should -BeGreaterThan 10
        $updates[$firstRecovered].BaselineEventsPerMinute | Should -Be 0
        $updates[$firstRecovered].MinutesAtBaseline | Should -BeGreaterOrEqual 2
        $updates[$firstRecovered].UniqueUsers | Should -Be 12

        # Resolved once, by the watch, with one resolution notice.
        @($updates | Where-Object ResolvedByWatch).Count | Should -Be 1
        $resolvedRound = $updates | Where-Object ResolvedByWatch
        $resolvedRound.Message.Kind | Should -Be 'Resolution'
        $entries = @(Get-Content $journal | ConvertFrom-Json)
        @($entries | Where-Object Action -eq 'SetStatus').Count | Should -Be 1
        @(Get-SentryIssueActivity $live.issueId | Where-Object Type -eq 'set_resolved').Count | Should -Be 1

        # What reached the sink: the messages the watch reported, all with the incident's one dedup key.
        $received = @(Receive-TestWebhook $script:Hook)
        $sent = @($updates | Where-Object Message)
        $hooks = @($received | Where-Object Path -eq '/hook' | ForEach-Object { $_.Body | ConvertFrom-Json })
        $pages = @($received | Where-Object Path -eq '/v2/enqueue' | ForEach-Object { $_.Body | ConvertFrom-Json })
        $hooks.Count | Should -Be $sent.Count
        $pages.Count | Should -Be $sent.Count
        @($hooks | Where-Object kind -eq 'Resolution').Count | Should -Be 1
        @($hooks | Where-Object kind -eq 'Update').Count | Should -BeGreaterOrEqual 3 -Because 'the cadence (30 s) brings updates while it is ongoing, one on recovery, one on the regression'
        @($hooks.dedupKey + $pages.dedup_key | Sort-Object -Unique).Count | Should -Be 1
        $pages.dedup_key[0] | Should -Be $sent[0].Message.DedupKey
        $pages.event_action | Should -Not -Contain 'acknowledge'
        @($pages | Where-Object event_action -eq 'resolve').Count | Should -Be 1
        @($pages | Where-Object event_action -eq 'trigger').Count | Should -Be ($sent.Count - 1)
        $hooks.status | Should -Contain 'Regressed'
        $hooks.status | Should -Not -Contain 'Recovered' -Because 'with -ResolveOnRecovery the resolution notice says it, not a separate recovery update'
        $hooks.status | Should -Contain 'Mitigating'
        # The journal records each delivery, never the routing key.
        @($entries | Where-Object Action -eq 'SendMessage').Count | Should -Be (2 * $sent.Count)
        (Get-Content -Raw $journal) | Should -Not -Match 'routing-key-1'

        # Sentry regressed it when the restarted live incident's first event came in.
        $issue = Get-SentryIssue $live.issueId
        $issue.Status | Should -Be 'unresolved'
        $issue.Substatus | Should -Be 'regressed'

        # A new watch on the regressed issue takes the regression as the incident's start, and says Regressed.
        $again = @(Watch-SentryIncident $live.issueId -WhatIf -Interval 00:00:01 -Timeout 00:00:01 -WarningAction SilentlyContinue)
        $again[0].State | Should -Be 'Regressed'
        $regression = (Get-SentryIssueActivity $live.issueId | Where-Object Type -eq 'set_regression' | Select-Object -First 1).DateCreated
        $again[0].Since | Should -Be ([DateTimeOffset]::new($regression.UtcDateTime.Ticks - $regression.UtcDateTime.Ticks % [TimeSpan]::TicksPerMinute, [TimeSpan]::Zero))
        $again[0].Since | Should -BeGreaterThan $updates[0].Since
    }

    It 'sends its updates with the dedup key New-IncidentMessage gives the same triage or incident' {
        $first = Start-LiveIncident @{ project = 'web'; type = 'KeyErrorA'; value = 'first member'; peakPerMinute = 60; rise = 1; plateau = '5m'; decay = 0 }
        $second = Start-LiveIncident @{ project = 'api'; type = 'KeyErrorB'; value = 'second member'; peakPerMinute = 60; rise = 1; plateau = '5m'; decay = 0 }
        try {
            $triage = Invoke-SentryTriage $first.issueId -WarningAction SilentlyContinue
            $rounds = @($triage | Watch-SentryIncident -Interval 00:00:01 -UpdateEvery 00:00:01 -Timeout 00:00:02 -WebhookUri "$($script:Hook.Uri)/hook" -WarningAction SilentlyContinue)
            $sent = @(Receive-TestWebhook $script:Hook | ForEach-Object { $_.Body | ConvertFrom-Json })
            $sent.Count | Should -BeGreaterOrEqual 1
            $sent.dedupKey | Sort-Object -Unique | Should -Be ($triage | New-IncidentMessage -Kind Initial).DedupKey
            $sent[0].severity | Should -Be $triage.Severity.Severity
            $rounds[0].ShortId | Should -Be $first.shortId

            $members = @(Get-SentryIssue $first.issueId, $second.issueId)
            $incident = [SentryRunbook.Models.SentryIncident]::new([SentryRunbook.Models.SentryIssue[]] $members, 'Checkout down', $members[0], 'P1', $members[0].ShortId, 'test', $null,
                [SentryRunbook.Models.IncidentMemberReason[]] @(), [string[]] @(), [string[]] @('production'), $null)
            $rounds = @(Watch-SentryIncident -Incident $incident -Interval 00:00:01 -UpdateEvery 00:00:01 -Timeout 00:00:02 -WebhookUri "$($script:Hook.Uri)/hook" -WarningAction SilentlyContinue)
            $rounds[0].IssueId | Should -Be $incident.Id
            $sent = @(Receive-TestWebhook $script:Hook | ForEach-Object { $_.Body | ConvertFrom-Json })
            $sent.Count | Should -BeGreaterOrEqual 1
            $sent.dedupKey | Sort-Object -Unique | Should -Be (New-IncidentMessage -Incident $incident -Kind Initial).DedupKey
            $sent[0].severity | Should -Be 'P1'
            $sent[0].text | Should -Match ([regex]::Escape($second.shortId)) -Because 'the members are listed'
        }
        finally { Stop-LiveIncident $first; Stop-LiveIncident $second }
    }

    It 'runs unattended as the Azure Automation sample runbook, bounded by its -Timeout' {
        $live = Start-LiveIncident @{ project = 'web'; type = 'AutomationError'; value = 'unattended'; peakPerMinute = 60; rise = 1; plateau = '5m'; decay = 0 }
        try {
            # Azure Automation provides Get-AutomationPSCredential and Get-AutomationVariable; here they are stand-ins.
            $runbook = Join-Path (Get-RepoRoot) 'samples/AzureAutomation-WatchIncident.ps1'
            $modules = Split-Path (Split-Path (Get-TestModulePath))
            $output = Invoke-FreshPwsh @"
`$env:PSModulePath = '$modules' + [IO.Path]::PathSeparator + `$env:PSModulePath
function Get-AutomationPSCredential([string] `$Name) { [pscredential]::new('sentry', (ConvertTo-SecureString '$($script:Sandbox.Token)' -AsPlainText -Force)) }
function Get-AutomationVariable([string] `$Name) { if (`$Name -eq 'PagerDutyRoutingKey') { 'automation-routing-key' } else { '$($script:Hook.Uri)/hook' } }
& '$runbook' -BaseUri '$($script:Sandbox.BaseUri)' -Organization '$($script:Sandbox.Organization)' -IssueId '$($live.issueId)' -Interval 00:00:01 -UpdateEvery 00:00:01 -Timeout 00:00:03 -PagerDutyUri '$($script:Hook.Uri)/v2/enqueue'
"@
        }
        finally { Stop-LiveIncident $live }
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $rounds = @($output | Where-Object { $_ -match '^\d{4}-\d\d-\d\d \d\d:\d\d UTC Ongoing' })
        $rounds.Count | Should -BeGreaterOrEqual 2 -Because ($output -join "`n")
        $received = @(Receive-TestWebhook $script:Hook)
        @($received | Where-Object Path -eq '/v2/enqueue').Count | Should -BeGreaterOrEqual 1
        @($received | Where-Object Path -eq '/hook').Count | Should -Be @($received | Where-Object Path -eq '/v2/enqueue').Count
        ($output -join "`n") | Should -Not -Match 'automation-routing-key'
    }

    It 'refuses a recovery window shorter than a minute and a zero interval' {
        { Watch-SentryIncident 1 -RecoveredAfter 00:00:30 -ErrorAction Stop } | Should -Throw -ErrorId 'SentryWatchRecoveryTooShort*'
        { Watch-SentryIncident 1 -Interval 0 -ErrorAction Stop } | Should -Throw -ErrorId 'SentryWatchTimeInvalid*'
        { Watch-SentryIncident 1 -WebhookUri 'http://example.com/hook' -ErrorAction Stop } | Should -Throw -ErrorId 'IncidentTargetInvalid*'
    }

    It 'is stopped by Ctrl+C (StopProcessing) between rounds' {
        $live = Start-LiveIncident @{ project = 'web'; type = 'StopError'; value = 'stop me'; peakPerMinute = 60; rise = 1; plateau = '5m'; decay = 0 }
        $sessionState = [initialsessionstate]::CreateDefault2()
        $sessionState.ImportPSModule([string[]] @(Get-TestModulePath))
        $ps = [powershell]::Create($sessionState)
        try {
            $connection = Get-SentryConnection
            $null = $ps.AddCommand('Watch-SentryIncident').AddParameter('IssueId', $live.issueId).AddParameter('Connection', $connection).AddParameter('Interval', [TimeSpan]::FromMinutes(10)).AddParameter('Timeout', [TimeSpan]::FromHours(1)).AddParameter('WebhookUri', [uri] "$($script:Hook.Uri)/hook")
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $inputs = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $inputs.Complete()
            $async = $ps.BeginInvoke($inputs, $output)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($output.Count -lt 1 -and [DateTime]::UtcNow -lt $deadline -and -not $async.IsCompleted) { Start-Sleep -Milliseconds 100 }
            $output.Count | Should -Be 1
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $output.Count | Should -Be 1
        }
        finally { $ps.Dispose(); Stop-LiveIncident $live }
        @(Receive-TestWebhook $script:Hook).Count | Should -Be 0 -Because 'no update was due yet (the severity''s cadence is hours)'
    }

    It 'shows each round in a table with times in UTC' {
        $update = [SentryRunbook.Models.IncidentWatchUpdate]::new([DateTimeOffset]::new(2026, 3, 10, 2, 5, 0, [TimeSpan]::Zero), '4501', 'WEB-1', 'Mitigating', 'Ongoing', 12, 20.5, 30, 250, 0.5, 3, 40, $null, 'falling', [DateTimeOffset]::new(2026, 3, 10, 2, 35, 0, [TimeSpan]::Zero), $null, [SentryRunbook.Models.IncidentDelivery[]] @(), $null, $false)
        $text = $update | Format-Table | Out-String -Width 200
        $text | Should -Match '2026-03-10 02:05 UTC'
        $text | Should -Match '2026-03-10 02:35 UTC'
        $text | Should -Match 'Mitigating'
        $text | Should -Match 'WEB-1'
    }
}

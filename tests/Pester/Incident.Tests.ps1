# One incident, many issues (the built-in `storm` scenario): the incident journal and its undo.
# The sandbox keeps sentry.io's rate limits and the bulk fallback hazard on, as Sentry has them.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox -Scenario storm
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken

    function Get-OrganizationState {
        # Every issue of every status in the organization: id -> status, substatus and status details.
        $state = @{}
        foreach ($issue in Get-SentryIssue -Query '' -StatsPeriod 14d) { $state[$issue.Id] = "$($issue.Status)|$($issue.Substatus)|$($issue.StatusDetails)" }
        $state
    }
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'The incident journal and Undo-SentryIssueStatus' {
    BeforeAll {
        $script:Journal = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).jsonl"
        $script:Deploy = @(Get-SentryIssue -Query 'is:unresolved release:shop@2026.12.3')
    }
    AfterAll { Remove-Item -LiteralPath $script:Journal -ErrorAction SilentlyContinue }

    It 'a bulk resolve of 15 issues with -Journal, then the undo, leaves every issue in the organization exactly as before' {
        $script:Deploy.Count | Should -Be 15
        ($script:Deploy.Project | Sort-Object -Unique) | Should -Be @('api', 'checkout', 'web')
        $before = Get-OrganizationState
        $before.Count | Should -BeGreaterThan 20

        $resolved = $script:Deploy | Set-SentryIssueStatus -Status Resolved -Force -Journal $script:Journal -PassThru -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        @($resolved).Count | Should -Be 15
        @($resolved | Where-Object Status -ne 'resolved').Count | Should -Be 0

        $lines = @(Get-Content -LiteralPath $script:Journal)
        $lines.Count | Should -Be 15
        $entries = $lines | ForEach-Object { $_ | ConvertFrom-Json }
        @($entries.action | Sort-Object -Unique) | Should -Be @('SetStatus')
        ($entries.target | Sort-Object) | Should -Be ($script:Deploy.Id | Sort-Object)
        foreach ($entry in $entries) {
            $entry.user | Should -Match '^.+@.+$'
            $entry.before.status | Should -Be 'unresolved'
            $entry.before.substatus | Should -Be 'new'
            $entry.after.status | Should -Be 'resolved'
            [DateTimeOffset]::Parse($entry.time).Offset | Should -Be ([TimeSpan]::Zero)
        }
        (Get-Content -Raw -LiteralPath $script:Journal) | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))

        $middle = Get-OrganizationState
        foreach ($issue in $script:Deploy) { $middle[$issue.Id] | Should -BeLike 'resolved|*' }

        $restored = Undo-SentryIssueStatus -Journal $script:Journal -Confirm:$false -PassThru -ErrorVariable undoProblems
        $undoProblems | Should -BeNullOrEmpty
        @($restored).Count | Should -Be 15

        $after = Get-OrganizationState
        $after.Count | Should -Be $before.Count
        foreach ($id in $before.Keys) { $after[$id] | Should -Be $before[$id] -Because "issue $id must be as it was" }

        # The undo is journaled too, after the changes it undid.
        $all = @(Get-Content -LiteralPath $script:Journal | ForEach-Object { $_ | ConvertFrom-Json })
        $all.Count | Should -Be 30
        @($all | Select-Object -Skip 15 | Where-Object action -eq 'UndoStatus').Count | Should -Be 15
    }

    It 'an undo that finds nothing left to do sends nothing' {
        Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" | Out-Null
        Undo-SentryIssueStatus -Journal $script:Journal -Confirm:$false -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        $traffic = Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic"
        $traffic.routes.PSObject.Properties.Name | Where-Object { $_ -like 'PUT *' } | Should -BeNullOrEmpty
    }

    It 'refuses, with SentryIssueChangedSinceJournal, an issue that changed after the journal''s change, and -WhatIf changes nothing' {
        $journal = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).jsonl"
        try {
            $two = $script:Deploy | Select-Object -First 2
            $original = Get-OrganizationState
            $two | Set-SentryIssueStatus -Status Ignored -UntilEscalating -Journal $journal -Confirm:$false
            # Someone resolves the first one by hand afterwards.
            Set-SentryIssueStatus $two[0].Id -Status Resolved -Force
            $state = Get-OrganizationState

            Undo-SentryIssueStatus -Journal $journal -WhatIf -ErrorAction SilentlyContinue
            (Get-OrganizationState)[$two[1].Id] | Should -Be $state[$two[1].Id]

            $out = Undo-SentryIssueStatus -Journal $journal -Confirm:$false -PassThru -ErrorVariable problems -ErrorAction SilentlyContinue
            @($problems).Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -BeLike 'SentryIssueChangedSinceJournal*'
            $problems[0].TargetObject | Should -Be $two[0].Id
            $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            @($out).Count | Should -Be 1
            $out.Id | Should -Be $two[1].Id
            $now = Get-OrganizationState
            $now[$two[0].Id] | Should -BeLike 'resolved|*'
            $now[$two[1].Id] | Should -Be $original[$two[1].Id]
        }
        finally {
            Remove-Item -LiteralPath $journal -ErrorAction SilentlyContinue
            Set-SentryIssueStatus ($script:Deploy | Select-Object -First 2).Id -Status Unresolved -Confirm:$false
        }
    }

    It 'names a journal that does not exist or is not a journal' {
        { Undo-SentryIssueStatus -Journal (Join-Path ([IO.Path]::GetTempPath()) 'no-such-journal.jsonl') } | Should -Throw -ErrorId 'SentryJournalNotFound,*'
        $bad = Join-Path ([IO.Path]::GetTempPath()) "bad-$([guid]::NewGuid().ToString('n')).jsonl"
        Set-Content -LiteralPath $bad -Value '{"time":"2026-12-03T03:00:00Z","action":"SetStatus"}', 'not json'
        try { { Undo-SentryIssueStatus -Journal $bad } | Should -Throw -ErrorId 'SentryJournalInvalid,*' }
        finally { Remove-Item -LiteralPath $bad }
        { Set-SentryIssueStatus $script:Deploy[0].Id -Status Resolved -Journal (Join-Path ([IO.Path]::GetTempPath()) 'no-such-folder/j.jsonl') -WhatIf } | Should -Throw -ErrorId 'SentryJournalPathInvalid,*'
    }
}

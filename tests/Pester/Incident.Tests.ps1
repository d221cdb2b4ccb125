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

Describe 'Group-SentryIssue on the storm' {
    BeforeAll {
        $script:Incidents = @(Group-SentryIssue)
        $script:DeployIncident = $script:Incidents | Where-Object { $_.Issues.ShortId -contains 'WEB-1' }
        $script:UpstreamIncident = $script:Incidents | Where-Object { $_.Issues.ShortId -contains 'WORKER-1' }
        function Get-DiscoverUsers([string[]] $Ids) {
            $uri = "$($script:Sandbox.BaseUri)/api/0/organizations/$($script:Sandbox.Organization)/events/?dataset=errors&field=count_unique(user)&statsPeriod=24h&query=" + [uri]::EscapeDataString("issue.id:[$($Ids -join ',')]")
            (Invoke-RestMethod -Uri $uri -Headers @{ Authorization = "Bearer $($script:Sandbox.Token)" }).data[0].'count_unique(user)'
        }
    }

    It 'finds the deploy incident with exactly its 15 issues, each tied by the deploy, and the frontend/backend pairs by their traces' {
        @($script:DeployIncident).Count | Should -Be 1
        ($script:DeployIncident.Issues.ShortId | Sort-Object) | Should -Be (@(1..5 | ForEach-Object { "WEB-$_" }) + @(1..6 | ForEach-Object { "API-$_" }) + @(1..4 | ForEach-Object { "CHECKOUT-$_" }) | Sort-Object)
        $script:DeployIncident.Pattern | Should -Be 'DeploymentRegression'
        $script:DeployIncident.Projects | Should -Be @('api', 'checkout', 'web')
        $script:DeployIncident.Releases | Should -Be @('shop@2026.12.3')
        $script:DeployIncident.Title | Should -BeLike '*shop@2026.12.3*15*'
        $script:DeployIncident.Reasons.Count | Should -Be 15
        foreach ($reason in $script:DeployIncident.Reasons) {
            $reason.Kinds | Should -Contain 'Deploy'
            ($reason.Evidence -join "`n") | Should -Match 'in shop@2026\.12\.3, \d+ min after its deploy to production'
        }
        foreach ($pair in @(@('WEB-1', 'API-1'), @('WEB-2', 'API-2'), @('WEB-3', 'API-3'))) {
            $reason = $script:DeployIncident.Reasons | Where-Object ShortId -eq $pair[0]
            $reason.Kinds | Should -Contain 'Trace'
            ($reason.Evidence -join "`n") | Should -Match "Shares \d+ trace\(s\) with $($pair[1])"
        }
        ($script:DeployIncident.Reasons | Where-Object ShortId -eq 'WEB-4').Kinds | Should -Not -Contain 'Trace'
        $script:DeployIncident.Issues.ShortId | Should -Contain $script:DeployIncident.SeverityIssue
        # The storm's deploy incident: WEB-1, its most severe member, is P2 (no crash data, under the user and event lines).
        $script:DeployIncident.Severity | Should -Be 'P2'
        $script:DeployIncident.SeverityIssue | Should -Be 'WEB-1'
    }

    It 'finds the upstream incident with exactly its 6 issues, each citing the failing host' {
        @($script:UpstreamIncident).Count | Should -Be 1
        ($script:UpstreamIncident.Issues.ShortId | Sort-Object) | Should -Be @('BILLING-1', 'BILLING-2', 'BILLING-3', 'WORKER-1', 'WORKER-2', 'WORKER-3')
        $script:UpstreamIncident.Pattern | Should -Be 'ThirdPartyFailure'
        $script:UpstreamIncident.Title | Should -BeLike 'api.paygate.example failing*'
        foreach ($reason in $script:UpstreamIncident.Reasons) {
            $reason.Kinds | Should -Contain 'Upstream'
            ($reason.Evidence -join "`n") | Should -Match 'Calls to api\.paygate\.example fail: .*(50\d|timeout)'
        }
    }

    It 'keeps every background issue out of both incidents, each an incident of its own' {
        $members = @($script:DeployIncident.Issues.Id) + @($script:UpstreamIncident.Issues.Id)
        $members.Count | Should -Be 21
        $others = $script:Incidents | Where-Object { $_.Id -notin @($script:DeployIncident.Id, $script:UpstreamIncident.Id) }
        ($others.Issues.ShortId | Sort-Object) | Should -Be @('CHECKOUT-5', 'WORKER-4')
        foreach ($incident in $others) {
            $incident.Issues.Count | Should -Be 1
            $incident.Reasons[0].Kinds | Should -BeNullOrEmpty
            $incident.Impact.UniqueUsers | Should -Be (Get-DiscoverUsers $incident.Issues.Id)
            $incident.Impact.UniqueUsers | Should -BeGreaterThan 0
        }
        $background = @(Get-SentryIssue -Query '' -StatsPeriod 14d | Where-Object Id -notin $members)
        ($background.ShortId | Sort-Object) | Should -Be @('API-7', 'BILLING-4', 'CHECKOUT-5', 'WEB-6', 'WORKER-4')
        # The old and the resolved background issues are not in the last hour's storm at all.
        @($script:Incidents.Issues.ShortId) | Should -Not -Contain 'WEB-6'
        @($script:Incidents.Issues.ShortId) | Should -Not -Contain 'BILLING-4'
    }

    It 'counts each incident''s unique users across its members as Discover does, never as a sum' {
        foreach ($incident in @($script:DeployIncident, $script:UpstreamIncident)) {
            $expected = Get-DiscoverUsers $incident.Issues.Id
            $incident.Impact.UniqueUsers | Should -Be $expected
            $sum = ($incident.Issues | Measure-Object -Property UserCount -Sum).Sum
            $incident.Impact.UniqueUsers | Should -BeLessThan $sum
            $incident.Impact.Queries.Count | Should -Be 1
            ($incident.Impact.Queries[0].Parameters | Where-Object Key -eq 'query').Value | Should -Be "issue.id:[$($incident.Issues.Id -join ',')]"
        }
    }

    It 'gives the same members the same id, from the default search or from piped issues' {
        $again = @(Group-SentryIssue)
        ($again.Id | Sort-Object) | Should -Be ($script:Incidents.Id | Sort-Object)
        $piped = @(Get-SentryIssue -Query 'is:unresolved release:shop@2026.12.3' | Group-SentryIssue)
        $piped.Count | Should -Be 1
        $piped[0].Id | Should -Be $script:DeployIncident.Id
    }

    It 'drafts one message per incident that lists its members, with one dedup key for all its messages' {
        $initial = $script:DeployIncident | New-IncidentMessage -Kind Initial
        @($initial).Count | Should -Be 1
        $initial.Members.Count | Should -Be 15
        $initial.Severity | Should -Be $script:DeployIncident.Severity
        $initial.Service | Should -Be 'api, checkout, web'
        $initial.Text | Should -Match 'Issues \(15\): '
        $initial.Text | Should -Match 'and 5 more'
        $initial.Text | Should -Match ([regex]::Escape("$($script:DeployIncident.Impact.UniqueUsers) users"))
        $resolution = $script:DeployIncident | New-IncidentMessage -Kind Resolution -FixApplied 'rolled back'
        $resolution.DedupKey | Should -Be $initial.DedupKey
        $resolution.Text | Should -Match 'Deployment regression'
        ($script:UpstreamIncident | New-IncidentMessage -Kind Initial).DedupKey | Should -Not -Be $initial.DedupKey
        $slack = $initial.SlackPayload | ConvertFrom-Json
        ($slack | ConvertTo-Json -Depth 20) | Should -Match 'WEB-1'
    }

    It 'builds one timeline across an incident''s members, each entry marked with its issue' {
        $timeline = $script:DeployIncident | Get-IncidentTimeline
        $timeline.IncidentId | Should -Be $script:DeployIncident.Id
        ($timeline.IssueIds | Sort-Object) | Should -Be ($script:DeployIncident.Issues.Id | Sort-Object)
        # Every member's first event, once each, marked with the member.
        (@($timeline.Entries | Where-Object Kind -eq 'first_seen').Issue | Sort-Object) | Should -Be ($script:DeployIncident.Issues.ShortId | Sort-Object)
        $timeline.FirstSeen | Should -Be ($script:DeployIncident.Issues.FirstSeen | Sort-Object | Select-Object -First 1)
        # The deploy that the 15 issues share is one entry, before the first of them; one last seen for them all.
        $deploys = @($timeline.Entries | Where-Object { $_.Kind -eq 'deploy' -and $_.Text -eq 'shop@2026.12.3 deployed to production' })
        $deploys.Count | Should -Be 1
        $deploys[0].Time | Should -BeLessThan $timeline.FirstSeen
        @($timeline.Entries | Where-Object Kind -eq 'last_seen').Count | Should -Be 1
        ($timeline.Entries | Where-Object Kind -eq 'last_seen').Time | Should -Be ($script:DeployIncident.Issues.LastSeen | Sort-Object | Select-Object -Last 1)
        # Nothing is resolved, so neither is the incident.
        $timeline.ResolvedAt | Should -BeNullOrEmpty
    }

    It 'writes one postmortem per incident: every member, its severity, the users counted once, one chart over all members' {
        foreach ($incident in @($script:DeployIncident, $script:UpstreamIncident)) {
            $postmortem = @($incident | New-Postmortem -Format Html)
            $postmortem.Count | Should -Be 1
            $postmortem[0].IncidentId | Should -Be $incident.Id
            $postmortem[0].IssueId | Should -Be $incident.PrimaryIssue.Id
            $postmortem[0].Title | Should -Be "Incident Postmortem: $($incident.Title)"
            $html = $postmortem[0].Content
            # A member links to Sentry over https only (the sandbox is http): its short id then its project.
            foreach ($member in $incident.Issues) { $html | Should -Match ("[>]" + [regex]::Escape($member.ShortId) + "(</a>)? \(" + $member.Project + ", ") -Because "member $($member.ShortId) is listed" }
            $html | Should -Match ([regex]::Escape("$($incident.Issues.Count) Sentry issues"))
            $html | Should -Match ([regex]::Escape($incident.Severity))
            $users = Get-DiscoverUsers $incident.Issues.Id
            $html | Should -Match ("Unique users affected:</strong> " + ('{0:N0}' -f [long]$users) + ' ')
            $html | Should -Match ([regex]::Escape('issue.id:[' + ($incident.Issues.Id -join ',') + ']'))
            # The chart counts every member's events: its total is the incident's.
            $html | Should -Match '<svg'
        }
    }

    It 'saves an incident''s evidence and rebuilds the same postmortem from it offline' {
        $bundle = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).json"
        $again = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).json"
        try {
            $live = New-Postmortem -Incident $script:UpstreamIncident -EvidencePath $bundle
            $saved = $script:UpstreamIncident | Save-IncidentEvidence -Path $again
            foreach ($evidence in @($saved, (Import-IncidentEvidence $bundle))) {
                $evidence.SchemaVersion | Should -Be 2
                $evidence.Incident.Id | Should -Be $script:UpstreamIncident.Id
                ($evidence.Incident.IssueIds | Sort-Object) | Should -Be ($script:UpstreamIncident.Issues.Id | Sort-Object)
                $evidence.Incident.Reasons.Count | Should -Be 6
            }

            $offline = Import-IncidentEvidence $bundle | New-Postmortem
            $offline.IncidentId | Should -Be $script:UpstreamIncident.Id
            $offline.Content | Should -BeExactly $live.Content
            (Import-IncidentEvidence $again | Get-IncidentTimeline).IncidentId | Should -Be $script:UpstreamIncident.Id
            (Get-Content -Raw -LiteralPath $bundle) | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))
        }
        finally { Remove-Item -LiteralPath $bundle, $again -ErrorAction SilentlyContinue }
    }

    It 'takes policy overrides and names a wrong one' {
        # Without the deploy and trace evidence (a window of one minute, 1000 shared traces), the deploy's issues fall apart.
        $strict = @(Group-SentryIssue -Policy @{ IncidentDeployWindowMinutes = 1; IncidentMinimumSharedTraces = 1000 })
        ($strict | Where-Object { $_.Issues.ShortId -contains 'WEB-1' }).Issues.Count | Should -BeLessThan 15
        { Group-SentryIssue -Policy @{ IncidentWindow = 5 } } | Should -Throw -ErrorId 'IncidentPolicyInvalid,*'
    }
}

Describe 'The incident journal and Undo-SentryIssueStatus' {
    BeforeAll {
        $script:Journal = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).jsonl"
        $script:Deploy = @(Get-SentryIssue -Query 'is:unresolved release:shop@2026.12.3')
        $script:Incident = Group-SentryIssue | Where-Object { $_.Issues.ShortId -contains 'WEB-1' }
    }
    AfterAll { Remove-Item -LiteralPath $script:Journal -ErrorAction SilentlyContinue }

    It 'a bulk resolve of an incident''s 15 issues with -Journal, then the undo, leaves every issue in the organization exactly as before' {
        $script:Deploy.Count | Should -Be 15
        ($script:Incident.Issues.Id | Sort-Object) | Should -Be ($script:Deploy.Id | Sort-Object)
        ($script:Deploy.Project | Sort-Object -Unique) | Should -Be @('api', 'checkout', 'web')
        $before = Get-OrganizationState
        $before.Count | Should -BeGreaterThan 20

        $resolved = $script:Incident | Set-SentryIssueStatus -Status Resolved -Force -Journal $script:Journal -PassThru -ErrorVariable problems
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
            $entry.incident | Should -Be $script:Incident.Id
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

    It 'the incident''s postmortem shows the journal''s actions in order, with the times to acknowledge and resolve from them' {
        $journal = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).jsonl"
        $webhook = Start-TestWebhook
        try {
            $script:Incident | New-IncidentMessage -Kind Initial | Send-IncidentMessage -WebhookUri "$($webhook.Uri)/hook" -Journal $journal | Out-Null
            $script:Incident | Set-SentryIssueStatus -Status Resolved -Force -Journal $journal
            $entries = @(Get-Content -LiteralPath $journal | ForEach-Object { $_ | ConvertFrom-Json })
            $entries.Count | Should -Be 16

            $timeline = $script:Incident | Get-IncidentTimeline -Journal $journal
            $runbook = @($timeline.Entries | Where-Object Source -eq 'Runbook')
            $runbook.Kind | Should -Be (@('message_sent') + @('status_changed') * 15)
            (@($runbook | Where-Object Kind -eq 'status_changed').Issue | Sort-Object) | Should -Be ($script:Incident.Issues.ShortId | Sort-Object)
            $times = @($runbook.Time)
            for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeGreaterOrEqual $times[$i - 1] }
            # Acknowledged: the first action of a person after detection (the message, or an earlier test's change by hand).
            $timeline.AcknowledgedAt | Should -BeLessThan ([DateTimeOffset]$entries[0].time).AddSeconds(1)
            @($timeline.Entries | Where-Object { $_.Time -eq $timeline.AcknowledgedAt -and $_.IsHumanAction }).Count | Should -BeGreaterThan 0
            # Resolved: when the last of the 15 was.
            $lastResolve = ($entries | Select-Object -Skip 1 | ForEach-Object { [DateTimeOffset]$_.time } | Sort-Object | Select-Object -Last 1)
            $timeline.ResolvedAt | Should -BeGreaterThan $lastResolve.AddSeconds(-1)
            $timeline.TimeToResolve | Should -Be ($timeline.ResolvedAt - $timeline.FirstSeen)
            $timeline.TimeToAcknowledge | Should -Be ($timeline.AcknowledgedAt - $timeline.DetectedAt)

            $postmortem = New-Postmortem -Incident $script:Incident -Journal $journal
            $postmortem.Content | Should -Match 'On-call acknowledged:\*\* '
            $postmortem.Content | Should -Match 'Initial message sent to Webhook'
            $postmortem.Content | Should -Match 'Issue resolved in Sentry:\*\* `[A-Z]+-\d` Status changed'
            $postmortem.Content | Should -Not -Match 'Not recorded in Sentry: issue resolved'
        }
        finally {
            Stop-TestWebhook $webhook
            # Back to exactly the state before, for the tests that follow.
            Undo-SentryIssueStatus -Journal $journal -Confirm:$false
            Remove-Item -LiteralPath $journal -ErrorAction SilentlyContinue
        }
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

    It 'journals notes, deploys and messages too, and the timeline and the postmortem read the journal' {
        $journal = Join-Path ([IO.Path]::GetTempPath()) "inc-$([guid]::NewGuid().ToString('n')).jsonl"
        $webhook = Start-TestWebhook
        try {
            $web1 = $script:Deploy | Where-Object ShortId -eq 'WEB-1'
            $message = $script:Incident | New-IncidentMessage -Kind Initial
            $delivery = $message | Send-IncidentMessage -WebhookUri "$($webhook.Uri)/hook" -Journal $journal
            $delivery.Succeeded | Should -BeTrue
            Add-SentryIssueNote $web1.Id -Text 'Acknowledged: rolling back' -Journal $journal | Out-Null
            New-SentryDeploy -Release shop@2026.12.2 -Environment production -Name 'rollback INC-42' -Journal $journal | Out-Null
            $web1.Id | Set-SentryIssueStatus -Status Resolved -Force -Journal $journal

            $entries = @(Get-Content -LiteralPath $journal | ForEach-Object { $_ | ConvertFrom-Json })
            $entries.action | Should -Be @('SendMessage', 'AddNote', 'NewDeploy', 'SetStatus')
            $entries[0].dedupKey | Should -Be $message.DedupKey
            $entries[0].messageKind | Should -Be 'Initial'
            $entries[0].target | Should -Be 'Webhook'
            (Get-Content -Raw -LiteralPath $journal) | Should -Not -Match ([regex]::Escape($webhook.Uri))
            $entries[2].deployId | Should -Not -BeNullOrEmpty
            $entries[2].release | Should -Be 'shop@2026.12.2'

            $timeline = Get-IncidentTimeline $web1.Id -Journal $journal
            $runbook = @($timeline.Entries | Where-Object Source -eq 'Runbook')
            $runbook.Kind | Should -Be @('message_sent', 'note_added', 'deploy_recorded', 'status_changed')
            # Acknowledged by the first action of a person after detection: the message, unless an earlier test's status
            # change by hand on this issue came first (ConvertFrom-Json reads the time as a DateTime, to the second).
            $timeline.AcknowledgedAt | Should -BeLessThan ([DateTimeOffset]$entries[0].time).AddSeconds(1)
            @($timeline.Entries | Where-Object { $_.Time -eq $timeline.AcknowledgedAt -and $_.IsHumanAction }).Count | Should -BeGreaterThan 0
            @($timeline.Entries | Where-Object { $_.IsHumanAction -and $_.Time -lt $timeline.AcknowledgedAt -and $_.Time -ge $timeline.DetectedAt }).Count | Should -Be 0
            $timeline.ResolvedAt | Should -Not -BeNullOrEmpty
            $timeline.TimeToResolve | Should -BeGreaterThan ([TimeSpan]::Zero)

            $postmortem = New-Postmortem $web1.Id -Journal $journal
            $postmortem.Content | Should -Match 'Initial message sent to Webhook'
            $postmortem.Content | Should -Match 'Deploy of shop@2026\\?\.12\\?\.2 to production recorded'
            $postmortem.Content | Should -Match 'Time to acknowledge:\*\* \d'
        }
        finally {
            Stop-TestWebhook $webhook
            Remove-Item -LiteralPath $journal -ErrorAction SilentlyContinue
            Set-SentryIssueStatus ($script:Deploy | Where-Object ShortId -eq 'WEB-1').Id -Status Unresolved -Confirm:$false
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

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    $script:Hook = Start-TestWebhook
    $script:Triage = Invoke-SentryTriage WEB-1
}

AfterAll {
    Stop-TestWebhook $script:Hook
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'New-IncidentMessage' {
    It 'drafts the initial alert from a triage, in the runbook''s layout' {
        $message = $script:Triage | New-IncidentMessage -Kind Initial -IncidentLead 'ada'
        $message.Kind | Should -Be 'Initial'
        $message.Severity | Should -Be 'P0'
        $lines = $message.Text -split "`n"
        $lines[0] | Should -Be 'INCIDENT — web'
        $lines | Should -Contain 'Status: Investigating'
        ($lines | Where-Object { $_ -like 'Sentry Issue:*' }) | Should -Match 'WEB-1'
        ($lines | Where-Object { $_ -like 'Incident Lead:*' }) | Should -Be 'Incident Lead: @ada'
        ($lines | Where-Object { $_ -like 'Next update:*' }) | Should -Match '^Next update: 30 minutes'
        $message.NextUpdate | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(29))
    }

    It 'drafts a resolution notice with duration, root cause, fix and the postmortem due date' {
        $message = $script:Triage | New-IncidentMessage -Kind Resolution -FixApplied 'rolled back to web@2.4.1' -PostmortemUrl 'https://wiki.example.com/pm/42'
        $message.Text | Should -Match 'RESOLVED — web'
        $message.Text | Should -Match 'Fix Applied: rolled back to web@2.4.1'
        $message.Text | Should -Match 'Postmortem: https://wiki.example.com/pm/42'
        $message.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $message.PostmortemDue | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddHours(47))
    }

    It 'escapes hostile text for Slack and Markdown' {
        $message = New-IncidentMessage -Kind Update -Service 'web' -Progress '<!channel> @here <script>alert(1)</script> **boom**' -Severity P1
        # Decoded first: the JSON writer escapes < as \u003C, which would hide what Slack will see.
        $slackText = (($message.SlackPayload | ConvertFrom-Json).blocks | ForEach-Object { $_.text.text }) -join "`n"
        $slackText | Should -Match 'channel' -Because 'the text is still there'
        $slackText | Should -Not -Match '<!channel>'
        $slackText | Should -Not -Match '<script>'
        $message.Markdown | Should -Not -Match '<script>'
    }
}

Describe 'Dedup keys' {
    It 'are the same for every message built from a triage of one issue, and can be named' {
        $initial = $script:Triage | New-IncidentMessage -Kind Initial
        $resolution = $script:Triage | New-IncidentMessage -Kind Resolution -FixApplied 'rollback'
        $initial.DedupKey | Should -Be $resolution.DedupKey
        $named = New-IncidentMessage -Kind Update -Service web -Severity P0 -DedupKey 'inc-42'
        $named.DedupKey | Should -Be 'inc-42'
        ($named.PagerDutyPayloadFor('key') | ConvertFrom-Json).dedup_key | Should -Be 'inc-42'
    }

    It 'warns when nothing names the incident' {
        New-IncidentMessage -Kind Update -Service web -Severity P2 -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
        $warnings[0] | Should -Match 'dedup key'
    }
}

Describe 'Send-IncidentMessage' {
    BeforeEach { $null = Receive-TestWebhook $script:Hook }

    It 'works as one pipeline from the issue to a webhook' {
        $delivery = Get-SentryIssue WEB-1 | Invoke-SentryTriage | New-IncidentMessage -Kind Initial | Send-IncidentMessage -WebhookUri "$($script:Hook.Uri)/hook"
        $delivery.Succeeded | Should -BeTrue
        $delivery.Target | Should -Be 'Webhook'
        $received = @(Receive-TestWebhook $script:Hook)
        $received.Count | Should -Be 1
        $body = $received[0].Body | ConvertFrom-Json
        $body.kind | Should -Be 'Initial'
        $body.shortId | Should -Be 'WEB-1'
        $received[0].ContentType | Should -Match 'application/json'
    }

    It 'sends Slack Block Kit and a Teams Adaptive Card' {
        $message = $script:Triage | New-IncidentMessage -Kind Initial
        $message | Send-IncidentMessage -SlackWebhookUri "$($script:Hook.Uri)/slack" -TeamsWebhookUri "$($script:Hook.Uri)/teams" | ForEach-Object { $_.Succeeded | Should -BeTrue }
        $received = @(Receive-TestWebhook $script:Hook)
        $slack = ($received | Where-Object Path -eq '/slack').Body | ConvertFrom-Json
        $slack.blocks.Count | Should -BeGreaterThan 0
        $teams = ($received | Where-Object Path -eq '/teams').Body | ConvertFrom-Json
        $teams.attachments[0].contentType | Should -Be 'application/vnd.microsoft.card.adaptive'
        $teams.attachments[0].content.type | Should -Be 'AdaptiveCard'
    }

    It 'triggers then resolves a PagerDuty incident with one dedup key, and never shows the routing key' {
        $key = 'R0UTINGKEY0123456789abcdef012345'
        $pd = "$($script:Hook.Uri)/v2/enqueue"
        $trigger = $script:Triage | New-IncidentMessage -Kind Initial | Send-IncidentMessage -PagerDutyRoutingKey $key -PagerDutyUri $pd
        $resolve = $script:Triage | New-IncidentMessage -Kind Resolution -FixApplied 'rollback' | Send-IncidentMessage -PagerDutyRoutingKey $key -PagerDutyUri $pd
        $trigger.StatusCode | Should -Be 202
        $resolve.Succeeded | Should -BeTrue
        ($trigger, $resolve | Format-List * | Out-String) | Should -Not -Match $key
        $bodies = @(Receive-TestWebhook $script:Hook | ForEach-Object { $_.Body | ConvertFrom-Json })
        $bodies.event_action | Should -Be @('trigger', 'resolve')
        $bodies[0].routing_key | Should -Be $key
        $bodies[0].dedup_key | Should -Be $bodies[1].dedup_key
        $bodies[0].payload.severity | Should -Be 'critical'
    }

    It 'retries a 429 and then succeeds' {
        $script:Hook.Plan.Enqueue(429)
        $delivery = New-IncidentMessage -Kind Update -Service web -Progress 'rollback under way' -Severity P0 | Send-IncidentMessage -WebhookUri "$($script:Hook.Uri)/hook"
        $delivery.Succeeded | Should -BeTrue
        $delivery.Attempts | Should -Be 2
        @(Receive-TestWebhook $script:Hook).Count | Should -Be 2
    }

    It 'reports a refused delivery as an error with the delivery object' {
        $script:Hook.Plan.Enqueue(404)
        $delivery = New-IncidentMessage -Kind Update -Service web -Severity P2 | Send-IncidentMessage -WebhookUri "$($script:Hook.Uri)/hook" -ErrorVariable problems -ErrorAction SilentlyContinue
        $delivery.Succeeded | Should -BeFalse
        $delivery.StatusCode | Should -Be 404
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'IncidentDeliveryFailed,*'
    }

    It 'does not post to Slack twice after a 5xx and says the message may or may not have been posted' {
        $script:Hook.Plan.Enqueue(503)
        $delivery = New-IncidentMessage -Kind Update -Service web -Severity P2 | Send-IncidentMessage -SlackWebhookUri "$($script:Hook.Uri)/slack" -ErrorVariable problems -ErrorAction SilentlyContinue
        $delivery.Succeeded | Should -BeFalse
        $delivery.OutcomeUnknown | Should -BeTrue
        $delivery.Attempts | Should -Be 1
        @(Receive-TestWebhook $script:Hook).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'IncidentDeliveryUncertain,*'
        $problems[0].Exception.Message | Should -Match 'may or may not have been posted'
    }

    It '-WhatIf sends nothing' {
        New-IncidentMessage -Kind Update -Service web -Severity P2 | Send-IncidentMessage -WebhookUri "$($script:Hook.Uri)/hook" -WhatIf
        @(Receive-TestWebhook $script:Hook).Count | Should -Be 0
    }

    It 'refuses a plain-http address that is not this machine' {
        $err = { New-IncidentMessage -Kind Update -Service web | Send-IncidentMessage -SlackWebhookUri 'http://hooks.example.com/services/x' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'IncidentTargetInvalid,*'
    }
}

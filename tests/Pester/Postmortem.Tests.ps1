BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    # This file changes issues and stops its sandbox half-way: it has one of its own.
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "sentryrunbook-pm-$PID"
    New-Item -ItemType Directory -Force -Path $script:Dir | Out-Null

    # The incident as a responder works it: acknowledge, roll back, resolve in the next release.
    Add-SentryIssueNote WEB-1 -Text 'Acknowledged by the on-call engineer; investigating' | Out-Null
    New-SentryDeploy -Release web@2.4.1 -Environment production -Name 'rollback INC-42' | Out-Null
    Set-SentryIssueStatus WEB-1 -Status Resolved -InNextRelease -Reason 'rolled back to web@2.4.1' -Force
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
    Remove-Item -Recurse -Force $script:Dir -ErrorAction SilentlyContinue
}

Describe 'Get-IncidentTimeline' {
    It 'merges first seen, the deploys, notes and the resolution, with the times to acknowledge and resolve' {
        $timeline = Get-IncidentTimeline WEB-1
        $timeline.Entries.Kind | Should -Contain 'first_seen'
        $timeline.Entries.Kind | Should -Contain 'note'
        $timeline.Entries.Kind | Should -Contain 'deploy'
        ($timeline.Entries | Where-Object Kind -eq 'deploy').Text -join ' ' | Should -Match 'web@2\.4\.1' -Because 'the rollback deploy after first seen is the fix'
        ($timeline.Entries.Kind | Where-Object { $_ -like 'set_resolved*' }) | Should -Not -BeNullOrEmpty
        $timeline.Entries.Time | Should -Be ($timeline.Entries.Time | Sort-Object)
        $timeline.TimeToAcknowledge | Should -Not -BeNullOrEmpty
        $timeline.TimeToResolve | Should -BeGreaterThan ([TimeSpan]::Zero)
    }
}

Describe 'New-Postmortem, live' {
    It 'writes the runbook''s sections in Markdown, and saves the evidence it was written from' {
        $script:Live = New-Postmortem WEB-1 -Path (Join-Path $script:Dir 'web-1.md') -EvidencePath (Join-Path $script:Dir 'web-1.evidence.json')
        $md = $script:Live.Content
        $md | Should -Match 'Incident Postmortem: PaymentProcessingError'
        foreach ($section in 'Timeline', 'Impact', '5 Whys', 'Action Items') { $md | Should -Match $section }
        $md | Should -Match '```mermaid'
        $md | Should -Match 'TODO'
        $md | Should -Match 'dataset=errors'
        (Get-Content -Raw $script:Live.Path) | Should -Be $md
        Test-Path (Join-Path $script:Dir 'web-1.evidence.json') | Should -BeTrue
    }

    It 'writes self-contained HTML with an inline SVG chart and no script' {
        $html = (New-Postmortem WEB-1 -Format Html).Content
        $html | Should -Match '<svg'
        $html | Should -Not -Match '<script'
        $html | Should -Not -Match 'src="http'
    }

    It 'refuses to overwrite a file without -Force' {
        New-Postmortem WEB-1 -Path $script:Live.Path -ErrorVariable problems -ErrorAction SilentlyContinue | Out-Null
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'PostmortemFileExists,*'
    }

    It 'saves evidence with Save-IncidentEvidence, with no token in it' {
        $path = Join-Path $script:Dir 'api-1.evidence.json'
        $evidence = Save-IncidentEvidence API-1 -Path $path
        $evidence.Verified | Should -BeTrue
        $evidence.Sha256 | Should -Match '^[0-9a-f]{64}$'
        $evidence.ExchangeCount | Should -BeGreaterThan 5
        $text = Get-Content -Raw $path
        $text | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))
        ($text | ConvertFrom-Json).organization | Should -Be 'acme'
    }
}

Describe 'Offline, with the sandbox stopped' {
    BeforeAll {
        Stop-TestSandbox $script:Sandbox
        Disconnect-Sentry
    }

    It 'rebuilds the same postmortem from the saved evidence' {
        $evidence = Import-IncidentEvidence (Join-Path $script:Dir 'web-1.evidence.json')
        $evidence.Verified | Should -BeTrue
        $rebuilt = $evidence | New-Postmortem
        $rebuilt.Content | Should -BeExactly $script:Live.Content
    }

    It 'rebuilds the triage, the impact, the patterns and the timeline offline' {
        $evidence = Import-IncidentEvidence (Join-Path $script:Dir 'web-1.evidence.json')
        ($evidence | Invoke-SentryTriage).Severity.Severity | Should -Be 'P0'
        $impact = $evidence | Measure-SentryImpact
        $impact.Events | Should -Be 200
        $impact.CrashFreeSessionRate | Should -BeLessThan 95
        ($evidence | Find-IncidentPattern)[0].Pattern | Should -Be 'DeploymentRegression'
        ($evidence | Get-IncidentTimeline).Entries.Kind | Should -Contain 'note'
    }

    It 'detects a bundle changed after it was saved, with a warning' {
        $path = Join-Path $script:Dir 'web-1.evidence.json'
        $tampered = Join-Path $script:Dir 'tampered.evidence.json'
        (Get-Content -Raw $path) -replace 'PaymentProcessingError', 'PaymentProcessingErrur' | Set-Content -Path $tampered -NoNewline
        $evidence = Import-IncidentEvidence $tampered -WarningVariable warnings -WarningAction SilentlyContinue
        $evidence.Verified | Should -BeFalse
        $warnings[0] | Should -Match 'SHA-256'
    }

    It 'says clearly when a file is not a bundle' {
        $bad = Join-Path $script:Dir 'not-evidence.json'
        Set-Content -Path $bad -Value '{"hello": 1}'
        Import-IncidentEvidence $bad -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'IncidentEvidenceInvalid,*'
    }
}

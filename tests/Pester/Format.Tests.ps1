BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    # Read-only use of a sandbox of its own: the objects each view formats come from the real cmdlets.
    $script:Sandbox = Start-TestSandbox
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) "sentryrunbook-format-$PID"
    New-Item -ItemType Directory -Force -Path $script:Dir | Out-Null

    function script:Format-Default {
        # What a user sees at the prompt: the default view, wide enough not to cut the time columns.
        param($InputObject)
        $InputObject | Out-String -Width 300
    }

    function script:Get-UtcText([DateTimeOffset] $Time) { $Time.UtcDateTime.ToString('yyyy-MM-dd HH:mm', [cultureinfo]::InvariantCulture) + ' UTC' }
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
    Remove-Item -Recurse -Force $script:Dir -ErrorAction SilentlyContinue
}

Describe 'Format views' {
    BeforeAll {
        $timeline = Get-IncidentTimeline WEB-1
        $evidencePath = Join-Path $script:Dir 'web-1.evidence.json'
        $script:Cases = @(
            @{ Type = 'SentryIssue'; Object = @(Get-SentryIssue -First 3); Times = { param($o) $o.LastSeen } }
            @{ Type = 'SentryEvent'; Object = @(Get-SentryEvent WEB-1); Times = { param($o) $o.DateCreated } }
            @{ Type = 'SentryActivity'; Object = @(Get-SentryIssueActivity WEB-1); Times = { param($o) $o.DateCreated } }
            @{ Type = 'SentryRelease'; Object = @(Get-SentryRelease -Project web -First 3); Times = { param($o) $o.DateCreated } }
            @{ Type = 'SentryDeploy'; Object = @(Get-SentryRelease -Project web -First 5 | Where-Object LastDeploy | Select-Object -First 1 | Get-SentryDeploy); Times = { param($o) $o.DateFinished } }
            @{ Type = 'SentryRollbackTarget'; Object = @(Get-SentryRollbackTarget -Environment production -Project web); Times = { param($o) $o.DeployedAt } }
            @{ Type = 'TimelineEntry'; Object = @($timeline.Entries); Times = { param($o) $o.Time } }
            @{ Type = 'IncidentTimeline'; Object = @($timeline); Times = { param($o) $o.FirstSeen } }
            @{ Type = 'IncidentEvidence'; Object = @(Save-IncidentEvidence WEB-1 -Path $evidencePath); Times = { param($o) $o.FetchedAt } }
            @{ Type = 'Postmortem'; Object = @(New-Postmortem WEB-1); Times = $null }
            @{ Type = 'IncidentDelivery'; Object = @([SentryRunbook.Models.IncidentDelivery]::new('Slack', 'hooks.slack.com', 'Initial', 200, 1, $true, $null)); Times = $null }
        )
    }

    It 'has a view for <_>' -ForEach @('SentryIssue', 'SentryEvent', 'SentryActivity', 'SentryRelease', 'SentryDeploy', 'SentryRollbackTarget', 'TimelineEntry', 'IncidentTimeline', 'IncidentEvidence', 'Postmortem', 'IncidentDelivery') {
        Get-FormatData -TypeName "SentryRunbook.Models.$_" | Should -Not -BeNullOrEmpty -Because "SentryRunbook.format.ps1xml should define a view for $_"
    }

    It 'prints every time as yyyy-MM-dd HH:mm UTC, never the culture''s date and offset' {
        foreach ($case in $script:Cases) {
            $case.Object | Should -Not -BeNullOrEmpty -Because "the sandbox should give a $($case.Type) to format"
            $case.Object[0].GetType().FullName | Should -Be "SentryRunbook.Models.$($case.Type)"
            $text = Format-Default $case.Object
            $text | Should -Not -Match '\d{1,2}/\d{1,2}/\d{4}' -Because "$($case.Type) should not print a culture date"
            $text | Should -Not -Match '\d:\d\d:\d\d [+-]\d\d:\d\d' -Because "$($case.Type) should not print a DateTimeOffset as is"
            if ($case.Times) {
                $shown = 0
                foreach ($o in $case.Object) {
                    $time = & $case.Times $o
                    if ($null -eq $time) { continue }
                    $text | Should -Match ([regex]::Escape((Get-UtcText $time))) -Because "$($case.Type) should show $time in UTC"
                    $shown++
                }
                $shown | Should -BeGreaterThan 0 -Because "at least one $($case.Type) should carry a time"
            }
        }
    }

    It 'shows the timeline''s milestones and humanised durations' {
        $timeline = Get-IncidentTimeline WEB-1
        $text = Format-Default $timeline
        $text | Should -Match 'Issue\s+: WEB-1'
        $text | Should -Match ("Entries\s+: {0} \(see \.Entries\)" -f $timeline.Entries.Count)
        if ($null -ne $timeline.TimeToResolve) { $text | Should -Match 'TimeToResolve\s+: \d+ (d \d+ h|h \d+ min|min)' }
        $text | Should -Not -Match '\d\d:\d\d:\d\d\.\d+' -Because 'a TimeSpan should not be printed raw'
    }

    It 'shows a postmortem by issue, format, size and where it was written' {
        $path = Join-Path $script:Dir 'pm.md'
        $pm = New-Postmortem WEB-1 -Path $path
        $text = Format-Default $pm
        $text | Should -Match 'WEB-1\s+Markdown\s+\d+'
        $text | Should -Match ([regex]::Escape($path.Substring(0, [Math]::Min(30, $path.Length))))
        $text | Should -Not -Match '^# Incident' -Because 'the content stays one property away, not printed whole'
    }
}

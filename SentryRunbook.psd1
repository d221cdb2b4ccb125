@{
    RootModule             = 'SentryRunbook.PowerShell.dll'
    # Stamped by build.ps1 from Directory.Build.props, the one place the version lives.
    ModuleVersion          = '0.0.0'
    GUID                   = '2c004493-346e-449d-b68c-c78f6d066bf2'
    Author                 = 'SentryRunbook contributors'
    CompanyName            = 'SentryRunbook'
    Copyright              = '(c) SentryRunbook contributors. MIT licence.'
    Description            = 'Incident response on Sentry from PowerShell: classify severity, triage, measure impact, find the root-cause pattern, act on issues, communicate and write the postmortem.'
    PowerShellVersion      = '5.1'
    CompatiblePSEditions   = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('SentryRunbook.format.ps1xml')
    TypesToProcess         = @('SentryRunbook.types.ps1xml')
    CmdletsToExport        = @(
        'Connect-Sentry'
        'Disconnect-Sentry'
        'Get-SentryConnection'
        'Get-SentryIssue'
        'Get-SentryEvent'
        'Get-SentryIssueTag'
        'Get-SentryIssueActivity'
        'Get-SentrySuspectCommit'
        'Get-SentryRelease'
        'Get-SentryDeploy'
        'Measure-SentryImpact'
        'Get-IncidentSeverity'
        'Find-IncidentPattern'
        'Invoke-SentryTriage'
        'Group-SentryIssue'
        'Set-SentryIssueStatus'
        'Set-SentryIssue'
        'Get-SentryIssueSummary'
        'Undo-SentryIssueStatus'
        'Add-SentryIssueNote'
        'New-SentryDeploy'
        'Get-SentryRollbackTarget'
        'Test-SentryReleaseHealth'
        'Watch-SentryRelease'
        'Watch-SentryIncident'
        'New-IncidentMessage'
        'Send-IncidentMessage'
        'Save-IncidentEvidence'
        'Import-IncidentEvidence'
        'Get-IncidentTimeline'
        'New-Postmortem'
        'ConvertFrom-SentryWebhook'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Sentry', 'Incident', 'IncidentResponse', 'Runbook', 'Postmortem', 'OnCall', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ReleaseNotes = '0.1.0, the first version: connect, read, triage, measure, act safely, gate releases, communicate and write postmortems on Sentry, with a local sandbox. Changes: CHANGELOG.md.'
            # The project's public home; set at merge if the repository lives elsewhere.
            ProjectUri   = 'https://github.com/sentryrunbook/SentryRunbook'
            LicenseUri   = 'https://github.com/sentryrunbook/SentryRunbook/blob/main/LICENSE'
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox -Scenario empty
    $s = $script:Sandbox
    Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $script:SentrySdk = Join-Path $packages 'sentry/6.12.1/lib/net9.0/Sentry.dll'
}

AfterAll {
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
}

Describe 'Events from the real Sentry .NET SDK' {
    It 'come back through Get-SentryIssue and Get-SentryEvent with their values intact' {
        Test-Path $script:SentrySdk | Should -BeTrue -Because 'build/Tools.proj downloads Sentry 6.12.1'
        $release = "sdk-test@$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        # The SDK runs in its own pwsh so that its static state and threads end with the process.
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$script:SentrySdk'
`$options = [Sentry.SentryOptions]::new()
`$options.Dsn = '$($script:Sandbox.Dsn)'
`$options.Release = '$release'
`$options.Environment = 'rehearsal'
`$options.AutoSessionTracking = `$true
`$options.TracesSampleRate = 1.0
`$sdk = [Sentry.SentrySdk]::Init(`$options)
[Sentry.SentrySdk]::ConfigureScope([Action[Sentry.Scope]] { param(`$scope) `$scope.User = [Sentry.SentryUser]@{ Id = 'u-42'; Email = 'ada@example.com' } })
[Sentry.SentrySdk]::AddBreadcrumb('checkout started', 'ui.click')
[Sentry.SentrySdk]::AddBreadcrumb('POST /api/pay failed', 'http', 'http', `$null, [Sentry.BreadcrumbLevel]::Error)
`$transaction = [Sentry.SentrySdk]::StartTransaction('/api/pay', 'http.server')
try { throw [System.InvalidOperationException]::new('Card processor refused the charge') }
catch { [void][Sentry.SentrySdk]::CaptureException(`$_.Exception) }
`$transaction.Finish()
[Sentry.SentrySdk]::EndSession()
[Sentry.SentrySdk]::FlushAsync([TimeSpan]::FromSeconds(10)).GetAwaiter().GetResult()
`$sdk.Dispose()
'sent'
"@
        $out = Invoke-FreshPwsh $script
        $out | Should -Contain 'sent' -Because ($out -join "`n")

        $issue = $null
        foreach ($attempt in 1..20) {
            $issue = Get-SentryIssue -Query "release:$release" -First 1
            if ($issue) { break }
            Start-Sleep -Milliseconds 250
        }
        $issue | Should -Not -BeNullOrEmpty
        # The .NET SDK sends the full type name, and the title is type: value as sent.
        $issue.Title | Should -Be 'System.InvalidOperationException: Card processor refused the charge'
        (Get-SentryIssue $issue.Id).FirstRelease | Should -Be $release -Because 'the first release is a detail-only field, absent from list rows'

        $event = $issue | Get-SentryEvent
        $event.Release | Should -Be $release
        $event.Environment | Should -Be 'rehearsal'
        $event.User.Id | Should -Be 'u-42'
        $event.User.Email | Should -Be 'ada@example.com'
        $event.Breadcrumbs.Message | Should -Contain 'checkout started'
        $event.Breadcrumbs.Message | Should -Contain 'POST /api/pay failed'
        $event.Exceptions[-1].Type | Should -Be 'System.InvalidOperationException'
        $event.Sdk.Name | Should -Be 'sentry.dotnet'
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "sentryrunbook-pkg-$PID"
    New-Item -ItemType Directory -Force -Path $script:Work | Out-Null
}

AfterAll {
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'The module package' {
    It 'is what build.ps1 -Task Package writes, and PSResourceGet installs and imports it' {
        # The Package task's own steps, on the module the test run built: publish to a folder feed, then install from it.
        $feed = New-Item -ItemType Directory -Force -Path (Join-Path $script:Work 'feed')
        $repository = "SentryRunbookTest$PID"
        Register-PSResourceRepository -Name $repository -Uri $feed.FullName -Trusted
        try {
            Publish-PSResource -Path (Split-Path (Get-TestModulePath)) -Repository $repository -SkipDependenciesCheck
            $package = Get-ChildItem $feed -Filter 'SentryRunbook.*.nupkg'
            $package | Should -Not -BeNullOrEmpty
            Save-PSResource -Name SentryRunbook -Repository $repository -Path $script:Work -TrustRepository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }

        $installed = Get-ChildItem -Path (Join-Path $script:Work 'SentryRunbook') -Recurse -Filter 'SentryRunbook.psd1' | Select-Object -First 1
        $installed | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path $installed.DirectoryName 'dependencies/Polly.Core.dll') | Should -BeTrue
        $out = Invoke-FreshPwsh "Import-Module '$($installed.FullName)' -ErrorAction Stop; (Get-Command -Module SentryRunbook).Count"
        [int]($out | Select-Object -Last 1) | Should -BeGreaterThan 20
    }
}

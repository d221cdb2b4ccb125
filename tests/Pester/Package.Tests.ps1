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

    It 'is also the zip Azure Automation''s "Add a module" accepts: one SentryRunbook/ folder, short paths, importable' {
        # The script the Package task runs, on the module the test run built.
        $zipPath = Join-Path $script:Work 'automation/SentryRunbook.zip'
        $zip = & (Join-Path (Get-RepoRoot) 'build/New-AutomationZip.ps1') -ModulePath (Split-Path (Get-TestModulePath)) -DestinationPath $zipPath
        $zip.Name | Should -Be 'SentryRunbook.zip'

        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [IO.Compression.ZipFile]::OpenRead($zipPath)
        try { $entries = @($archive.Entries | ForEach-Object FullName) } finally { $archive.Dispose() }
        $entries | Should -Contain 'SentryRunbook/SentryRunbook.psd1'
        $entries | Should -Contain 'SentryRunbook/SentryRunbook.PowerShell.dll'
        $entries | Should -Contain 'SentryRunbook/dependencies/Polly.Core.dll'
        $entries | Should -Contain 'SentryRunbook/en-US/SentryRunbook.PowerShell.dll-Help.xml'
        $entries | Should -Contain 'SentryRunbook/LICENSE'
        $entries | Where-Object { -not $_.StartsWith('SentryRunbook/') } | Should -BeNullOrEmpty -Because 'the zip has one root folder, named like the module'
        $entries | Where-Object { $_.Contains('\') } | Should -BeNullOrEmpty -Because 'zip entries use forward slashes'
        $entries | Where-Object { $_.Length -ge 140 } | Should -BeNullOrEmpty -Because 'Azure Automation refuses paths of 140 characters or more'
        $files = @(Get-ChildItem (Split-Path (Get-TestModulePath)) -Recurse -File)
        $entries.Count | Should -Be $files.Count -Because 'every file of the module is in the zip'

        # Unpacked as Automation does, the folder imports as the module.
        $unpacked = Join-Path $script:Work 'automation/unpacked'
        Expand-Archive -LiteralPath $zipPath -DestinationPath $unpacked
        $manifest = Join-Path $unpacked 'SentryRunbook/SentryRunbook.psd1'
        $out = Invoke-FreshPwsh "Import-Module '$manifest' -ErrorAction Stop; `$m = Get-Module SentryRunbook; '{0}|{1}|{2}' -f `$m.ModuleBase, (Get-Command -Module SentryRunbook).Count, `$m.PrivateData.PSData.LicenseUri"
        $base, $count, $license = ($out | Select-Object -Last 1) -split '\|'
        $base | Should -Be (Split-Path $manifest)
        [int]$count | Should -BeGreaterThan 20
        $license | Should -Match '^https://.+/LICENSE$'
    }

    It 'refuses a zip not named like the module, and a path Azure Automation would refuse' {
        { & (Join-Path (Get-RepoRoot) 'build/New-AutomationZip.ps1') -ModulePath (Split-Path (Get-TestModulePath)) -DestinationPath (Join-Path $script:Work 'module.zip') } | Should -Throw '*SentryRunbook.zip*'
        { & (Join-Path (Get-RepoRoot) 'build/New-AutomationZip.ps1') -ModulePath (Split-Path (Get-TestModulePath)) -DestinationPath (Join-Path $script:Work 'short/SentryRunbook.zip') -MaxPathLength 40 } | Should -Throw '*under 40*'
    }
}

Describe 'The manifest and the repository' {
    It 'carries current release notes, ProjectUri and LicenseUri; LICENSE and CHANGELOG.md are at the top level' {
        $data = Import-PowerShellDataFile (Join-Path (Get-RepoRoot) 'SentryRunbook.psd1')
        $psData = $data.PrivateData.PSData
        $psData.ProjectUri | Should -Match '^https://'
        $psData.LicenseUri | Should -BeLike "$($psData.ProjectUri)/*LICENSE"
        [xml] $props = Get-Content -Raw (Join-Path (Get-RepoRoot) 'Directory.Build.props')
        $version = @($props.Project.PropertyGroup | ForEach-Object { $_.ModuleVersion } | Where-Object { $_ })[0]
        $psData.ReleaseNotes | Should -Match ([regex]::Escape($version)) -Because 'the release notes name the version being built'
        $changelog = Get-Content -Raw (Join-Path (Get-RepoRoot) 'CHANGELOG.md')
        $changelog | Should -Match "## $([regex]::Escape($version))\b"
        Get-Content -Raw (Join-Path (Get-RepoRoot) 'LICENSE') | Should -Match '^MIT License\s+Copyright \(c\) \d{4} SentryRunbook contributors'
    }
}

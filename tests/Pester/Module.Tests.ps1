BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Cmdlets = @(Get-Command -Module SentryRunbook -CommandType Cmdlet | ForEach-Object Name)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ManifestPath = Get-TestModulePath
    $script:ModuleDir = Split-Path $script:ManifestPath
    Import-Module $script:ManifestPath -Force
}

Describe 'The assembled module' {
    It 'has a valid manifest whose version comes from Directory.Build.props' {
        $manifest = Test-ModuleManifest -Path $script:ManifestPath
        [xml] $props = Get-Content -Raw (Join-Path (Get-RepoRoot) 'Directory.Build.props')
        $expected = @($props.Project.PropertyGroup | ForEach-Object { $_.ModuleVersion } | Where-Object { $_ })[0]
        $manifest.Version.ToString() | Should -Be $expected
        $manifest.CompatiblePSEditions | Should -Contain 'Desktop'
        $manifest.CompatiblePSEditions | Should -Contain 'Core'
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $listed = (Import-PowerShellDataFile $script:ManifestPath).CmdletsToExport | Sort-Object
        $exported = Get-Command -Module SentryRunbook -CommandType Cmdlet | ForEach-Object Name | Sort-Object
        $exported | Should -Be $listed
        $listed | Should -Contain 'Connect-Sentry'
        $listed | Should -Contain 'Get-SentryIssue'
    }

    It 'ships no System.Management.Automation.dll' {
        Get-ChildItem $script:ModuleDir -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }

    It 'keeps third-party assemblies in dependencies/, not next to the cmdlets' {
        $root = Get-ChildItem $script:ModuleDir -Filter *.dll | ForEach-Object Name | Sort-Object
        $root | Should -Be @('SentryRunbook.Core.dll', 'SentryRunbook.PowerShell.dll')
        Test-Path (Join-Path $script:ModuleDir 'dependencies/Polly.Core.dll') | Should -BeTrue
        Test-Path (Join-Path $script:ModuleDir 'dependencies/System.Text.Json.dll') | Should -BeTrue
    }

    It 'imports cleanly in a fresh pwsh' {
        $out = Invoke-FreshPwsh "Import-Module '$script:ManifestPath' -ErrorAction Stop; (Get-Command -Module SentryRunbook).Count"
        $LASTEXITCODE | Should -Be 0
        [int]($out | Select-Object -Last 1) | Should -Be (Get-Command -Module SentryRunbook).Count
    }
}

Describe 'Dependency isolation' {
    BeforeAll { $script:Sandbox = Start-TestSandbox }
    AfterAll { Stop-TestSandbox $script:Sandbox }

    It 'uses its own Polly.Core even when another version was loaded first' {
        $olderPolly = Join-Path ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() 'polly.core/8.1.0/lib/netstandard2.0/Polly.Core.dll'
        Test-Path $olderPolly | Should -BeTrue -Because 'build/Tools.proj downloads Polly.Core 8.1.0 for this test'
        $s = $script:Sandbox
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$olderPolly'
Import-Module '$script:ManifestPath'
Connect-Sentry -BaseUri '$($s.BaseUri)' -Organization '$($s.Organization)' -Token (ConvertTo-SecureString '$($s.Token)' -AsPlainText -Force)
`$issue = Get-SentryIssue WEB-1
`$client = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'SentryRunbook.Client' }
`$pollyUsed = `$client.GetType('SentryRunbook.Client.SentryHttp').GetField('_pipeline', [Reflection.BindingFlags]'NonPublic,Instance').FieldType.Assembly
'issue=' + `$issue.ShortId
'polly=' + `$pollyUsed.GetName().Version + ';' + `$pollyUsed.Location
'context=' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$pollyUsed).Name
'older=' + ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.Location -eq '$olderPolly' }).Count
"@
        $out = Invoke-FreshPwsh $script
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'issue=WEB-1'
        ($out | Where-Object { $_ -like 'polly=*' }) | Should -BeLike "*$([IO.Path]::DirectorySeparatorChar)dependencies$([IO.Path]::DirectorySeparatorChar)Polly.Core.dll"
        $out | Should -Contain 'context=SentryRunbook'
        $out | Should -Contain 'older=1'
    }

    It 'passes the smoke test the Windows workflow runs under Windows PowerShell 5.1 (here under pwsh)' {
        $out = Invoke-FreshPwsh "& '$(Join-Path (Get-RepoRoot) 'tests/Windows/Smoke.ps1')'; exit `$LASTEXITCODE"
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        @($out | Where-Object { "$_" -like 'ok: *' }).Count | Should -Be 6
    }
}

Describe 'Help' {
    It '<_> has a synopsis, a description and an example' -ForEach $script:Cmdlets {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$_ *[[]*" -Because 'an auto-generated synopsis is only the syntax'
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        ($help.Examples.Example[0].Code | Out-String).Trim() | Should -Match $_
    }

    It '<_> describes every parameter' -ForEach $script:Cmdlets {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }
        $help = Get-Help $_ -Full
        foreach ($name in $parameters) {
            $entry = @($help.Parameters.Parameter) | Where-Object Name -eq $name
            $entry | Should -Not -BeNullOrEmpty -Because "-$name needs help"
            ($entry.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }
}

Describe 'Help sources' {
    It 'the checked-in MAML is what docs/help/*.md produce (run ./build.ps1 -Task Help after editing them)' {
        $fresh = Join-Path ([IO.Path]::GetTempPath()) "sentryrunbook-help-$PID.xml"
        try {
            $generator = Join-Path (Get-RepoRoot) 'build/New-MamlHelp.ps1'
            $out = Invoke-FreshPwsh "& '$generator' -ModulePath '$script:ManifestPath' -OutputPath '$fresh'"
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $checkedIn = Get-Content -Raw (Join-Path (Get-RepoRoot) 'module/en-US/SentryRunbook.PowerShell.dll-Help.xml')
            Get-Content -Raw $fresh | Should -BeExactly $checkedIn
        }
        finally {
            Remove-Item $fresh -ErrorAction SilentlyContinue
        }
    }
}

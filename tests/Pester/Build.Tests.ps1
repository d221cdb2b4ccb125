BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'build.ps1 -Task Sandbox' {
    It 'prints the connection JSON as its first line of output' {
        $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($arg in @((Join-Path $PSHOME 'pwsh.dll'), '-NoProfile', '-File', (Join-Path (Get-RepoRoot) 'build.ps1'), '-Task', 'Sandbox', '-Scenario', 'empty')) { $info.ArgumentList.Add($arg) }
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            $first = $process.StandardOutput.ReadLine()
            $json = $first | ConvertFrom-Json
            @($json.PSObject.Properties.Name) | Should -Be @('baseUri', 'organization', 'project', 'token', 'dsn')
            $json.baseUri | Should -Match '^http://127\.0\.0\.1:\d+$'
            $json.dsn | Should -Match '^http://[0-9a-f]{32}@127\.0\.0\.1:\d+/\d+$'
        }
        finally {
            if (-not $process.HasExited) { $process.Kill($true) }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:Sandbox = Start-TestSandbox
    $script:SavedEnv = @{}
    foreach ($name in 'SENTRY_URL', 'SENTRY_ORG', 'SENTRY_PROJECT', 'SENTRY_AUTH_TOKEN') { $script:SavedEnv[$name] = [Environment]::GetEnvironmentVariable($name) }

    function Clear-SentryEnvironment {
        foreach ($name in 'SENTRY_URL', 'SENTRY_ORG', 'SENTRY_PROJECT', 'SENTRY_AUTH_TOKEN') { [Environment]::SetEnvironmentVariable($name, $null) }
    }
}

AfterAll {
    Disconnect-Sentry
    foreach ($entry in $script:SavedEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    Stop-TestSandbox $script:Sandbox
}

Describe 'Connect-Sentry' {
    BeforeEach {
        Disconnect-Sentry
        Clear-SentryEnvironment
    }

    It 'connects from parameters, checks the token, and writes nothing without -PassThru' {
        $s = $script:Sandbox
        $out = Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
        $out | Should -BeNullOrEmpty
        $connection = Get-SentryConnection
        $connection | Should -BeOfType ([SentryRunbook.Models.SentryConnection])
        $connection.Organization | Should -Be $s.Organization
        $connection.BaseUri.ToString() | Should -Be ($s.BaseUri.TrimEnd('/') + '/')
        $connection.Region | Should -BeNullOrEmpty -Because 'a self-hosted Sentry has no region'
    }

    It 'outputs the connection with -PassThru, and never the token' {
        $s = $script:Sandbox
        $connection = Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Project web -Token $s.SecureToken -PassThru
        $connection.Project | Should -Be 'web'
        ($connection | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($s.Token))
        ($connection | ConvertTo-Json -Depth 3) | Should -Not -Match ([regex]::Escape($s.Token))
    }

    It 'takes its defaults from SENTRY_URL, SENTRY_ORG and SENTRY_AUTH_TOKEN' {
        $s = $script:Sandbox
        $env:SENTRY_URL = $s.BaseUri
        $env:SENTRY_ORG = $s.Organization
        $env:SENTRY_AUTH_TOKEN = $s.Token
        Connect-Sentry
        (Get-SentryConnection).Organization | Should -Be $s.Organization
    }

    It 'takes the token as the password of -Credential' {
        $s = $script:Sandbox
        $credential = [pscredential]::new('automation', $s.SecureToken)
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Credential $credential
        (Get-SentryConnection).Organization | Should -Be $s.Organization
    }

    It 'refuses a bad token with a stable error id, the scopes to ask for, and no token in the text' {
        $s = $script:Sandbox
        $bad = 'sntryu_' + ('0' * 64)
        $err = { Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token (ConvertTo-SecureString $bad -AsPlainText -Force) } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'SentryAuthenticationFailed,SentryRunbook.PowerShell.Commands.ConnectSentryCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.ErrorDetails.RecommendedAction | Should -Match 'event:read, event:write, project:read, project:releases, org:read'
        ($err | Out-String) + $err.ErrorDetails.Message | Should -Not -Match $bad
        Get-SentryConnection -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because 'a failed connect stores nothing'
    }

    It 'names an organization that does not exist' {
        $s = $script:Sandbox
        $err = { Connect-Sentry -BaseUri $s.BaseUri -Organization 'no-such-org' -Token $s.SecureToken } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryOrganizationNotFound,*'
        $err.Exception.Message | Should -Match 'no-such-org'
    }

    It 'says what is missing when there is no token' {
        $err = { Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryTokenMissing,*'
    }

    It 'rejects a malformed URL before calling anything' {
        $err = { Connect-Sentry -BaseUri 'not a url' -Organization acme -Token $script:Sandbox.SecureToken } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryBaseUriInvalid,*'
        $err.ErrorDetails.RecommendedAction | Should -Match 'BaseUri'
    }

    It 'refuses -Region together with a different -BaseUri' {
        $err = { Connect-Sentry -BaseUri 'https://sentry.example.com' -Region de -Organization acme -Token $script:Sandbox.SecureToken } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryRegionConflict,*'
    }
}

Describe 'Disconnect-Sentry and Get-SentryConnection' {
    BeforeAll { Clear-SentryEnvironment }

    It 'forgets the connection' {
        $s = $script:Sandbox
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
        Disconnect-Sentry
        Get-SentryConnection -ErrorVariable problem -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problem[0].FullyQualifiedErrorId | Should -BeLike 'SentryNotConnected,*'
    }

    It 'makes other commands say how to connect' {
        Disconnect-Sentry
        $err = { Get-SentryIssue -Query 'is:unresolved' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'SentryNotConnected,*'
        $err.ErrorDetails.RecommendedAction | Should -Match 'Connect-Sentry'
    }

    It 'lets commands run from SENTRY_* variables without Connect-Sentry (scheduled scripts)' {
        Disconnect-Sentry
        $s = $script:Sandbox
        $env:SENTRY_URL = $s.BaseUri
        $env:SENTRY_ORG = $s.Organization
        $env:SENTRY_AUTH_TOKEN = $s.Token
        try {
            (Get-SentryIssue WEB-1).ShortId | Should -Be 'WEB-1'
        }
        finally {
            Clear-SentryEnvironment
        }
    }

    It 'keeps the stored connection per runspace, so parallel jobs never act on each other''s organization' {
        $s = $script:Sandbox
        Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; Get-SentryConnection -ErrorAction SilentlyContinue; 'done'")
        $out = $ps.Invoke()
        $out | Should -Be @('done') -Because 'another runspace starts without this one''s connection'
        $ps.Dispose()
        (Get-SentryConnection).Organization | Should -Be $s.Organization
    }

    It 'uses -Connection over the stored connection' {
        $s = $script:Sandbox
        $explicit = Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken -PassThru
        Disconnect-Sentry
        (Get-SentryIssue WEB-1 -Connection $explicit).ShortId | Should -Be 'WEB-1'
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    # More releases and issues than one page holds (100), and faults injected: a sandbox of its own.
    $releases = foreach ($i in 1..130) { @{ version = "shop@1.0.$i"; project = 'shop'; createdMinutesAgo = 1000 - $i } }
    $issues = foreach ($i in 1..130) {
        @{ project = 'shop'; exception = @{ type = 'PageError'; value = "page $i" }; fingerprint = @("page-$i"); release = 'shop@1.0.1'; count = 2; users = 1; startMinutesAgo = 120; endMinutesAgo = 60 }
    }
    $scenario = @{ seed = 5; projects = @(@{ slug = 'shop' }); releases = @($releases); issues = @($issues) }
    $script:ScenarioPath = Join-Path ([IO.Path]::GetTempPath()) "paging-$([guid]::NewGuid().ToString('n')).json"
    $scenario | ConvertTo-Json -Depth 6 | Set-Content -Path $script:ScenarioPath
    $script:Sandbox = Start-TestSandbox -Scenario $script:ScenarioPath
    $s = $script:Sandbox
    $script:Connection = Connect-Sentry -BaseUri $s.BaseUri -Organization $s.Organization -Token $s.SecureToken -PassThru

    function script:Get-Traffic { Invoke-RestMethod -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" }
    function script:Reset-Traffic { Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/traffic" | Out-Null }
    function script:Set-Fault([hashtable] $Settings) {
        Invoke-RestMethod -Method Put -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" -Body ($Settings | ConvertTo-Json -Depth 3) -ContentType 'application/json' | Out-Null
    }
    function script:Clear-Fault { Invoke-RestMethod -Method Delete -Uri "$($script:Sandbox.BaseUri)/sandbox/faults" | Out-Null }

    function script:Invoke-Captured([string] $Script, [object[]] $Arguments) {
        # A runspace of its own, to read its progress stream; it has no stored connection, so the connection is passed.
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)'; $Script")
        foreach ($a in $Arguments) { $null = $ps.AddArgument($a) }
        try { $output = $ps.Invoke() } catch { $thrown = $_ }
        # A terminating error of a statement in the script lands in the error stream; a thrown one ends Invoke().
        $failure = if ($thrown) { $thrown } else { @($ps.Streams.Error) | Select-Object -Last 1 }
        [pscustomobject]@{ Output = $output; Errors = @($ps.Streams.Error); Progress = @($ps.Streams.Progress); Failure = $failure; PowerShell = $ps }
    }
}

AfterAll {
    Clear-Fault
    Disconnect-Sentry
    Stop-TestSandbox $script:Sandbox
    Remove-Item -LiteralPath $script:ScenarioPath -ErrorAction SilentlyContinue
}

Describe 'Get-SentryRelease paging' {
    BeforeAll { $script:All = @(Get-SentryRelease -Project shop) }

    It 'lists every release over two pages' {
        $script:All.Count | Should -Be 130
        @($script:All.Version | Sort-Object -Unique).Count | Should -Be 130
    }

    It '-First 0 outputs nothing and asks Sentry nothing' {
        Reset-Traffic
        @(Get-SentryRelease -Project shop -First 0) | Should -HaveCount 0
        (Get-Traffic).requests | Should -Be 0
    }

    It '-First 0 -IncludeTotalCount outputs the total only; Sentry sends no count for releases, so it is unknown' {
        $out = @(Get-SentryRelease -Project shop -First 0 -IncludeTotalCount)
        $out | Should -HaveCount 1
        $out[0] | Should -Not -BeOfType SentryRunbook.Models.SentryRelease
        ($out[0] | Out-String).Trim() | Should -Be 'Unknown total count'
    }

    It '-IncludeTotalCount counts exactly when one page holds every release' {
        $out = @(Get-SentryRelease -Project shop -Query 'shop@1.0.12' -IncludeTotalCount)
        $matching = @($script:All | Where-Object Version -like '*shop@1.0.12*')
        $matching.Count | Should -BeGreaterThan 1
        ($out[0] | Out-String).Trim() | Should -Be "Total count: $($matching.Count)"
        @($out | Select-Object -Skip 1).Version | Should -Be @($matching.Version)
    }

    It '-Skip 99 -First 3 crosses the page boundary and outputs the 100th to 102nd releases' {
        $out = @(Get-SentryRelease -Project shop -Skip 99 -First 3)
        $out.Version | Should -Be @($script:All[99..101].Version)
    }

    It '-First 1 outputs exactly one release and reads one page' {
        Reset-Traffic
        @(Get-SentryRelease -Project shop -First 1).Version | Should -Be @($script:All[0].Version)
        (Get-Traffic).requests | Should -Be 1
    }
}

Describe 'Get-SentryRelease when Sentry fails' {
    AfterEach { Clear-Fault }

    It 'wraps a Sentry error into an ErrorRecord with a stable id, the query as target and what to do' {
        # More 503s than the client retries.
        Set-Fault @{ failNext = @{ count = 50; kind = '503' }; pathPrefix = '/api/0/organizations/acme/releases/' }
        $err = $null
        try { Get-SentryRelease -Project shop -Query 'shop@' -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'Sentry*,SentryRunbook.PowerShell.Commands.GetSentryReleaseCommand'
        $err.FullyQualifiedErrorId | Should -Not -BeLike '*SentryApiException*'
        $err.TargetObject | Should -Be 'shop@'
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'Progress ends with a Completed record, also when the command fails' {
    AfterEach { Clear-Fault }

    # The fault is set from inside the pipeline, by the first object that reaches the next command: the cmdlet has
    # shown progress for its first page or report by then, and everything it asks Sentry afterwards fails.
    BeforeAll {
        $script:FaultAfterFirst = '{ begin { $n = 0 } process { if (++$n -eq 1) { Invoke-RestMethod -Method Put -Uri $faultUri -Body $faultBody -ContentType ''application/json'' | Out-Null }; $_ } }'
    }

    It '<Command> completes its progress when a later page fails' -ForEach @(
        @{ Command = 'Get-SentryIssue'; Call = "Get-SentryIssue -Query '' -Project shop -First 1000 -Connection `$args[0]"; Path = '/api/0/organizations/acme/issues/' }
        @{ Command = 'Get-SentryRelease'; Call = "Get-SentryRelease -Project shop -Connection `$args[0]"; Path = '/api/0/organizations/acme/releases/' }
    ) {
        $fault = @{ failNext = @{ count = 50; kind = '503' }; pathPrefix = $Path } | ConvertTo-Json -Depth 3
        $r = Invoke-Captured -Script "`$faultUri, `$faultBody = `$args[1], `$args[2]; $Call | & $script:FaultAfterFirst" -Arguments @($script:Connection, "$($script:Sandbox.BaseUri)/sandbox/faults", $fault)
        $r.Failure | Should -Not -BeNullOrEmpty -Because 'the second page failed'
        $r.Failure.FullyQualifiedErrorId | Should -BeLike "Sentry*,SentryRunbook.PowerShell.Commands.$($Command -replace '-', '')Command"
        @($r.Output).Count | Should -Be 100 -Because 'the first page was output before the failure'
        $progress = @($r.Progress | Where-Object Activity -eq $Command)
        $progress.Count | Should -BeGreaterThan 1 -Because 'progress was shown after the first page'
        # The stream holds the cmdlet's one record: without the Completed write in finally it would stay Processing.
        $progress[-1].RecordType | Should -Be 'Completed'
        $r.PowerShell.Dispose()
    }

    It 'Invoke-SentryTriage completes its progress when a fatal error ends it half-way' {
        # After the first report, every connection is dropped: a transport failure is fatal, so the command stops.
        $ids = @((Get-SentryIssue -Query '' -Project shop -First 24).ShortId)
        $ids.Count | Should -Be 24
        $fault = @{ failNext = @{ count = 100000; kind = 'drop' }; pathPrefix = '/api/0/' } | ConvertTo-Json -Depth 3
        $r = Invoke-Captured -Script "`$faultUri, `$faultBody = `$args[1], `$args[2]; `$args[3] | Invoke-SentryTriage -Connection `$args[0] -NoSeer | & $script:FaultAfterFirst" -Arguments @($script:Connection, "$($script:Sandbox.BaseUri)/sandbox/faults", $fault, $ids)
        Clear-Fault
        $r.Failure | Should -Not -BeNullOrEmpty -Because 'Sentry could no longer be reached'
        $r.Failure.FullyQualifiedErrorId | Should -BeLike 'Sentry*,SentryRunbook.PowerShell.Commands.InvokeSentryTriageCommand'
        @($r.Output).Count | Should -BeLessThan 24
        $progress = @($r.Progress | Where-Object Activity -eq 'Invoke-SentryTriage')
        $progress.Count | Should -BeGreaterThan 1
        $progress[-1].RecordType | Should -Be 'Completed'
        $r.PowerShell.Dispose()
    }

    It 'Invoke-SentryTriage completes its progress when it succeeds' {
        $ids = @((Get-SentryIssue -Query '' -Project shop -First 2).ShortId)
        $r = Invoke-Captured -Script "Invoke-SentryTriage -IssueId `$args[1] -Connection `$args[0] -NoSeer" -Arguments @($script:Connection, $ids)
        @($r.Output) | Should -HaveCount 2
        $progress = @($r.Progress | Where-Object Activity -eq 'Invoke-SentryTriage')
        $progress.Count | Should -BeGreaterThan 1
        $progress[-1].RecordType | Should -Be 'Completed'
        $r.PowerShell.Dispose()
    }
}

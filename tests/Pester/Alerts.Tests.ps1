# From a Sentry alert to the runbook, end to end on one machine: the sandbox fires signed webhooks, a local
# receiver hands each delivery to the Azure Automation sample as Azure does ($WebhookData), the token and the
# client secret come from Key Vault through a managed identity stand-in, and the initial message lands in a
# local Slack/PagerDuty sink. Refused deliveries page nobody and say why.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:ClientSecret = 'whsec-' + [guid]::NewGuid().ToString('n')
    $script:Receiver = Start-TestSentryReceiver
    # The frequency rule is set out of reach: this file is about the first-seen alert.
    # Sentry's API rate limits stay on (the sandbox's default): ingest is not counted against them, and the runbook
    # paces itself.
    $script:Sandbox = Start-TestSandbox -ExtraArgument @('--webhook-url', "$($script:Receiver.Uri)/sentry", '--webhook-secret', $script:ClientSecret, '--webhook-threshold', '1000000')
    $script:Sink = Start-TestWebhook
    $script:Azure = Start-TestAzureIdentity -Secrets @{
        'sentry-token'         = $script:Sandbox.Token
        'sentry-client-secret' = $script:ClientSecret
        'other-client-secret'  = 'whsec-of-another-integration'
    }
    $script:SavedIdentity = @($env:IDENTITY_ENDPOINT, $env:IDENTITY_HEADER)
    $env:IDENTITY_ENDPOINT = "$($script:Azure.Uri)/msi/token"
    $env:IDENTITY_HEADER = $script:Azure.IdentityHeader
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ('alerts-' + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $script:Work | Out-Null
    $script:Runbook = Join-Path (Get-RepoRoot) 'samples/AzureAutomation-SentryWebhook.ps1'

    function Send-Burst([string] $Fingerprint, [int] $Count) {
        # Unhandled errors of one new issue, as an SDK sends them: more than 500 in a minute is the runbook's P0 spike.
        $dsn = [uri] $script:Sandbox.Dsn
        $uri = "$($dsn.Scheme)://$($dsn.Authority)/api/$($dsn.AbsolutePath.Trim('/'))/envelope/?sentry_key=$($dsn.UserInfo)"
        $http = [System.Net.Http.HttpClient]::new()
        # One timestamp for the whole burst: it is one minute's spike even if sending it crosses a minute boundary.
        $timestamp = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
        try {
            foreach ($i in 1..$Count) {
                $eventId = [guid]::NewGuid().ToString('n')
                $event = @{
                    event_id = $eventId; timestamp = $timestamp; platform = 'python'; level = 'fatal'
                    release = 'web@2.4.1'; environment = 'production'; fingerprint = @($Fingerprint); user = @{ id = "u-$($i % 7)" }
                    exception = @{ values = @(@{ type = 'PaymentGatewayError'; value = 'Charge failed: <script>alert(1)</script> @here'; mechanism = @{ type = 'generic'; handled = $false } }) }
                } | ConvertTo-Json -Depth 6 -Compress
                $content = [System.Net.Http.StringContent]::new("{`"event_id`":`"$eventId`"}`n{`"type`":`"event`"}`n$event`n")
                $response = $http.PostAsync($uri, $content).GetAwaiter().GetResult()
                if ([int]$response.StatusCode -eq 429) {
                    # Rate limited as Relay would: wait as told and send the same event again.
                    $wait = if ($response.Headers.RetryAfter.Delta) { $response.Headers.RetryAfter.Delta } else { [TimeSpan]::FromSeconds(1) }
                    Start-Sleep -Milliseconds ([int]$wait.TotalMilliseconds)
                    $response = $http.PostAsync($uri, [System.Net.Http.StringContent]::new("{`"event_id`":`"$eventId`"}`n{`"type`":`"event`"}`n$event`n")).GetAwaiter().GetResult()
                }
                if (-not $response.IsSuccessStatusCode) { throw "ingest answered $([int]$response.StatusCode)" }
            }
        }
        finally { $http.Dispose() }
    }

    function Wait-Delivery([string] $Resource, [string] $Rule) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            $item = $null
            while ($script:Receiver.State.Deliveries.TryDequeue([ref] $item)) {
                $body = $item.Body | ConvertFrom-Json
                if ($item.Headers['Sentry-Hook-Resource'] -eq $Resource -and (-not $Rule -or $body.data.triggered_rule -eq $Rule)) { return $item }
            }
            Start-Sleep -Milliseconds 100
        }
        throw "No $Resource delivery arrived."
    }

    function New-WebhookData($Delivery, [hashtable] $Header = @{}, [string] $Body) {
        # What Azure Automation passes a webhook-started runbook: the body as received, the headers as properties.
        $headers = [ordered]@{}
        foreach ($key in $Delivery.Headers.Keys) { $headers[$key] = $Delivery.Headers[$key] }
        foreach ($key in $Header.Keys) { $headers[$key] = $Header[$key] }
        [pscustomobject]@{ WebhookName = 'sentry-alert'; RequestBody = $(if ($Body) { $Body } else { $Delivery.Body }); RequestHeader = [pscustomobject]$headers }
    }

    function Invoke-Runbook($WebhookData, [string] $ClientSecretName = 'sentry-client-secret') {
        & $script:Runbook -WebhookData $WebhookData -Organization $script:Sandbox.Organization -BaseUri $script:Sandbox.BaseUri `
            -TokenSecretUri "$($script:Azure.Uri)/secrets/sentry-token" -ClientSecretUri "$($script:Azure.Uri)/secrets/$ClientSecretName" `
            -SlackWebhookUri "$($script:Sink.Uri)/slack" -PagerDutyRoutingKey 'pd-routing-key-0123' -PagerDutyUri "$($script:Sink.Uri)/v2/enqueue" `
            -EvidenceFolder $script:Work -SeenStore (Join-Path $script:Work 'seen.txt')
    }

    function Get-Refusal([scriptblock] $Run) {
        try { & $Run | Out-Null } catch { return $_ }
        throw 'The runbook was not refused.'
    }

    $script:Fingerprint = 'alert-drill-' + [guid]::NewGuid().ToString('n')
    Send-Burst -Fingerprint $script:Fingerprint -Count 510
    $script:Delivery = Wait-Delivery -Resource 'event_alert' -Rule 'A new issue is created'
    $null = Receive-TestWebhook $script:Sink
}

AfterAll {
    $env:IDENTITY_ENDPOINT, $env:IDENTITY_HEADER = $script:SavedIdentity
    Disconnect-Sentry -ErrorAction SilentlyContinue
    Stop-TestWebhook $script:Sink
    Stop-TestListener $script:Azure
    Stop-TestListener $script:Receiver
    Stop-TestSandbox $script:Sandbox
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'The sandbox''s signed deliveries' {
    It 'verify with the client secret and parse into an alert about the new issue' {
        $headers = @{}
        foreach ($key in $script:Delivery.Headers.Keys) { $headers[$key.ToLowerInvariant()] = $script:Delivery.Headers[$key] }
        $alert = ConvertFrom-SentryWebhook -Body $script:Delivery.Body -Headers $headers -ClientSecret (ConvertTo-SecureString $script:ClientSecret -AsPlainText -Force)
        $alert.Resource | Should -Be 'event_alert'
        $alert.Action | Should -Be 'triggered'
        $alert.Verified | Should -BeTrue
        $alert.RuleName | Should -Be 'A new issue is created'
        $alert.Title | Should -Be 'PaymentGatewayError: Charge failed: <script>alert(1)</script> @here'
        (Get-SentryIssue -Connection (Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme -Token $script:Sandbox.SecureToken -PassThru) -IssueId $alert.IssueId).Title | Should -Be $alert.Title
    }
}

Describe 'A SentryAlert in the pipeline' {
    BeforeAll {
        $script:Alert = ConvertFrom-SentryWebhook -WebhookData (New-WebhookData $script:Delivery -Header @{ 'Sentry-Hook-Timestamp' = [string][DateTimeOffset]::UtcNow.ToUnixTimeSeconds() }) `
            -ClientSecret (ConvertTo-SecureString $script:ClientSecret -AsPlainText -Force)
        $script:Connection = Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme -Token $script:Sandbox.SecureToken -PassThru
    }

    It 'binds by IssueId to Get-SentryIssue, Invoke-SentryTriage and the commands that change issues' {
        ($script:Alert | Get-SentryIssue -Connection $script:Connection).Id | Should -Be $script:Alert.IssueId
        ($script:Alert | Invoke-SentryTriage -Connection $script:Connection).IssueId | Should -Be $script:Alert.IssueId
        ($script:Alert | Get-SentryEvent -Connection $script:Connection).IssueId | Should -Be $script:Alert.IssueId
        # The alert's EventId binds as well where a command takes one: the suspect commits of the event that fired it.
        { $script:Alert | Get-SentrySuspectCommit -Connection $script:Connection -ErrorAction Stop } | Should -Not -Throw
        ($script:Alert | Get-SentryIssueTag -Connection $script:Connection | Where-Object Key -eq 'environment').TopValues[0].Value | Should -Be 'production'
        $note = $script:Alert | Add-SentryIssueNote -Text 'Alert received in the pipeline test' -Connection $script:Connection
        $note.IssueId | Should -Be $script:Alert.IssueId
        $bundle = Join-Path $script:Work 'pipeline.evidence.json'
        $script:Alert | Save-IncidentEvidence -Path $bundle -Connection $script:Connection | Out-Null
        (Import-IncidentEvidence -Path $bundle).IssueId | Should -Be $script:Alert.IssueId
    }

    It 'skips the signature check only when told, with a warning, and says so on the alert' {
        $tampered = $script:Delivery.Body.Replace('"level": "fatal"', '"level": "info"')
        $headers = @{}
        foreach ($key in $script:Delivery.Headers.Keys) { $headers[$key] = $script:Delivery.Headers[$key] }
        $alert = ConvertFrom-SentryWebhook -Body $tampered -Headers $headers -SkipSignatureCheck -MaxAge ([TimeSpan]::FromDays(1)) -WarningVariable warnings -WarningAction SilentlyContinue
        $alert.Verified | Should -BeFalse
        $alert.Level | Should -Be 'info'
        $warnings[0] | Should -Match 'not checked'
    }
}

Describe 'Refused deliveries page nobody' {
    BeforeEach { $null = Receive-TestWebhook $script:Sink }

    It 'a tampered body' {
        $tampered = $script:Delivery.Body.Replace('"level": "fatal"', '"level": "info"')
        $tampered | Should -Not -Be $script:Delivery.Body
        $refusal = Get-Refusal { Invoke-Runbook (New-WebhookData $script:Delivery -Body $tampered) }
        $refusal.FullyQualifiedErrorId | Should -BeLike 'SentryWebhookSignatureInvalid,*'
        $refusal.Exception.Message | Should -Match 'does not match the body'
        @(Receive-TestWebhook $script:Sink).Count | Should -Be 0
    }

    It 'a secret of another integration' {
        $refusal = Get-Refusal { Invoke-Runbook (New-WebhookData $script:Delivery) -ClientSecretName 'other-client-secret' }
        $refusal.FullyQualifiedErrorId | Should -BeLike 'SentryWebhookSignatureInvalid,*'
        $refusal.ErrorDetails.RecommendedAction | Should -Match 'client secret'
        @(Receive-TestWebhook $script:Sink).Count | Should -Be 0
    }

    It 'a stale timestamp' {
        $stale = [string][DateTimeOffset]::UtcNow.AddMinutes(-10).ToUnixTimeSeconds()
        $refusal = Get-Refusal { Invoke-Runbook (New-WebhookData $script:Delivery -Header @{ 'Sentry-Hook-Timestamp' = $stale }) }
        $refusal.FullyQualifiedErrorId | Should -BeLike 'SentryWebhookExpired,*'
        $refusal.Exception.Message | Should -Match 'ago'
        @(Receive-TestWebhook $script:Sink).Count | Should -Be 0
    }

    It 'a delivery without the secret' {
        $refusal = Get-Refusal { ConvertFrom-SentryWebhook -WebhookData (New-WebhookData $script:Delivery) }
        $refusal.FullyQualifiedErrorId | Should -BeLike 'SentryWebhookSecretMissing,*'
    }
}

Describe 'The Azure Automation runbook started by the alert' {
    BeforeAll {
        $null = Receive-TestWebhook $script:Sink
        $script:Output = @(Invoke-Runbook (New-WebhookData $script:Delivery) *>&1)
        $script:Result = $script:Output | Where-Object { $_ -is [pscustomobject] -and $_.PSObject.Properties['Severity'] } | Select-Object -Last 1
        $script:Received = @(Receive-TestWebhook $script:Sink)
    }

    It 'triages the new issue as P0' {
        $script:Result.Severity | Should -Be 'P0'
        $script:Result.IssueId | Should -Be ($script:Delivery.Body | ConvertFrom-Json).data.event.issue_id
    }

    It 'pages PagerDuty as critical and posts to Slack, once each' {
        $script:Received.Count | Should -Be 2
        $pagerDuty = @($script:Received | Where-Object Path -eq '/v2/enqueue')
        $pagerDuty.Count | Should -Be 1
        $page = $pagerDuty[0].Body | ConvertFrom-Json
        $page.event_action | Should -Be 'trigger'
        $page.payload.severity | Should -Be 'critical'
        $page.routing_key | Should -Be 'pd-routing-key-0123'
        $slack = @($script:Received | Where-Object Path -eq '/slack')
        $slack.Count | Should -Be 1
        $slack[0].Body | Should -Match 'P0'
        $slack[0].Body | Should -Not -Match '<script>' -Because 'event text is escaped for Slack'
    }

    It 'saves the evidence and notes on the issue that the runbook ran' {
        Test-Path $script:Result.Evidence | Should -BeTrue
        (Import-IncidentEvidence -Path $script:Result.Evidence).IssueId | Should -Be $script:Result.IssueId
        $connection = Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme -Token $script:Sandbox.SecureToken -PassThru
        $notes = @(Get-SentryIssueActivity -IssueId $script:Result.IssueId -Connection $connection | Where-Object { $_.Type -eq 'note' -and $_.Text -like 'Runbook ran (Azure Automation*' })
        $notes.Count | Should -Be 1
        $notes[0].Text | Should -Match 'severity P0'
    }

    It 'never shows the token, the client secret or the identity''s access token' {
        $text = ($script:Output | Out-String) + (($script:Output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Out-String)
        $text | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))
        $text | Should -Not -Match ([regex]::Escape($script:ClientSecret))
        $text | Should -Not -Match ([regex]::Escape($script:Azure.AccessToken))
    }

    It 'pages nobody again when Sentry re-delivers, and says why (the PowerShell 7 runtime''s JSON string form)' {
        $null = Receive-TestWebhook $script:Sink
        $retry = New-WebhookData $script:Delivery -Header @{ 'Request-ID' = [guid]::NewGuid().ToString('n'); 'Sentry-Hook-Timestamp' = [string][DateTimeOffset]::UtcNow.ToUnixTimeSeconds() }
        $asJson = $retry | ConvertTo-Json -Depth 5 -Compress
        $all = @(Invoke-Runbook $asJson 3>&1)
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        @($all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        ($warnings.Message -join "`n") | Should -Match 'handled before'
        @(Receive-TestWebhook $script:Sink).Count | Should -Be 0
    }
}

Describe 'A metric alert' {
    It 'names no issue: the runbook tells the incident channel by rule and pages nobody' {
        $null = Receive-TestWebhook $script:Sink
        $body = '{"action": "critical", "installation": {"uuid": "a0"}, "data": {"description_text": "1024 events in 5 minutes", "description_title": "Critical: Too many payment errors", "metric_alert": {"id": "73", "title": "Too many payment errors", "projects": ["web"], "alert_rule": {"id": "18", "name": "Too many payment errors", "environment": "production"}}, "web_url": "https://acme.sentry.io/organizations/acme/alerts/rules/details/18/"}, "actor": {"type": "application", "id": "sentry", "name": "Sentry"}}'
        $hmac = [System.Security.Cryptography.HMACSHA256]::new([Text.Encoding]::UTF8.GetBytes($script:ClientSecret))
        $signature = -join ($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($body)) | ForEach-Object { $_.ToString('x2') })
        $delivery = [pscustomobject]@{ Body = $body; Headers = [ordered]@{
            'Content-Type' = 'application/json'; 'Request-ID' = [guid]::NewGuid().ToString('n'); 'Sentry-Hook-Resource' = 'metric_alert'
            'Sentry-Hook-Timestamp' = [string][DateTimeOffset]::UtcNow.ToUnixTimeSeconds(); 'Sentry-Hook-Signature' = $signature } }
        Invoke-Runbook (New-WebhookData $delivery) | Out-Null
        $received = @(Receive-TestWebhook $script:Sink)
        $received.Count | Should -Be 1
        $received[0].Path | Should -Be '/slack'
        $received[0].Body | Should -Match 'Too many payment errors'
        $received[0].Body | Should -Match 'P1'
    }
}

Describe 'Connect-Sentry -KeyVaultSecretUri' {
    It 'connects with the token read through the managed identity, and shows it nowhere' {
        $verbose = Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme -KeyVaultSecretUri "$($script:Azure.Uri)/secrets/sentry-token" -PassThru -Verbose 4>&1
        $connection = $verbose | Where-Object { $_ -is [SentryRunbook.Models.SentryConnection] }
        $connection.Organization | Should -Be 'acme'
        $all = ($verbose | Out-String) + ($connection | Format-List * | Out-String)
        $all | Should -Match 'Key Vault secret'
        $all | Should -Not -Match ([regex]::Escape($script:Sandbox.Token))
        $all | Should -Not -Match ([regex]::Escape($script:Azure.AccessToken))
        $script:Azure.State.Requests.ToArray() | Should -Contain "GET /secrets/sentry-token?api-version=7.4"
    }

    It 'names a missing secret without the token' {
        $err = { Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme -KeyVaultSecretUri "$($script:Azure.Uri)/secrets/nope" } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'AzureKeyVaultSecretNotFound,*'
        ($err | Out-String) | Should -Not -Match ([regex]::Escape($script:Azure.AccessToken))
    }

    It 'refuses a URI that is not a vault, before any token is asked for' {
        $before = $script:Azure.State.Requests.Count
        $err = { Connect-Sentry -Organization acme -KeyVaultSecretUri 'https://evil.example/secrets/x' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'AzureKeyVaultSecretUriInvalid,*'
        $script:Azure.State.Requests.Count | Should -Be $before
    }
}

Describe 'The Azure Functions sample' {
    BeforeAll {
        # The Functions worker's side, stood in for: output bindings are recorded, the request is shaped as the
        # PowerShell worker shapes it (lower-case header names, a JSON Body parsed into a hashtable, RawBody as sent).
        $global:FunctionBindings = [System.Collections.Generic.List[object]]::new()
        function global:Push-OutputBinding { param([string] $Name, $Value) $global:FunctionBindings.Add([pscustomobject]@{ Name = $Name; Value = $Value }) }
        $script:SavedEnvironment = @{}
        $settings = @{
            HOME                     = $script:Work
            SENTRY_CLIENT_SECRET_URI = "$($script:Azure.Uri)/secrets/sentry-client-secret"
            SENTRY_ORG               = 'acme'
            SENTRY_URL               = $script:Sandbox.BaseUri
            SENTRY_TOKEN_SECRET_URI  = "$($script:Azure.Uri)/secrets/sentry-token"
            SLACK_WEBHOOK_URI        = "$($script:Sink.Uri)/slack"
            PAGERDUTY_ROUTING_KEY    = 'pd-routing-key-0123'
            PAGERDUTY_URI            = "$($script:Sink.Uri)/v2/enqueue"
        }
        foreach ($name in $settings.Keys) { $script:SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $settings[$name]) }
        $script:FunctionsRoot = Join-Path (Get-RepoRoot) 'samples/AzureFunctions-SentryWebhook'

        function New-FunctionsRequest([string] $RawBody) {
            $headers = @{}
            foreach ($key in $script:Delivery.Headers.Keys) { $headers[$key.ToLowerInvariant()] = $script:Delivery.Headers[$key] }
            $headers['sentry-hook-timestamp'] = [string][DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
            [pscustomobject]@{ Method = 'POST'; Url = 'https://app.azurewebsites.net/api/SentryWebhook'; Headers = $headers; Query = @{}; Params = @{}; Body = ($RawBody | ConvertFrom-Json -AsHashtable); RawBody = $RawBody }
        }
        function Invoke-HttpFunction($Request) {
            $global:FunctionBindings.Clear()
            & (Join-Path $script:FunctionsRoot 'SentryWebhook/run.ps1') -Request $Request -TriggerMetadata @{} 3>$null
            [pscustomobject]@{
                Response = ($global:FunctionBindings | Where-Object Name -eq 'Response' | Select-Object -Last 1).Value
                Alert    = ($global:FunctionBindings | Where-Object Name -eq 'Alert' | Select-Object -Last 1).Value
            }
        }
    }

    AfterAll {
        foreach ($name in $script:SavedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $script:SavedEnvironment[$name]) }
        Remove-Item Function:\Push-OutputBinding -ErrorAction SilentlyContinue
        Remove-Variable -Name FunctionBindings -Scope Global -ErrorAction SilentlyContinue
    }

    It 'answers 401 to a tampered body and queues nothing' {
        $result = Invoke-HttpFunction (New-FunctionsRequest $script:Delivery.Body.Replace('"level": "fatal"', '"level": "debug"'))
        $result.Response.StatusCode | Should -Be 401
        $result.Response.Body | Should -Be 'SentryWebhookSignatureInvalid'
        $result.Alert | Should -BeNullOrEmpty
    }

    It 'verifies a delivery from its RawBody, queues the alert and answers 202; a re-delivery is acknowledged and not queued' {
        $result = Invoke-HttpFunction (New-FunctionsRequest $script:Delivery.Body)
        $result.Response.StatusCode | Should -Be 202
        $result.Alert.IssueId | Should -Be ($script:Delivery.Body | ConvertFrom-Json).data.event.issue_id
        $result.Alert.RuleName | Should -Be 'A new issue is created'

        $again = Invoke-HttpFunction (New-FunctionsRequest $script:Delivery.Body)
        $again.Response.StatusCode | Should -Be 200
        $again.Alert | Should -BeNullOrEmpty
    }

    It 'runs the runbook from the queue: PagerDuty and Slack for the P0, and a note' {
        # The queue item is the verified alert, made here so that this test does not depend on the one before it.
        $queued = ConvertFrom-SentryWebhook -WebhookData (New-WebhookData $script:Delivery -Header @{ 'Sentry-Hook-Timestamp' = [string][DateTimeOffset]::UtcNow.ToUnixTimeSeconds() }) `
            -ClientSecret (ConvertTo-SecureString $script:ClientSecret -AsPlainText -Force)
        $null = Receive-TestWebhook $script:Sink
        & (Join-Path $script:FunctionsRoot 'SentryRunbook/run.ps1') -QueueItem $queued -TriggerMetadata @{} 6>$null
        $received = @(Receive-TestWebhook $script:Sink)
        @($received | Where-Object Path -eq '/v2/enqueue').Count | Should -Be 1
        (($received | Where-Object Path -eq '/v2/enqueue').Body | ConvertFrom-Json).payload.severity | Should -Be 'critical'
        @($received | Where-Object Path -eq '/slack').Count | Should -Be 1
        $connection = Connect-Sentry -BaseUri $script:Sandbox.BaseUri -Organization acme -Token $script:Sandbox.SecureToken -PassThru
        $notes = @(Get-SentryIssueActivity -IssueId $queued.IssueId -Connection $connection | Where-Object Type -eq 'note')
        ($notes.Text -join "`n") | Should -Match 'Runbook ran \(Azure Functions'
        @(Get-ChildItem (Join-Path $script:Work 'data/evidence') -Filter '*.evidence.json').Count | Should -Be 1
    }
}

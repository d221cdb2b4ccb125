<#
    HTTP trigger for Sentry's integration webhook. Sentry counts an answer slower than one second as a
    failure, so this function only verifies the delivery and queues it; SentryRunbook (queue trigger) runs
    the runbook. Verification: Sentry-Hook-Signature with the client secret (app setting
    SENTRY_CLIENT_SECRET, best as a Key Vault reference), a fresh Sentry-Hook-Timestamp, and a replay store
    under $HOME/data, which every instance of the app shares.
#>
param($Request, $TriggerMetadata)

$ErrorActionPreference = 'Stop'

function Send-Response([int] $Status, [string] $Body) {
    $value = @{ StatusCode = $Status; Body = $Body }
    if ('HttpResponseContext' -as [type]) { $value = [HttpResponseContext] $value }
    Push-OutputBinding -Name Response -Value $value
}

$seenStore = Join-Path $(if ($env:HOME) { $env:HOME } else { [IO.Path]::GetTempPath() }) 'data/sentry-webhook-seen.txt'
$secret = if ($env:SENTRY_CLIENT_SECRET_URI) { @{ ClientSecretUri = $env:SENTRY_CLIENT_SECRET_URI } } else { @{} }   # else SENTRY_CLIENT_SECRET
try {
    # RawBody: the worker parses a JSON Body into a hashtable, and the signature covers the bytes as sent.
    $alert = ConvertFrom-SentryWebhook -Request $Request -SeenStore $seenStore @secret
}
catch {
    $id = ($_.FullyQualifiedErrorId -split ',')[0]
    Write-Warning "Sentry delivery refused ($id): $($_.Exception.Message)"
    switch ($id) {
        # A retry of a delivery already queued: acknowledge, so Sentry stops retrying.
        'SentryWebhookReplayed' { Send-Response 200 'already handled' }
        'SentryWebhookMalformed' { Send-Response 400 $id }
        'SentryWebhookSecretMissing' { Send-Response 500 $id }
        default { Send-Response 401 $id }
    }
    return
}

$actionable = ($alert.Resource -eq 'event_alert') -or ($alert.Resource -eq 'issue' -and $alert.Action -in 'created', 'unresolved')
if ($actionable -and $alert.IssueId) {
    Push-OutputBinding -Name Alert -Value @{
        IssueId = $alert.IssueId; Resource = $alert.Resource; Action = $alert.Action; RuleName = $alert.RuleName
        RequestId = $alert.RequestId; Title = $alert.Title; WebUrl = $alert.WebUrl
    }
}
Send-Response 202 'accepted'

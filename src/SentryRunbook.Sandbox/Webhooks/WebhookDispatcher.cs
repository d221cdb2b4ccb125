using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Webhooks;

/// <summary>One delivery and what became of each attempt; listed by GET /sandbox/webhooks/deliveries.</summary>
public sealed class DeliveryRecord
{
    public required long Id { get; init; }
    public required string Resource { get; init; }
    public required string Action { get; init; }
    public string? IssueId { get; init; }
    public string? Rule { get; init; }
    public required string Body { get; init; }
    public List<(string RequestId, int? Status, string? Error)> Attempts { get; } = [];
    public bool Delivered { get; set; }
    public bool Finished { get; set; }
}

/// <summary>
/// Sentry's side of an internal integration: watches the store (new issues, regressions, status changes,
/// notes, every event for the rules), builds the §12 payload at that moment, and POSTs it signed — HMAC-SHA256
/// of the exact body bytes with the client secret, lowercase hex — with Sentry-Hook-* headers and a fresh
/// Request-ID per send. 5xx and no answer within the timeout are retried with back-off; 4xx is final.
/// Deliveries go out one at a time, in the order things happened.
/// </summary>
public sealed class WebhookDispatcher : IAsyncDisposable
{
    private readonly SandboxState _state;
    private readonly WebhookPayloads _payloads;
    private readonly Channel<DeliveryRecord> _queue = Channel.CreateUnbounded<DeliveryRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<(string Rule, long Issue), DateTimeOffset> _lastFired = [];
    private readonly List<DeliveryRecord> _log = [];
    private readonly Task _worker;
    private long _nextId;

    public WebhookDispatcher(SandboxState state)
    {
        _state = state;
        _payloads = new WebhookPayloads(state, Settings);
        state.Store.EventStored += OnEventStored;
        state.Store.ActivityRecorded += OnActivity;
        _worker = Task.Run(Work);
    }

    public WebhookSettings Settings => _state.Options.Webhooks;

    public IReadOnlyList<DeliveryRecord> Deliveries
    {
        get { lock (_log) return _log.ToArray(); }
    }

    /// <summary>Called under the store lock: decide, snapshot, queue. Never blocks.</summary>
    private void OnEventStored(StoredEvent stored)
    {
        if (!Settings.Enabled) return;
        try { Announce(stored); }
        catch (Exception ex) { Failed("event", ex); } // a webhook problem must never fail the ingest that caused it
    }

    private void Announce(StoredEvent stored)
    {
        var issue = stored.Issue;
        var e = stored.Event;
        if (stored.NewIssue && Subscribed("issue")) Queue("issue", "created", _payloads.Issue(issue), null, issue);
        if (stored.Regressed && Subscribed("issue")) Queue("issue", "unresolved", _payloads.Issue(issue), null, issue);
        if (Subscribed("error")) Queue("error", "created", _payloads.Error(e), null, issue);

        if (stored.NewIssue) Fire(WebhookSettings.RuleFirstSeen, e);
        if (stored.Regressed) Fire(WebhookSettings.RuleRegression, e);
        var since = e.Received - Settings.ThresholdWindow;
        var inWindow = issue.Events.Count(x => x.Received > since);
        if (inWindow > Settings.ThresholdCount) Fire(Settings.RuleFrequency, e);
    }

    /// <summary>Issue alert rules: each fires at most once per issue per action interval.</summary>
    private void Fire(string rule, ErrorEvent e)
    {
        var key = (rule, e.Issue.Id);
        if (_lastFired.TryGetValue(key, out var last) && e.Received - last < Settings.ActionInterval) return;
        _lastFired[key] = e.Received;
        Queue("event_alert", "triggered", _payloads.EventAlert(e, rule), null, e.Issue, rule);
    }

    private void OnActivity(Issue issue, Activity activity)
    {
        if (!Settings.Enabled) return;
        try { Announce(issue, activity); }
        catch (Exception ex) { Failed(activity.Type, ex); }
    }

    private void Failed(string what, Exception ex)
    {
        if (_state.Options.Verbose) Console.Error.WriteLine($"{DateTimeOffset.UtcNow:O} webhook for {what} not built: {ex.Message}");
    }

    private void Announce(Issue issue, Activity activity)
    {
        // first_seen and set_regression are announced with their event (OnEventStored), once the event is counted.
        var action = activity.Type switch
        {
            "set_resolved" or "set_resolved_in_release" or "set_resolved_in_commit" => "resolved",
            // Sentry's source names the event issue.ignored; its docs say archived (REFERENCE.md §15). The sandbox sends what the source does.
            "set_ignored" => "ignored",
            "set_unresolved" or "set_escalating" => "unresolved",
            "assigned" => "assigned",
            _ => null,
        };
        if (action is not null && Subscribed("issue")) Queue("issue", action, _payloads.Issue(issue), activity.User, issue);
        if (activity.Type == "note" && Subscribed("comment")) Queue("comment", "created", _payloads.Comment(issue, activity), activity.User, issue);
    }

    private bool Subscribed(string resource) => Settings.Resources.Contains(resource);

    private void Queue(string resource, string action, JsonObject data, Assignee? actor, Issue issue, string? rule = null)
    {
        var record = new DeliveryRecord
        {
            Id = Interlocked.Increment(ref _nextId),
            Resource = resource,
            Action = action,
            IssueId = issue.Id.ToString(CultureInfo.InvariantCulture),
            Rule = rule,
            Body = PythonJson.Dumps(_payloads.Envelope(action, data, actor)),
        };
        lock (_log) _log.Add(record);
        _queue.Writer.TryWrite(record);
    }

    private async Task Work()
    {
        try
        {
            await foreach (var record in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                await DeliverAsync(record, _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeliverAsync(DeliveryRecord record, CancellationToken stopping)
    {
        var settings = Settings;
        if (!settings.Enabled) { record.Finished = true; return; }
        var body = Encoding.UTF8.GetBytes(record.Body);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.Secret!), body));
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            var requestId = Guid.NewGuid().ToString("N"); // random per send, as Sentry does: a retry has a new one
            int? status = null;
            string? error = null;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                timeout.CancelAfter(settings.Timeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    request.Headers.TryAddWithoutValidation("Request-ID", requestId);
                    request.Headers.TryAddWithoutValidation("Sentry-Hook-Resource", record.Resource);
                    request.Headers.TryAddWithoutValidation("Sentry-Hook-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                    request.Headers.TryAddWithoutValidation("Sentry-Hook-Signature", signature);
                    request.Headers.UserAgent.ParseAdd("Sentry");
                    using var response = await _http.SendAsync(request, timeout.Token);
                    status = (int)response.StatusCode;
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    error = $"no answer within {settings.Timeout.TotalMilliseconds:0} ms";
                }
                catch (HttpRequestException ex)
                {
                    error = ex.Message;
                }
            }

            lock (_log) record.Attempts.Add((requestId, status, error));
            if (_state.Options.Verbose) await Console.Error.WriteLineAsync($"{DateTimeOffset.UtcNow:O} webhook {record.Resource}.{record.Action} -> {(object?)status ?? error} (attempt {attempt})");
            if (status is >= 200 and < 300) { record.Delivered = true; break; }
            if (status is >= 400 and < 500) break;
            if (attempt < settings.MaxAttempts) await Task.Delay(settings.RetryDelay * Math.Pow(2, attempt - 1), stopping);
        }
        record.Finished = true;
    }

    public async ValueTask DisposeAsync()
    {
        _state.Store.EventStored -= OnEventStored;
        _state.Store.ActivityRecorded -= OnActivity;
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        try { await _worker; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stopping.Dispose();
    }
}

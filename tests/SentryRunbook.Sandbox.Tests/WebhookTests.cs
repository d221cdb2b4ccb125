using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Webhooks;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>A loopback receiver for the sandbox's webhook deliveries: records the exact bytes and headers, answers from a plan.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { _listener.Start(); Uri = new Uri($"http://127.0.0.1:{port}/hooks/sentry"); break; }
            catch (HttpListenerException) when (attempt < 20) { _listener.Close(); }
        }
        _loop = Task.Run(Serve);
    }

    public Uri Uri { get; } = null!;
    public ConcurrentQueue<int> Plan { get; } = new();
    public BlockingCollection<(byte[] Body, Dictionary<string, string> Headers)> Received { get; } = new();

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); } catch { return; }
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var headers = context.Request.Headers.AllKeys.ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            context.Response.StatusCode = Plan.TryDequeue(out var status) ? status : 200;
            context.Response.Close();
            Received.Add((buffer.ToArray(), headers));
        }
    }

    public (byte[] Body, Dictionary<string, string> Headers, JsonElement Json) Next()
    {
        Assert.True(Received.TryTake(out var item, TimeSpan.FromSeconds(20)), "no delivery arrived");
        using var doc = JsonDocument.Parse(item.Body);
        return (item.Body, item.Headers, doc.RootElement.Clone());
    }

    /// <summary>The next delivery of this resource and action, skipping others (e.g. issue.created before event_alert).</summary>
    public (byte[] Body, Dictionary<string, string> Headers, JsonElement Json) Next(string resource, string action)
    {
        while (true)
        {
            var next = Next();
            if (next.Headers["Sentry-Hook-Resource"] == resource && next.Json.GetProperty("action").GetString() == action) return next;
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(5000); } catch (AggregateException) { }
    }
}

public sealed class WebhookTests : IAsyncLifetime
{
    private const string Secret = "sandbox-webhook-test-secret-0123456789";
    private readonly WebhookReceiver _receiver = new();
    private SandboxHost _host = null!;
    private ActTestClient _api = null!;

    public async Task InitializeAsync()
    {
        var options = new SandboxOptions { Port = 0 };
        options.Webhooks.Url = _receiver.Uri;
        options.Webhooks.Secret = Secret;
        options.Webhooks.RetryDelay = TimeSpan.FromMilliseconds(10);
        options.Webhooks.Timeout = TimeSpan.FromSeconds(10); // a loaded test machine is no reason to retry here
        _host = await SandboxHost.StartAsync(options);
        _api = new ActTestClient(_host);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _host.DisposeAsync();
        _receiver.Dispose();
    }

    private static string Sign(byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));

    private static void AssertSignedAsSentry((byte[] Body, Dictionary<string, string> Headers, JsonElement Json) delivery, string resource)
    {
        Assert.Equal(Sign(delivery.Body), delivery.Headers["Sentry-Hook-Signature"]);
        Assert.Equal(resource, delivery.Headers["Sentry-Hook-Resource"]);
        Assert.Matches("^[0-9a-f]{32}$", delivery.Headers["Request-ID"]);
        Assert.StartsWith("application/json", delivery.Headers["Content-Type"]);
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(delivery.Headers["Sentry-Hook-Timestamp"]));
        Assert.InRange(sent, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        // Python's json.dumps spacing and ASCII-only output.
        var text = Encoding.UTF8.GetString(delivery.Body);
        Assert.StartsWith("{\"action\": \"", text);
        Assert.All(delivery.Body, b => Assert.InRange(b, (byte)0x20, (byte)0x7e));
        Assert.Equal(JsonValueKind.Object, delivery.Json.GetProperty("actor").ValueKind);
        Assert.False(string.IsNullOrEmpty(delivery.Json.GetProperty("installation").GetProperty("uuid").GetString()));
    }

    [Fact]
    public void PythonJson_writes_what_json_dumps_writes()
    {
        var node = new JsonObject
        {
            ["title"] = "<b>é☃\U0001F525 \"q\" \\ \t\n\u007f\u0001",
            ["n"] = 3,
            ["f"] = 1764757198.123456,
            ["g"] = 100.0,
            ["h"] = 0.5,
            ["l"] = new JsonArray(1, null, true, false, new JsonArray()),
            ["o"] = new JsonObject(),
            ["z"] = -2,
        };
        // Printed by Python 3.11: json.dumps({...}) of the same values.
        const string python = """{"title": "<b>\u00e9\u2603\ud83d\udd25 \"q\" \\ \t\n\u007f\u0001", "n": 3, "f": 1764757198.123456, "g": 100.0, "h": 0.5, "l": [1, null, true, false, []], "o": {}, "z": -2}""";
        Assert.Equal(python, PythonJson.Dumps(node));
    }

    [Fact]
    public async Task A_new_issue_is_announced_as_issue_created_and_a_signed_event_alert()
    {
        var title = "Webhook drill <script>x</script> " + Guid.NewGuid().ToString("N");
        await _api.Ingest(title);

        var created = _receiver.Next("issue", "created");
        AssertSignedAsSentry(created, "issue");
        var issue = created.Json.GetProperty("data").GetProperty("issue");
        Assert.Equal(title, issue.GetProperty("title").GetString());
        Assert.Matches("^WEB-", issue.GetProperty("shortId").GetString());
        Assert.EndsWith($"/issues/{issue.GetProperty("id").GetString()}/", issue.GetProperty("web_url").GetString());

        var alert = _receiver.Next("event_alert", "triggered");
        AssertSignedAsSentry(alert, "event_alert");
        var data = alert.Json.GetProperty("data");
        Assert.Equal("A new issue is created", data.GetProperty("triggered_rule").GetString());
        var e = data.GetProperty("event");
        Assert.Equal(issue.GetProperty("id").GetString(), e.GetProperty("issue_id").GetString());
        Assert.Equal(title, e.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Number, e.GetProperty("project").ValueKind);
        Assert.Equal(JsonValueKind.Array, e.GetProperty("tags")[0].ValueKind); // [key, value] pairs
        Assert.Equal("triggered", alert.Json.GetProperty("action").GetString());
    }

    [Fact]
    public async Task A_5xx_is_retried_with_the_same_signed_body_and_a_new_Request_ID()
    {
        _receiver.Plan.Enqueue(503);
        await _api.Ingest("Retry drill " + Guid.NewGuid().ToString("N"));

        var first = _receiver.Next();
        var second = _receiver.Next();
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Headers["Sentry-Hook-Signature"], second.Headers["Sentry-Hook-Signature"]);
        Assert.NotEqual(first.Headers["Request-ID"], second.Headers["Request-ID"]);

        var (_, deliveries) = await _api.Get("/sandbox/webhooks/deliveries");
        var record = deliveries.EnumerateArray().First();
        Assert.Equal(503, record.GetProperty("attempts")[0].GetProperty("status").GetInt32());
        Assert.Equal(200, record.GetProperty("attempts")[1].GetProperty("status").GetInt32());
        Assert.True(record.GetProperty("delivered").GetBoolean());
    }

    [Fact]
    public async Task A_4xx_is_final()
    {
        _receiver.Plan.Enqueue(401);
        await _api.Ingest("Refused drill " + Guid.NewGuid().ToString("N"));
        _receiver.Next(); // the refused issue.created
        _receiver.Next("event_alert", "triggered"); // the next delivery, not a retry

        var (_, deliveries) = await _api.Get("/sandbox/webhooks/deliveries");
        var refused = deliveries.EnumerateArray().First();
        Assert.Equal(1, refused.GetProperty("attempts").GetArrayLength());
        Assert.False(refused.GetProperty("delivered").GetBoolean());
    }

    [Fact]
    public async Task Status_changes_notes_and_regressions_are_delivered()
    {
        var title = "Lifecycle drill " + Guid.NewGuid().ToString("N");
        await _api.Ingest(title, release: "web@9.0.0");
        var id = _receiver.Next("issue", "created").Json.GetProperty("data").GetProperty("issue").GetProperty("id").GetString();

        await _api.Put($"/api/0/organizations/acme/issues/{id}/", """{"status":"resolved"}""");
        var resolved = _receiver.Next("issue", "resolved");
        AssertSignedAsSentry(resolved, "issue");
        Assert.Equal("resolved", resolved.Json.GetProperty("data").GetProperty("issue").GetProperty("status").GetString());
        Assert.Equal("user", resolved.Json.GetProperty("actor").GetProperty("type").GetString());

        var (noteResponse, _) = await _api.Post($"/api/0/organizations/acme/issues/{id}/comments/", """{"text":"Runbook ran <b>here</b> ünïcode"}""");
        Assert.Equal(HttpStatusCode.Created, noteResponse.StatusCode);
        var comment = _receiver.Next("comment", "created");
        AssertSignedAsSentry(comment, "comment");
        Assert.Equal("Runbook ran <b>here</b> ünïcode", comment.Json.GetProperty("data").GetProperty("comment").GetString());
        Assert.Equal(long.Parse(id!), comment.Json.GetProperty("data").GetProperty("issue_id").GetInt64());
        Assert.Contains("\\u00fcn\\u00efcode", Encoding.UTF8.GetString(comment.Body));

        await _api.Ingest(title, release: "web@9.0.1");
        Assert.Equal("regressed", _receiver.Next("issue", "unresolved").Json.GetProperty("data").GetProperty("issue").GetProperty("substatus").GetString());
        var alert = _receiver.Next("event_alert", "triggered");
        Assert.Equal("The issue changes state from resolved to unresolved", alert.Json.GetProperty("data").GetProperty("triggered_rule").GetString());

        await _api.Put($"/api/0/organizations/acme/issues/{id}/", """{"status":"ignored","substatus":"archived_forever"}""");
        Assert.Equal("ignored", _receiver.Next("issue", "ignored").Json.GetProperty("data").GetProperty("issue").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_frequency_rule_fires_once_when_the_threshold_is_crossed()
    {
        var (settings, _) = await _api.Put("/sandbox/webhooks", """{"threshold": 3, "window": "1m"}""");
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        var title = "Frequency drill " + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 6; i++) await _api.Ingest(title);

        _receiver.Next("event_alert", "triggered"); // first seen
        var frequent = _receiver.Next("event_alert", "triggered");
        Assert.Equal("The issue is seen more than 3 times in 1m", frequent.Json.GetProperty("data").GetProperty("triggered_rule").GetString());

        var (_, deliveries) = await _api.Get("/sandbox/webhooks/deliveries");
        Assert.Single(deliveries.EnumerateArray(), d => d.GetProperty("rule").GetString() == "The issue is seen more than 3 times in 1m");
    }

    [Fact]
    public async Task The_control_endpoint_never_shows_the_secret_and_refuses_bad_settings()
    {
        var (response, body) = await _api.Get("/sandbox/webhooks");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("secretSet").GetBoolean());
        Assert.DoesNotContain(Secret, body.GetRawText());

        var (bad, detail) = await _api.Put("/sandbox/webhooks", """{"threshold": 5, "resources": ["issue", "seer"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("seer", detail.GetProperty("detail").GetString());
        Assert.Equal(100, (await _api.Get("/sandbox/webhooks")).Body.GetProperty("threshold").GetInt32());
    }

    [Theory]
    [InlineData("--webhook-url", "ftp://x")]
    [InlineData("--webhook-window", "7x")]
    [InlineData("--webhook-threshold", "0")]
    [InlineData("--webhook-resources", "issue,seer")]
    public void Bad_webhook_flags_are_refused(string flag, string value)
    {
        Assert.Null(SandboxOptions.Parse([flag, value], out var error));
        Assert.Contains(flag, error);
    }
}

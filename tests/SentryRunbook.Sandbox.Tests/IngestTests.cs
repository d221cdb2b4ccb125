using System.Net;
using System.Text;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>The ingest endpoints against real SDK captures and the envelope format's corner cases.</summary>
public sealed class IngestTests(EmptySandbox sandbox) : IClassFixture<EmptySandbox>
{
    private SandboxHost Host => sandbox.Host;

    public static TheoryData<string> EnvelopeFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(IngestClient.EnvelopeFolder(), "*.envelope").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void AllSharedCapturesAreCovered() => Assert.True(Directory.GetFiles(IngestClient.EnvelopeFolder(), "*.envelope").Length >= 15);

    [Theory]
    [MemberData(nameof(EnvelopeFiles))]
    public async Task SdkCapture_IsAccepted_AndQueryable(string file)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(IngestClient.EnvelopeFolder(), file));
        var store = Host.State.Store;
        var discardedBefore = store.DiscardedByClients;
        var (response, body) = await IngestClient.Post(Host, "envelope", bytes);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        using var header = JsonDocument.Parse(lines[0]);
        var items = lines.Skip(1).Where(l => l.StartsWith("{\"type\"", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()).ToList();
        string Payload(string type) => lines[lines.ToList().FindIndex(l => l.StartsWith("{\"type\":\"" + type + "\"", StringComparison.Ordinal)) + 1];

        if (items.Contains("event"))
        {
            using var ev = JsonDocument.Parse(Payload("event"));
            var id = ev.RootElement.GetProperty("event_id").GetString()!.Replace("-", "");
            Assert.Equal(id, body.GetProperty("id").GetString());
            var (_, stored) = await sandbox.GetJson($"/api/0/projects/acme/web/events/{id}/");
            var root = ev.RootElement;
            Assert.Equal(root.GetProperty("release").GetString(), stored.GetProperty("release").GetProperty("version").GetString());
            var tags = stored.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
            Assert.Equal(root.GetProperty("environment").GetString(), tags["environment"]);
            Assert.Equal(root.TryGetProperty("level", out var level) ? level.GetString() : "error", tags["level"]);
            var user = root.GetProperty("user");
            if (user.TryGetProperty("id", out var userId)) Assert.Equal(userId.GetString(), stored.GetProperty("user").GetProperty("id").GetString());
            if (user.TryGetProperty("username", out var username)) Assert.Equal(username.GetString(), stored.GetProperty("user").GetProperty("username").GetString());
            // sentry-cli sends `{{auto}}`: Relay fills in the caller's address.
            if (user.TryGetProperty("ip_address", out _)) Assert.Equal("127.0.0.1", stored.GetProperty("user").GetProperty("ip_address").GetString());

            var expectedTitle = root.TryGetProperty("exception", out var exception)
                ? $"{exception.GetProperty("values")[0].GetProperty("type").GetString()}: {exception.GetProperty("values")[0].GetProperty("value").GetString()}"
                : root.GetProperty("logentry").GetProperty("message").GetString();
            Assert.Equal(expectedTitle, stored.GetProperty("title").GetString());
            var (_, issue) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{stored.GetProperty("groupID").GetString()}/");
            Assert.Equal(expectedTitle, issue.GetProperty("title").GetString());
            if (root.TryGetProperty("breadcrumbs", out var crumbs))
            {
                var entry = stored.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "breadcrumbs");
                Assert.Equal(crumbs.GetArrayLength(), entry.GetProperty("data").GetProperty("values").GetArrayLength());
            }
        }
        if (items.Contains("transaction"))
        {
            using var tx = JsonDocument.Parse(Payload("transaction"));
            var id = tx.RootElement.GetProperty("event_id").GetString();
            var stored = store.Read(s => s.Transactions.Single(t => t.EventId == id));
            Assert.Equal("checkout", stored.Name);
            Assert.Equal("task", stored.Op);
            Assert.InRange(stored.DurationMs, 1, 1000);
            Assert.Contains(store.Read(s => s.Spans.ToList()), s => s.Op == "db.query" && s.TraceId == stored.TraceId);
        }
        if (items.Contains("span"))
        {
            var traceId = header.RootElement.GetProperty("trace").GetProperty("trace_id").GetString();
            var spans = store.Read(s => s.Spans.Where(x => x.TraceId == traceId).ToList());
            Assert.Equal(2, spans.Count);
            var segment = store.Read(s => s.Transactions.Single(t => t.TraceId == traceId));
            Assert.Equal("checkout", segment.Name);
            Assert.Equal("sdkprobe-node@1.0.0", segment.Release);
        }
        foreach (var sessionLine in lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("{\"type\":\"session\"", StringComparison.Ordinal)))
        {
            using var session = JsonDocument.Parse(lines[sessionLine.i + 1]);
            var sid = session.RootElement.GetProperty("sid").GetString();
            var stored = store.Read(s => s.SessionUpdates.Where(u => u.Sid == sid).ToList());
            Assert.Contains(stored, u => u.Status == (session.RootElement.TryGetProperty("status", out var st) ? st.GetString() : "ok"));
            Assert.All(stored, u => Assert.StartsWith("sdkprobe-", u.Release));
        }
        if (items.Contains("client_report")) Assert.True(store.DiscardedByClients > discardedBefore);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("deflate-raw")]
    public async Task CompressedBodies_AreDecoded(string encoding)
    {
        var id = Guid.NewGuid().ToString("N");
        var envelope = IngestClient.EventEnvelope($$"""{"event_id":"{{id}}","message":"compressed {{encoding}}","level":"warning"}""", withLength: true);
        var (response, body) = await IngestClient.Envelope(Host, envelope, encoding: encoding);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal("compressed " + encoding, Host.State.Store.FindEvent(Host.State.Store.Projects[0], id)!.Title);
    }

    [Fact]
    public async Task ChunkedBody_IsRead()
    {
        var id = Guid.NewGuid().ToString("N");
        var bytes = Encoding.UTF8.GetBytes(IngestClient.EventEnvelope($$"""{"event_id":"{{id}}","message":"chunked"}""", withLength: false));
        var (response, _) = await IngestClient.Post(Host, "envelope", bytes, encoding: "gzip", chunked: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(Host.State.Store.FindEvent(Host.State.Store.Projects[0], id));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task ItemLength_OptionalAndTrailingNewlineOptional(bool withLength, bool trailingNewline)
    {
        var id = Guid.NewGuid().ToString("N");
        // With a length the payload may span lines (pretty-printed JSON).
        var json = withLength ? $"{{\n  \"event_id\": \"{id}\",\n  \"message\": \"length {withLength} {trailingNewline}\"\n}}" : $"{{\"event_id\":\"{id}\",\"message\":\"length {withLength} {trailingNewline}\"}}";
        var envelope = IngestClient.EventEnvelope(json, withLength, trailingNewline)
                       + (trailingNewline ? "{\"type\":\"attachment\",\"length\":3,\"filename\":\"a.txt\"}\nabc\n" : "");
        var (response, body) = await IngestClient.Envelope(Host, envelope);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal($"length {withLength} {trailingNewline}", Host.State.Store.FindEvent(Host.State.Store.Projects[0], id)!.Message);
    }

    [Fact]
    public async Task MissingOrWrongKey_Is401LikeRelay()
    {
        var envelope = IngestClient.EventEnvelope("""{"message":"nope"}""", withLength: false);
        var (missing, missingBody) = await IngestClient.Envelope(Host, envelope, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("missing authorization information", missingBody.GetProperty("detail").GetString());

        var (wrong, wrongBody) = await IngestClient.Envelope(Host, envelope, key: new string('0', 32));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid api key", wrongBody.GetProperty("detail").GetString());

        // The web project's key does not open another project.
        var (other, _) = await IngestClient.Post(Host, "envelope", Encoding.UTF8.GetBytes(envelope), projectId: "2");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task SentryKeyQueryParameter_AndStoreEndpoint()
    {
        var id = Guid.NewGuid().ToString("N");
        using var http = new HttpClient(new PatientHandler());
        var content = new StringContent($$$"""{"event_id":"{{{id}}}","exception":{"values":[{"type":"KeyError","value":"'sku'"}]},"tags":[["shard","7"]],"breadcrumbs":{"values":[{"timestamp":1795838653.718,"message":"hi"}]}}""");
        var response = await http.PostAsync($"{Host.BaseUri}/api/1/store/?sentry_key={IngestClient.Key(Host)}&sentry_version=7", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($$"""{"id":"{{id}}"}""", await response.Content.ReadAsStringAsync());
        var stored = Host.State.Store.FindEvent(Host.State.Store.Projects[0], id)!;
        Assert.Equal("KeyError: 'sku'", stored.Title);
        Assert.Contains(stored.Tags, t => t.Key == "shard" && t.Value == "7");
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 4, 4, 13, 718, TimeSpan.Zero), stored.Breadcrumbs[0].Timestamp);
    }

    [Fact]
    public async Task EventWithoutId_GetsOne_AndSessionsAggregatesAreStored()
    {
        var envelope = "{}\n{\"type\":\"event\"}\n{\"message\":\"no id\"}\n"
                       + "{\"type\":\"sessions\"}\n{\"aggregates\":[{\"started\":\"2026-11-28T04:00:00Z\",\"exited\":5,\"errored\":1,\"crashed\":2}],\"attrs\":{\"release\":\"agg@1.0\",\"environment\":\"prod\"}}\n"
                       + "{\"type\":\"check_in\"}\n{\"check_in_id\":\"x\"}\n";
        var (response, body) = await IngestClient.Envelope(Host, envelope);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("^[0-9a-f]{32}$", body.GetProperty("id").GetString());
        var aggregate = Host.State.Store.Read(s => s.SessionAggregates.Single(a => a.Release == "agg@1.0"));
        Assert.Equal(8, aggregate.Total);
        Assert.Equal(2, aggregate.Crashed);
    }

    [Fact]
    public async Task BrokenEnvelope_Is400()
    {
        var (response, body) = await IngestClient.Envelope(Host, "{}\n{\"type\":\"event\",\"length\":500}\n{}\n");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("invalid envelope", body.GetProperty("detail").GetString());
    }
}

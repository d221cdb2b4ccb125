using System.Text.Json;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Ingest;

/// <summary>Feeds parsed envelopes and store-endpoint events into the store; returns the event id Relay would answer with.</summary>
public sealed class IngestProcessor(EventStore store)
{
    /// <summary>Stores every known item; unknown types (attachment, profile, log, …) are accepted and dropped, like Relay.</summary>
    public string? Process(Envelope envelope, IngestContext ctx)
    {
        var eventId = EventStore.NormalizeEventId(ProtocolJson.Str(envelope.Header, "event_id"));
        foreach (var item in envelope.Items)
        {
            switch (item.Type)
            {
                case "event":
                case "transaction":
                    eventId = StoreEvent(Parse(item.Payload), ctx, item.Payload.Length, item.Type == "transaction") ?? eventId;
                    break;
                case "span":
                {
                    var (spans, segments) = TelemetryNormalizer.Spans(Parse(item.Payload), ctx);
                    store.AddSpans(spans);
                    foreach (var segment in segments) store.AddTransaction(segment);
                    break;
                }
                case "session":
                    store.AddSession(TelemetryNormalizer.Session(Parse(item.Payload), ctx));
                    break;
                case "sessions":
                    foreach (var aggregate in TelemetryNormalizer.Aggregates(Parse(item.Payload), ctx)) store.AddSessionAggregate(aggregate);
                    break;
                case "check_in":
                    CheckIn(Parse(item.Payload), ctx);
                    break;
                case "client_report":
                    store.CountDiscarded(TelemetryNormalizer.Discarded(Parse(item.Payload)));
                    break;
            }
        }
        return eventId;
    }

    /// <summary>One event body (the store endpoint, or an event/transaction item); returns its id.</summary>
    public string? StoreEvent(JsonElement root, IngestContext ctx, int size, bool isTransaction = false)
    {
        if (isTransaction || ProtocolJson.Str(root, "type") == "transaction")
        {
            var (transaction, spans) = TelemetryNormalizer.Transaction(root, ctx);
            store.AddTransaction(transaction);
            store.AddSpans(spans);
            return transaction.EventId;
        }
        return store.Ingest(EventNormalizer.Normalize(root, ctx, size)).EventId;
    }

    /// <summary>
    /// A cron check-in (`monitor_slug`, `status`, `check_in_id`, `duration` in seconds, `environment`); its
    /// `monitor_config` creates or updates the monitor. Without a config an unknown slug is dropped, as Relay
    /// and Sentry drop check-ins for monitors that do not exist.
    /// </summary>
    private void CheckIn(JsonElement root, IngestContext ctx)
    {
        var slug = ProtocolJson.Str(root, "monitor_slug");
        var status = ProtocolJson.Str(root, "status");
        if (slug is null || status is not ("in_progress" or "ok" or "error")) return;
        MonitorSchedule? schedule = null;
        int? margin = null, maxRuntime = null;
        string? timezone = null;
        if (ProtocolJson.Get(root, "monitor_config") is { ValueKind: JsonValueKind.Object } config)
        {
            if (ProtocolJson.Get(config, "schedule") is { ValueKind: JsonValueKind.Object } s)
            {
                schedule = ProtocolJson.Str(s, "type") == "interval"
                    ? MonitorSchedule.Every(ProtocolJson.Int(s, "value") ?? 0, ProtocolJson.Str(s, "unit") ?? "")
                    : MonitorSchedule.Cron(ProtocolJson.Str(s, "value") ?? "");
                if (!schedule.IsValid) return;
            }
            margin = ProtocolJson.Int(config, "checkin_margin");
            maxRuntime = ProtocolJson.Int(config, "max_runtime");
            timezone = ProtocolJson.Str(config, "timezone");
        }
        var monitor = schedule is null
            ? store.FindMonitor(slug, ctx.Project)
            : store.UpsertMonitor(ctx.Project, slug, null, schedule, margin, maxRuntime, timezone, ctx.Received);
        if (monitor is null) return;
        var id = ProtocolJson.Str(root, "check_in_id") is { Length: > 0 } given ? given.Replace("-", "", StringComparison.Ordinal) : Guid.NewGuid().ToString("N");
        long? durationMs = ProtocolJson.Double(root, "duration") is { } seconds ? (long)Math.Round(seconds * 1000) : null;
        store.RecordCheckIn(monitor, id, ProtocolJson.Str(root, "environment") ?? "production", status, durationMs, ctx.Received);
    }

    public static JsonElement Parse(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FormatException("item payload is not valid JSON: " + ex.Message, ex);
        }
    }

    public static IngestContext Context(Project project, string? clientIp, JsonElement? envelopeHeader) =>
        new(project, DateTimeOffset.UtcNow, clientIp, envelopeHeader);
}

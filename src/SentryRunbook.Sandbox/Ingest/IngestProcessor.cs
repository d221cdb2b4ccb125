using System.Text.Json;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Ingest;

/// <summary>Feeds parsed envelopes and store-endpoint events into the store; returns the event id Relay would answer with.</summary>
public sealed class IngestProcessor(EventStore store)
{
    /// <summary>Stores every known item; unknown types (attachment, check_in, profile, log, …) are accepted and dropped, like Relay.</summary>
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

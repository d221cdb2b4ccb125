using System.Text.Json;
using SentryRunbook.Sandbox.Model;
using static SentryRunbook.Sandbox.Ingest.ProtocolJson;

namespace SentryRunbook.Sandbox.Ingest;

/// <summary>Transactions, spans (transaction children and span streaming v1/v2), sessions and session aggregates.</summary>
public static class TelemetryNormalizer
{
    /// <summary>A transaction event: the segment plus its child spans (the segment is a span too, flagged).</summary>
    public static (TransactionRecord Transaction, IReadOnlyList<SpanRecord> Spans) Transaction(JsonElement root, IngestContext ctx)
    {
        var project = ctx.Project;
        var trace = Get(root, "contexts") is { } contexts ? Get(contexts, "trace") : null;
        var end = Time(root, "timestamp") ?? ctx.Received;
        var start = Time(root, "start_timestamp") ?? end;
        var release = Str(root, "release");
        var environment = Str(root, "environment");
        var traceId = trace is { } t1 ? Str(t1, "trace_id") : null;
        var spanId = trace is { } t2 ? Str(t2, "span_id") : null;
        var op = trace is { } t3 ? Str(t3, "op") : null;
        var status = trace is { } t4 ? Str(t4, "status") : null;
        var name = Str(root, "transaction") ?? "<unlabeled transaction>";
        var transaction = new TransactionRecord(
            EventNormalizer.EventId(root, ctx), project, traceId, spanId, name, op, start, (end - start).TotalMilliseconds, status,
            release, environment, EventNormalizer.ReadUser(Get(root, "user"), ctx.ClientIp), Pairs(Get(root, "tags")),
            Str(root, "platform") ?? "other", ctx.Received);

        var spans = new List<SpanRecord>
        {
            new(project, traceId, spanId ?? transaction.EventId[..16], null, spanId, name, op, start, transaction.DurationMs, status, true, release, environment),
        };
        foreach (var s in Values(Get(root, "spans")))
        {
            var spanStart = Time(s, "start_timestamp") ?? start;
            var spanEnd = Time(s, "timestamp") ?? spanStart;
            spans.Add(new SpanRecord(project, Str(s, "trace_id") ?? traceId, Str(s, "span_id") ?? "", Str(s, "parent_span_id"), spanId,
                Str(s, "description"), Str(s, "op"), spanStart, (spanEnd - spanStart).TotalMilliseconds, Str(s, "status"), false, release, environment));
        }
        return (transaction, spans);
    }

    /// <summary>
    /// A `span` item: either span streaming v2 (`{"version":2,"items":[…]}` with typed attributes) or a
    /// single v1 span. Segments (`is_segment: true`) also become transactions.
    /// </summary>
    public static (IReadOnlyList<SpanRecord> Spans, IReadOnlyList<TransactionRecord> Segments) Spans(JsonElement root, IngestContext ctx)
    {
        var trace = ctx.EnvelopeHeader is { } h ? Get(h, "trace") : null;
        var defaultRelease = trace is { } t1 ? Str(t1, "release") : null;
        var defaultEnvironment = trace is { } t2 ? Str(t2, "environment") : null;
        var spans = new List<SpanRecord>();
        var segments = new List<TransactionRecord>();
        IEnumerable<JsonElement> items = Get(root, "items") is { ValueKind: JsonValueKind.Array } list ? list.EnumerateArray() : [root];
        foreach (var s in items)
        {
            var attributes = Get(s, "attributes") ?? Get(s, "data");
            string? Attr(string key) => attributes is { } a && Get(a, key) is { } v
                ? v.ValueKind == JsonValueKind.Object ? Str(v, "value") : AsString(v)
                : null;

            var start = Time(s, "start_timestamp") ?? ctx.Received;
            var end = Time(s, "end_timestamp") ?? Time(s, "timestamp") ?? start;
            var duration = (end - start).TotalMilliseconds;
            var isSegment = Bool(s, "is_segment") ?? false;
            var name = Str(s, "name") ?? Str(s, "description");
            var op = Str(s, "op") ?? Attr("sentry.op");
            var release = Attr("sentry.release") ?? defaultRelease;
            var environment = Attr("sentry.environment") ?? defaultEnvironment;
            var spanId = Str(s, "span_id") ?? "";
            var traceId = Str(s, "trace_id");
            spans.Add(new SpanRecord(ctx.Project, traceId, spanId, Str(s, "parent_span_id"), Str(s, "segment_id") ?? Attr("sentry.segment.id"),
                name, op, start, duration, Str(s, "status"), isSegment, release, environment));
            if (!isSegment) continue;
            var userId = Attr("user.id");
            var email = Attr("user.email");
            var username = Attr("user.name");
            var user = userId is null && email is null && username is null ? null : new EventUser(userId, email, username, null, null, null);
            segments.Add(new TransactionRecord(Guid.NewGuid().ToString("N"), ctx.Project, traceId, spanId, Attr("sentry.segment.name") ?? name ?? "<unlabeled transaction>",
                op, start, duration, Str(s, "status"), release, environment, user, [], Attr("sentry.sdk.name") is { } sdk && sdk.Contains("node", StringComparison.Ordinal) ? "node" : "other",
                ctx.Received));
        }
        return (spans, segments);
    }

    public static SessionUpdate Session(JsonElement root, IngestContext ctx)
    {
        var attrs = Get(root, "attrs");
        var timestamp = Time(root, "timestamp") ?? ctx.Received;
        return new SessionUpdate(
            ctx.Project,
            Str(root, "sid") ?? Guid.NewGuid().ToString("N"),
            Str(root, "did"),
            Bool(root, "init") ?? false,
            Time(root, "started") ?? timestamp,
            timestamp,
            Str(root, "status") ?? "ok",
            Int(root, "errors") ?? 0,
            attrs is { } a1 ? Str(a1, "release") : null,
            attrs is { } a2 ? Str(a2, "environment") : null,
            Double(root, "duration"),
            Long(root, "seq"));
    }

    public static IEnumerable<SessionAggregate> Aggregates(JsonElement root, IngestContext ctx)
    {
        var attrs = Get(root, "attrs");
        var release = attrs is { } a1 ? Str(a1, "release") : null;
        var environment = attrs is { } a2 ? Str(a2, "environment") : null;
        foreach (var bucket in Values(Get(root, "aggregates")))
        {
            yield return new SessionAggregate(ctx.Project, Time(bucket, "started") ?? ctx.Received, Str(bucket, "did"),
                Int(bucket, "exited") ?? 0, Int(bucket, "errored") ?? 0, Int(bucket, "crashed") ?? 0, Int(bucket, "abnormal") ?? 0,
                release, environment);
        }
    }

    /// <summary>The number of items a client report says were dropped.</summary>
    public static long Discarded(JsonElement root) =>
        Values(Get(root, "discarded_events")).Sum(d => Long(d, "quantity") ?? 0);
}

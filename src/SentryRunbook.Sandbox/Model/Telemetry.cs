namespace SentryRunbook.Sandbox.Model;

/// <summary>
/// A transaction, i.e. a segment span (`is_transaction:true` in the spans dataset). Also made from a
/// streamed span with `is_segment: true`, so span-first SDKs count the same as transaction SDKs.
/// </summary>
public sealed record TransactionRecord(
    string EventId,
    Project Project,
    string? TraceId,
    string? SpanId,
    string Name,
    string? Op,
    DateTimeOffset Start,
    double DurationMs,
    string? Status,
    string? Release,
    string? Environment,
    EventUser? User,
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    string Platform,
    DateTimeOffset Received)
{
    public DateTimeOffset Timestamp => Start.AddMilliseconds(DurationMs);
}

/// <summary>Any span received: children of a transaction and streamed spans (segments included, flagged).</summary>
public sealed record SpanRecord(
    Project Project,
    string? TraceId,
    string SpanId,
    string? ParentSpanId,
    string? SegmentId,
    string? Name,
    string? Op,
    DateTimeOffset Start,
    double DurationMs,
    string? Status,
    bool IsSegment,
    string? Release,
    string? Environment);

/// <summary>One session update as an SDK sends it; the latest update per `sid` is the session's state.</summary>
public sealed record SessionUpdate(
    Project Project,
    string Sid,
    string? Did,
    bool Init,
    DateTimeOffset Started,
    DateTimeOffset Timestamp,
    string Status,
    int Errors,
    string? Release,
    string? Environment,
    double? Duration,
    long? Seq);

/// <summary>A pre-aggregated `sessions` item bucket: sessions started in one minute, by final state.</summary>
public sealed record SessionAggregate(
    Project Project,
    DateTimeOffset Started,
    string? Did,
    int Exited,
    int Errored,
    int Crashed,
    int Abnormal,
    string? Release,
    string? Environment)
{
    public int Total => Exited + Errored + Crashed + Abnormal;
}

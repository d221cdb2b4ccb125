using System.Globalization;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Query;

/// <summary>
/// One row Discover and events-stats query: an error event, a transaction (a segment span) or a child
/// span. A struct over the stored records, so scanning 100k events allocates nothing per row.
/// </summary>
public readonly struct QueryRow
{
    public QueryRow(ErrorEvent e) => (Error, Transaction, Span) = (e, null, null);
    public QueryRow(TransactionRecord t) => (Error, Transaction, Span) = (null, t, null);
    public QueryRow(SpanRecord s) => (Error, Transaction, Span) = (null, null, s);

    public ErrorEvent? Error { get; }
    public TransactionRecord? Transaction { get; }
    public SpanRecord? Span { get; }

    public Project Project => Error?.Project ?? Transaction?.Project ?? Span!.Project;

    /// <summary>Error events: when it happened; transactions and spans: when they ended (Sentry's `timestamp`).</summary>
    public DateTimeOffset Timestamp => Error?.Timestamp ?? Transaction?.Timestamp ?? Span!.Start.AddMilliseconds(Span.DurationMs);

    public double? Duration => Transaction?.DurationMs ?? Span?.DurationMs;

    public string? Release => Error?.Release ?? Transaction?.Release ?? Span?.Release;
    public string? Environment => Error?.Environment ?? Transaction?.Environment ?? Span?.Environment;

    /// <summary>The `user` value and distinct-user key (id:…, email:…, …).</summary>
    public string? User => Error?.User?.Tag ?? Transaction?.User?.Tag;

    private EventUser? UserObject => Error?.User ?? Transaction?.User;

    private string? Status => Transaction?.Status ?? Span?.Status;

    /// <summary>Sentry's failure_rate(): any status other than ok, cancelled and unknown counts as a failure.</summary>
    public bool IsFailure => Status is { } s && s is not ("ok" or "cancelled" or "unknown" or "unknown_error");

    private IReadOnlyList<KeyValuePair<string, string>> Tags => Error?.Tags ?? Transaction?.Tags ?? [];

    public string? Tag(string key)
    {
        foreach (var (k, v) in Tags)
            if (k == key) return v;
        return key switch
        {
            // Tags Sentry derives for every row, so `tag[environment]` matches `environment`.
            "environment" => Environment,
            "release" => Release,
            "user" => User,
            "transaction" => Error?.Transaction ?? Transaction?.Name,
            _ => null,
        };
    }

    /// <summary>The value of a known field (see <see cref="FieldCatalog"/>): string, long, double, bool, DateTimeOffset or null.</summary>
    public object? Get(string field) => field switch
    {
        "id" => Error?.EventId ?? Transaction?.EventId ?? Span!.SpanId,
        "project" or "project.name" => Project.Slug,
        "project.id" => long.Parse(Project.Id, CultureInfo.InvariantCulture),
        "release" => Release,
        "environment" => Environment,
        "timestamp" => Timestamp,
        "platform" => Error?.Platform ?? Transaction?.Platform ?? Span!.Project.Platform,
        "user" => User,
        "user.id" => UserObject?.Id,
        "user.email" => UserObject?.Email,
        "user.username" => UserObject?.Username,
        "user.ip" => UserObject?.IpAddress,
        "user.display" => UserObject is { } u ? u.Email ?? u.Username ?? u.Id ?? u.IpAddress : null,
        "event.type" => Error?.Type ?? "transaction",
        "title" => Error?.Title ?? Transaction?.Name ?? Span!.Name,
        "message" => Error is { } e ? e.Message ?? e.Title : Transaction?.Name ?? Span!.Name,
        "transaction" => Error?.Transaction ?? Transaction?.Name ?? SegmentName(),
        "trace" => Error is { } error ? error.TraceId : Transaction?.TraceId ?? Span!.TraceId,
        "issue" => Error?.Issue.ShortId,
        "issue.id" => Error?.Issue.Id,
        "level" => Error?.Level,
        "culprit" => Error?.Culprit,
        "location" => Error?.Culprit,
        "error.type" => Error?.MainException?.Type,
        "error.value" => Error?.MainException?.Value,
        "error.unhandled" => Error?.IsUnhandled,
        "transaction.duration" or "span.duration" => Duration,
        "transaction.op" => Transaction?.Op,
        "transaction.status" => Transaction?.Status,
        "span.op" => Transaction?.Op ?? Span?.Op,
        "span.description" => Transaction?.Name ?? Span?.Name,
        "span.status" => Status,
        "span_id" => Transaction?.SpanId ?? Span?.SpanId,
        "is_transaction" => Transaction is not null,
        _ => null,
    };

    private string? SegmentName() => Span?.Name;

    /// <summary>A value as a search/grouping string (numbers invariant, dates ISO).</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        DateTimeOffset d => DiscoverWire.Timestamp(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

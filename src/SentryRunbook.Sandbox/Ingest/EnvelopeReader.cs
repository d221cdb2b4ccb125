using System.Text.Json;

namespace SentryRunbook.Sandbox.Ingest;

public sealed record EnvelopeItem(string Type, JsonElement Header, ReadOnlyMemory<byte> Payload);

public sealed record Envelope(JsonElement Header, IReadOnlyList<EnvelopeItem> Items);

/// <summary>
/// Parses Sentry's envelope format: a JSON header line, then items, each a JSON header line and a
/// payload. With `length` the payload is exactly that many bytes (it may contain newlines); without
/// it the payload runs to the next newline or the end. A missing final newline is fine.
/// </summary>
public static class EnvelopeReader
{
    public static Envelope Parse(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var pos = 0;
        var header = ParseJson(Line(span, ref pos), "envelope header");
        var items = new List<EnvelopeItem>();
        while (pos < span.Length)
        {
            // Blank lines between items carry nothing (some senders end every payload with an extra newline).
            if (span[pos] == (byte)'\n' || span[pos] == (byte)'\r')
            {
                pos++;
                continue;
            }
            var itemHeader = ParseJson(Line(span, ref pos), "item header");
            var type = ProtocolJson.Str(itemHeader, "type") ?? throw new FormatException("item header without a type");
            ReadOnlyMemory<byte> payload;
            if (ProtocolJson.Long(itemHeader, "length") is { } length)
            {
                if (length < 0 || pos + length > span.Length) throw new FormatException($"{type} item is shorter than its length {length}");
                payload = body.Slice(pos, (int)length);
                pos += (int)length;
                if (pos < span.Length && span[pos] == (byte)'\r') pos++;
                if (pos < span.Length && span[pos] == (byte)'\n') pos++;
            }
            else
            {
                var start = pos;
                var line = Line(span, ref pos);
                payload = body.Slice(start, line.Length);
            }
            items.Add(new EnvelopeItem(type, itemHeader, payload));
        }
        return new Envelope(header, items);
    }

    /// <summary>The bytes up to the next newline (excluded, as is a trailing CR); moves past the newline.</summary>
    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> span, ref int pos)
    {
        var rest = span[pos..];
        var newline = rest.IndexOf((byte)'\n');
        var line = newline < 0 ? rest : rest[..newline];
        pos += newline < 0 ? rest.Length : newline + 1;
        return line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
    }

    private static JsonElement ParseJson(ReadOnlySpan<byte> line, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"{what} is not a JSON object");
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{what} is not valid JSON: {ex.Message}", ex);
        }
    }
}

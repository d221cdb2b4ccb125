using System.Globalization;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Ingest;

/// <summary>Lenient readers for SDK protocol JSON: SDKs differ in how they spell the same value.</summary>
public static class ProtocolJson
{
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A string; numbers and booleans come back as their text (ids and tag values are often numbers).</summary>
    public static string? Str(JsonElement obj, string name) => Get(obj, name) is { } v ? AsString(v) : null;

    public static string? AsString(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static int? Int(JsonElement obj, string name) =>
        Get(obj, name) is { } v && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? (int)d
        : Get(obj, name) is { ValueKind: JsonValueKind.String } s && int.TryParse(s.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
        : null;

    public static long? Long(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetDouble(out var d) ? (long)d : null;

    public static double? Double(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetDouble(out var d) ? d : null;

    public static bool? Bool(JsonElement obj, string name) => Get(obj, name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s => s.GetString() switch { "true" => true, "false" => false, _ => null },
        _ => null,
    };

    /// <summary>The raw JSON text of an object/array member (kept verbatim, printed back later).</summary>
    public static string? Raw(JsonElement obj, string name) =>
        Get(obj, name) is { } v && v.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? v.GetRawText() : null;

    /// <summary>Timestamps arrive as RFC 3339 strings (any offset, any precision) or as float Unix seconds.</summary>
    public static DateTimeOffset? Time(JsonElement obj, string name) => Get(obj, name) is { } v ? AsTime(v) : null;

    public static DateTimeOffset? AsTime(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var seconds))
            return DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        if (v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t.ToUniversalTime();
        return null;
    }

    /// <summary>A list that SDKs send either bare or wrapped as `{"values": [...]}`.</summary>
    public static IEnumerable<JsonElement> Values(JsonElement? v)
    {
        if (v is not { } e) return [];
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("values", out var inner)) e = inner;
        return e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : [];
    }

    /// <summary>Key/value pairs from an object, a list of `[k, v]` pairs, or (for query strings and cookies) text.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(JsonElement? v, char separator = '&')
    {
        if (v is not { } e) return [];
        var list = new List<KeyValuePair<string, string>>();
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                    if (AsString(p.Value) is { } s) list.Add(new(p.Name, s));
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() < 2) continue;
                    if (AsString(item[0]) is { } k && AsString(item[1]) is { } val) list.Add(new(k, val));
                }
                break;
            case JsonValueKind.String:
                foreach (var part in (e.GetString() ?? "").TrimStart('?').Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var eq = part.IndexOf('=', StringComparison.Ordinal);
                    list.Add(eq < 0 ? new(part, "") : new(part[..eq], Uri.UnescapeDataString(part[(eq + 1)..])));
                }
                break;
        }
        return list;
    }

    public static IReadOnlyList<string> Strings(JsonElement? v) =>
        v is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(AsString).OfType<string>().ToArray() : [];
}

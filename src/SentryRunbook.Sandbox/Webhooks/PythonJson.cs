using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SentryRunbook.Sandbox.Webhooks;

/// <summary>
/// JSON as Sentry's Python writes webhook bodies (json.dumps with its defaults): keys in insertion order,
/// ", " between items and ": " after keys, every character outside printable ASCII escaped as a lowercase
/// \uXXXX (astral characters as a surrogate pair), floats as Python's repr (1.0, not 1). Receivers sign
/// and verify these exact bytes, so they must be Python's, not System.Text.Json's.
/// </summary>
public static class PythonJson
{
    public static string Dumps(JsonNode? node)
    {
        var text = new StringBuilder();
        Write(text, node);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                return;
            case JsonObject o:
            {
                text.Append('{');
                var first = true;
                foreach (var (key, value) in o)
                {
                    if (!first) text.Append(", ");
                    first = false;
                    String(text, key);
                    text.Append(": ");
                    Write(text, value);
                }
                text.Append('}');
                return;
            }
            case JsonArray a:
            {
                text.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    Write(text, a[i]);
                }
                text.Append(']');
                return;
            }
            case JsonValue v:
                Value(text, v);
                return;
        }
    }

    private static void Value(StringBuilder text, JsonValue v)
    {
        if (v.TryGetValue<string>(out var s)) { String(text, s); return; }
        if (v.TryGetValue<bool>(out var b)) { text.Append(b ? "true" : "false"); return; }
        if (v.TryGetValue<int>(out var i)) { text.Append(i.ToString(CultureInfo.InvariantCulture)); return; }
        if (v.TryGetValue<long>(out var l)) { text.Append(l.ToString(CultureInfo.InvariantCulture)); return; }
        if (v.TryGetValue<double>(out var d)) { text.Append(Float(d)); return; }
        if (v.TryGetValue<decimal>(out var m)) { text.Append(Float((double)m)); return; }
        if (v.TryGetValue<JsonElement>(out var e))
        {
            // Parsed JSON (contexts, extra): re-walk it so its strings, numbers and spacing follow Python's rules too.
            switch (e.ValueKind)
            {
                case JsonValueKind.Number: Write(text, e.TryGetInt64(out var n) ? JsonValue.Create(n) : JsonValue.Create(e.GetDouble())); return;
                case JsonValueKind.String: String(text, e.GetString()!); return;
                case JsonValueKind.True: text.Append("true"); return;
                case JsonValueKind.False: text.Append("false"); return;
                case JsonValueKind.Null: text.Append("null"); return;
                default: Write(text, JsonNode.Parse(e.GetRawText())); return;
            }
        }
        // Any other CLR value (float, uint, DateTime...): its JSON text, parsed back, is handled above.
        Write(text, JsonNode.Parse(v.ToJsonString()));
    }

    /// <summary>Python's float repr: the shortest round-trip digits, always with a fraction or an exponent (exact for the magnitudes webhooks carry; .NET turns to exponents at 1e15, Python at 1e16).</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "Infinity";
        if (double.IsNegativeInfinity(d)) return "-Infinity";
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var exponent = r.IndexOf('E');
        if (exponent >= 0)
        {
            // .NET: 1E+16, 1.5E-07; Python: 1e+16, 1.5e-07.
            var mantissa = r[..exponent];
            var power = int.Parse(r[(exponent + 1)..], CultureInfo.InvariantCulture);
            return mantissa + "e" + (power < 0 ? "-" : "+") + Math.Abs(power).ToString("00", CultureInfo.InvariantCulture);
        }
        return r.Contains('.') ? r : r + ".0";
    }

    private static void String(StringBuilder text, string s)
    {
        text.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~') text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}

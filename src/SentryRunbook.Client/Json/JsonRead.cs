using System;
using System.Globalization;
using System.Text.Json;

namespace SentryRunbook.Client.Json
{
    /// <summary>
    /// Tolerant readers for Sentry's JSON: ids and counts come as strings or numbers depending on the
    /// endpoint and server version, almost anything can be null, and new fields appear all the time.
    /// </summary>
    internal static class JsonRead
    {
        public static JsonElement? Property(this JsonElement element, string name) =>
            element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
                ? value
                : (JsonElement?)null;

        public static string? String(this JsonElement element, string name)
        {
            JsonElement? value = element.Property(name);
            if (value is null) return null;
            return value.Value.ValueKind switch
            {
                JsonValueKind.String => value.Value.GetString(),
                JsonValueKind.Number => value.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
        }

        public static long Int64(this JsonElement element, string name, long fallback = 0) =>
            AsInt64(element.Property(name)) ?? fallback;

        public static long? AsInt64(JsonElement? value)
        {
            if (value is null) return null;
            JsonElement v = value.Value;
            if (v.ValueKind == JsonValueKind.Number)
            {
                if (v.TryGetInt64(out long whole)) return whole;
                if (v.TryGetDouble(out double real)) return (long)real;
            }

            if (v.ValueKind == JsonValueKind.String
                && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed))
            {
                return parsed;
            }

            return null;
        }

        public static bool Bool(this JsonElement element, string name) =>
            element.Property(name) is JsonElement value && value.ValueKind == JsonValueKind.True;

        /// <summary>ISO-8601 with 0, 3 or 6 fractional digits, with <c>Z</c> or an offset; naive times are UTC.</summary>
        public static DateTimeOffset? Date(this JsonElement element, string name)
        {
            string? text = element.String(name);
            if (text is null) return null;
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset parsed)
                ? parsed.ToUniversalTime()
                : (DateTimeOffset?)null;
        }
    }
}

namespace SentryRunbook.Client.Json
{
    using System.Collections.Generic;
    using System.Globalization;
    using System.Text.Json;

    internal static class JsonFlatten
    {
        /// <summary>A JSON value as text: strings as they are, other scalars as written, objects and arrays as compact JSON.</summary>
        public static string Text(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? string.Empty,
            JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
            _ => value.GetRawText(),
        };

        /// <summary>An object's properties as text values; anything else as an empty map.</summary>
        public static IReadOnlyDictionary<string, string> Map(JsonElement? value)
        {
            var map = new Dictionary<string, string>(System.StringComparer.Ordinal);
            if (value is JsonElement element && element.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.Null) map[property.Name] = Text(property.Value);
                }
            }

            return map;
        }

        /// <summary>ISO-8601 strings (REST) or float seconds (raw events, webhooks).</summary>
        public static System.DateTimeOffset? Timestamp(JsonElement? value)
        {
            if (value is not JsonElement v) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double seconds))
            {
                return System.DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
            }

            if (v.ValueKind == JsonValueKind.String
                && System.DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out System.DateTimeOffset parsed))
            {
                return parsed.ToUniversalTime();
            }

            return null;
        }

        public static double? Double(JsonElement? value)
        {
            if (value is not JsonElement v) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double number)) return number;
            if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)) return parsed;
            return null;
        }
    }
}

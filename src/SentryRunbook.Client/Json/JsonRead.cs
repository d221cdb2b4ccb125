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

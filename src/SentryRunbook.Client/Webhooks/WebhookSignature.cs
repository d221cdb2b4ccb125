using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SentryRunbook.Client.Webhooks
{
    /// <summary>
    /// Sentry's webhook signature: lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the
    /// integration's client secret as UTF-8 (REFERENCE.md §12). Computed over the bytes received, never a
    /// re-serialisation: Sentry writes the body with Python's json.dumps and .NET would write other bytes.
    /// </summary>
    public static class WebhookSignature
    {
        public static string Compute(byte[] body, string secret)
        {
            using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
            byte[] hash = hmac.ComputeHash(body);
            var hex = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }

        /// <summary>
        /// True when <paramref name="signature"/> is the body's signature. The comparison takes the same time
        /// wherever the first differing byte is, so a caller cannot learn the signature byte by byte.
        /// </summary>
        public static bool Matches(byte[] body, string secret, string? signature)
        {
            if (signature is null) return false;
            byte[]? given = ParseHex(signature.Trim());
            if (given is null) return false;

            byte[] expected;
            using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret))) expected = hmac.ComputeHash(body);
            if (given.Length != expected.Length) return false;

            int difference = 0;
            for (int i = 0; i < expected.Length; i++) difference |= expected[i] ^ given[i];
            return difference == 0;
        }

        private static byte[]? ParseHex(string text)
        {
            if (text.Length == 0 || text.Length % 2 != 0) return null;
            var bytes = new byte[text.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                int high = HexValue(text[2 * i]);
                int low = HexValue(text[2 * i + 1]);
                if (high < 0 || low < 0) return null;
                bytes[i] = (byte)((high << 4) | low);
            }

            return bytes;
        }

        private static int HexValue(char c) =>
            c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1;
    }
}

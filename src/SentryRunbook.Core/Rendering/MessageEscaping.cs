using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SentryRunbook.Rendering
{
    /// <summary>
    /// Makes untrusted event text (exception messages, titles, anything a user or attacker can put into
    /// Sentry) safe for each target. Every value is first <see cref="Clean"/>ed; each target then escapes
    /// it for its own markup:
    /// <list type="bullet">
    /// <item>Text: no markup at all; cleaning is enough.</item>
    /// <item>Markdown (and the Teams Adaptive Card, whose TextBlock and FactSet speak a Markdown subset):
    /// every Markdown punctuation character is backslash-escaped, which CommonMark renders as the character
    /// itself; escaping <c>&lt;</c> and <c>&gt;</c> stops raw HTML (<c>&lt;script&gt;</c>) and Teams'
    /// <c>&lt;at&gt;</c> mention syntax; broadcast mentions (<c>@here</c>, <c>@channel</c>, <c>@everyone</c>)
    /// get a zero-width joiner after the <c>@</c>.</item>
    /// <item>Slack mrkdwn: Slack has no backslash escapes. <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> become
    /// <c>&amp;amp;</c>, <c>&amp;lt;</c>, <c>&amp;gt;</c> (Slack's own rule), which defuses <c>&lt;!channel&gt;</c>,
    /// <c>&lt;@U123&gt;</c> and <c>&lt;http://x|y&gt;</c>; bare broadcast mentions get a zero-width joiner
    /// (U+200D) after the <c>@</c>; and each formatting character <c>* _ ~ `</c> is wrapped in zero-width
    /// spaces (U+200B), so it never touches the text it would format and Slack does not treat it as a
    /// delimiter. The text objects are also sent with <c>verbatim: true</c>, so Slack does not auto-link
    /// channel names, mentions or URLs in them. Values are shown unchanged to the eye.</item>
    /// <item>JSON (PagerDuty, webhook): the writer's escaping is enough.</item>
    /// </list>
    /// </summary>
    internal static class MessageEscaping
    {
        internal const char ZeroWidthJoiner = '\u200D';
        internal const char ZeroWidthSpace = '\u200B';
        private const string MarkdownSpecials = "\\`*_{}[]()#+-.!|<>&~";

        private static readonly Regex BroadcastMention = new Regex(
            @"@(?=(here|channel|everyone|all)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>
        /// Line breaks and tabs become spaces, other control characters and bidirectional overrides are
        /// dropped, a lone surrogate becomes U+FFFD, and the result is trimmed; empty becomes null.
        /// </summary>
        internal static string? Clean(string? value)
        {
            if (value is null) return null;
            var sb = new StringBuilder(value.Length);
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '\r' || c == '\n' || c == '\t')
                {
                    if (c == '\r' && i + 1 < value.Length && value[i + 1] == '\n') i++;
                    sb.Append(' ');
                }
                else if (char.IsControl(c) || IsBidiControl(c))
                {
                    // dropped
                }
                else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    sb.Append(c).Append(value[++i]);
                }
                else
                {
                    sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                }
            }

            string cleaned = sb.ToString().Trim();
            return cleaned.Length == 0 ? null : cleaned;
        }

        /// <summary>Backslash-escapes Markdown punctuation and defuses broadcast mentions.</summary>
        internal static string Markdown(string value, int maxLength = int.MaxValue) =>
            Escape(NeutraliseMentions(value), c => MarkdownSpecials.IndexOf(c) >= 0 ? "\\" + c : null, maxLength);

        /// <summary>HTML and XML text or attribute value: entity-escapes &amp; &lt; &gt; &quot; and &#39;.</summary>
        internal static string Html(string value, int maxLength = int.MaxValue) =>
            Escape(value, HtmlPiece, maxLength);

        /// <summary>Slack mrkdwn: entity-escapes &amp; &lt; &gt;, defuses mentions, fences * _ ~ ` with zero-width spaces.</summary>
        internal static string Slack(string value, int maxLength = int.MaxValue) =>
            Escape(NeutraliseMentions(value), SlackPiece, maxLength);

        /// <summary>A URL inside Slack's <c>&lt;url|label&gt;</c>: the characters that would end or split the link are percent-encoded.</summary>
        internal static string SlackUrl(string url) =>
            url.Replace("&", "&amp;").Replace("<", "%3C").Replace(">", "%3E").Replace("|", "%7C");

        /// <summary>A URL inside a Markdown link destination: characters that end or break it are percent-encoded.</summary>
        internal static string MarkdownUrl(string url)
        {
            var sb = new StringBuilder(url.Length);
            foreach (char c in url)
            {
                if (c == '(' || c == ')' || c == '<' || c == '>' || c == ' ' || c == '"' || c == '`' || c == '\\' || c == '[' || c == ']' || c == '|')
                {
                    sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }

        /// <summary>An absolute http or https URL without spaces or control characters, else null: only such links are rendered as links.</summary>
        internal static string? SafeUrl(string? url)
        {
            if (url is null || url.Length > 2000) return null;
            foreach (char c in url)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c)) return null;
            }

            return Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? url : null;
        }

        /// <summary>Cuts plain text to at most <paramref name="maxLength"/> characters, ending with an ellipsis, never inside a surrogate pair.</summary>
        internal static string Clip(string value, int maxLength) => Escape(value, _ => null, maxLength);

        private static string? HtmlPiece(char c)
        {
            switch (c)
            {
                case '&':
                    return "&amp;";
                case '<':
                    return "&lt;";
                case '>':
                    return "&gt;";
                case '"':
                    return "&quot;";
                case '\'':
                    return "&#39;";
                default:
                    return null;
            }
        }

        private static string? SlackPiece(char c)
        {
            switch (c)
            {
                case '&':
                    return "&amp;";
                case '<':
                    return "&lt;";
                case '>':
                    return "&gt;";
                case '*':
                case '_':
                case '~':
                case '`':
                    return new string(new[] { ZeroWidthSpace, c, ZeroWidthSpace });
                default:
                    return null;
            }
        }

        private static string NeutraliseMentions(string value) => BroadcastMention.Replace(value, "@" + ZeroWidthJoiner);

        private static bool IsBidiControl(char c) => (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

        /// <summary>Maps each character (null: kept as is) and stops, with an ellipsis, before the result would exceed the limit.</summary>
        private static string Escape(string value, Func<char, string?> map, int maxLength)
        {
            var sb = new StringBuilder(value.Length + 16);
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                string piece = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                    ? value.Substring(i++, 2)
                    : map(c) ?? c.ToString();

                bool last = i == value.Length - 1;
                if (sb.Length + piece.Length > (last ? maxLength : maxLength - 1))
                {
                    sb.Append('\u2026');
                    break;
                }

                sb.Append(piece);
            }

            return sb.ToString();
        }
    }
}

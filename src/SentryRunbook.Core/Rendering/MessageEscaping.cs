using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace SentryRunbook.Rendering
{
    /// <summary>
    /// Makes untrusted event text (exception messages, titles, anything a user or attacker can put into
    /// Sentry) safe for each target. Every value is first <see cref="Clean"/>ed (one line, no control
    /// characters); each target then neutralises only what its own markup would act on, so identifiers
    /// such as <c>auth-api@5.0.0</c> stay readable and searchable:
    /// <list type="bullet">
    /// <item>Text: no markup at all; cleaning is enough.</item>
    /// <item>Markdown (CommonMark with GitHub's extensions), for documents people read and edit: a backslash
    /// before <c>\ ` * [ ] &lt; &gt; ~ $</c> always (<c>&gt;</c> too: a parser that links bare URLs before it reads
    /// escapes could otherwise swallow the backslash of <c>\&lt;</c>), before <c>_</c> unless it sits inside a word (CommonMark never
    /// emphasises there), before <c>&amp;</c> when it could start an entity, before a trailing <c>#</c> run (a heading's
    /// closing sequence), and before a block marker (<c># &gt; - + = 1.</c>) when the value starts a line. Broadcast
    /// mentions (<c>@here</c>, <c>@channel</c>, <c>@everyone</c>) get a zero-width joiner after the <c>@</c>.</item>
    /// <item>Teams Adaptive Cards: TextBlock and Fact values render a Markdown subset only, bold, italic,
    /// bullet and numbered lists and <c>[text](url)</c> links; HTML is not rendered (Microsoft's "Text formatting in
    /// cards"). Teams' clients disagree on backslashes: desktop honours CommonMark's escapes, the mobile
    /// renderers show the backslash (AdaptiveCards issues 5590, msteams-docs 5793, the cause of
    /// <c>crash\-free sessions at 98\.5%</c>), and the shared renderer links <c>\[x](y)</c> anyway. So Teams gets
    /// a backslash only before an emphasis character that is not inside a word, and zero-width spaces (U+200B) that
    /// split the other constructs invisibly: between <c>]</c> and <c>(</c>, after <c>&lt;</c>, after an entity's
    /// <c>&amp;</c>, after a backslash that would escape, and before a list marker that starts a value.</item>
    /// <item>Slack mrkdwn: Slack has no backslash escapes. <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> become
    /// <c>&amp;amp;</c>, <c>&amp;lt;</c>, <c>&amp;gt;</c> (Slack's own rule), which defuses <c>&lt;!channel&gt;</c>,
    /// <c>&lt;@U123&gt;</c> and <c>&lt;http://x|y&gt;</c>; bare broadcast mentions get a zero-width joiner
    /// (U+200D) after the <c>@</c>; and a formatting character <c>* _ ~ `</c> is wrapped in zero-width spaces
    /// (U+200B) so that Slack does not treat it as a delimiter, except an <c>_</c> inside a word (<c>user_id</c>),
    /// which Slack never formats. The text objects are also sent with <c>verbatim: true</c>, so Slack does not
    /// auto-link channel names, mentions or URLs in them. Values are shown unchanged to the eye.</item>
    /// <item>JSON (PagerDuty, webhook): the writer's escaping is enough.</item>
    /// </list>
    /// </summary>
    internal static class MessageEscaping
    {
        internal const char ZeroWidthJoiner = '\u200D';
        internal const char ZeroWidthSpace = '\u200B';
        /// <summary>Characters CommonMark or GitHub act on wherever they stand.</summary>
        private const string MarkdownAlwaysEscaped = "\\`*[]<>~$";

        /// <summary>Characters that open a block (heading, quote, list, setext underline) when they start a line.</summary>
        private const string BlockMarkers = "#>-+=*|";

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

        /// <summary>Markdown for documents: a backslash only where the text could become markup (see the class summary).</summary>
        /// <param name="value">Cleaned text.</param>
        /// <param name="maxLength">The longest result, ellipsis included.</param>
        /// <param name="lineStart">True when the value starts a line (a paragraph or list item), where block markers count.</param>
        internal static string Markdown(string value, int maxLength = int.MaxValue, bool lineStart = false)
        {
            string text = NeutraliseMentions(value);
            int listDelimiter = lineStart ? OrderedListDelimiter(text) : -1;
            return Escape(text, (s, i) => MarkdownPiece(s, i, lineStart, listDelimiter), maxLength);
        }

        /// <summary>A Teams Adaptive Card TextBlock or Fact value (see the class summary).</summary>
        /// <param name="value">Cleaned text.</param>
        /// <param name="maxLength">The longest result, ellipsis included.</param>
        /// <param name="lineStart">True when the value starts the TextBlock or Fact value, where list markers count.</param>
        internal static string Teams(string value, int maxLength = int.MaxValue, bool lineStart = false)
        {
            string text = NeutraliseMentions(value);
            bool listMarker = lineStart && text.Length > 0 && (BlockMarkers.IndexOf(text[0]) >= 0 || OrderedListDelimiter(text) > 0);
            return (listMarker ? ZeroWidthSpace.ToString() : string.Empty) + Escape(text, TeamsPiece, maxLength);
        }

        /// <summary>HTML and XML text or attribute value: entity-escapes &amp; &lt; &gt; &quot; and &#39;.</summary>
        internal static string Html(string value, int maxLength = int.MaxValue) =>
            Escape(value, (s, i) => HtmlPiece(s[i]), maxLength);

        /// <summary>Slack mrkdwn: entity-escapes &amp; &lt; &gt;, defuses mentions, fences * _ ~ ` with zero-width spaces where they could format.</summary>
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
        internal static string Clip(string value, int maxLength) => Escape(value, (_, _) => null, maxLength);

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

        private static string? SlackPiece(string s, int i)
        {
            char c = s[i];
            switch (c)
            {
                case '&':
                    return "&amp;";
                case '<':
                    return "&lt;";
                case '>':
                    return "&gt;";
                case '_':
                    return InsideWord(s, i) ? null : Fenced(c);
                case '*':
                case '~':
                case '`':
                    return Fenced(c);
                default:
                    return null;
            }
        }

        private static string Fenced(char c) => new string(new[] { ZeroWidthSpace, c, ZeroWidthSpace });

        private static string? MarkdownPiece(string s, int i, bool lineStart, int listDelimiter)
        {
            char c = s[i];
            if (MarkdownAlwaysEscaped.IndexOf(c) >= 0) return "\\" + c;
            if (i == 0 && lineStart && BlockMarkers.IndexOf(c) >= 0) return "\\" + c;
            if (i == listDelimiter) return "\\" + c;
            switch (c)
            {
                case '_':
                    return InsideWord(s, i) ? null : "\\_";
                case '&':
                    return StartsEntity(s, i) ? "\\&" : null;
                case '#':
                    // A heading's closing sequence: a run of # at the end, after a space, would be dropped.
                    return (i == 0 || char.IsWhiteSpace(s[i - 1])) && s.Substring(i).TrimEnd().All(ch => ch == '#') ? "\\#" : null;
                default:
                    return null;
            }
        }

        private static string? TeamsPiece(string s, int i)
        {
            char c = s[i];
            bool hasNext = i + 1 < s.Length;
            switch (c)
            {
                case '*':
                    return "\\*";
                case '_':
                    return InsideWord(s, i) ? null : "\\_";
                case ']':
                    return hasNext && s[i + 1] == '(' ? "]" + ZeroWidthSpace : null;
                case '<':
                    return "<" + ZeroWidthSpace;
                case '&':
                    return StartsEntity(s, i) ? "&" + ZeroWidthSpace : null;
                case '\\':
                    return hasNext && IsAsciiPunctuation(s[i + 1]) ? "\\" + ZeroWidthSpace : null;
                default:
                    return null;
            }
        }

        /// <summary>Letters or digits on both sides: CommonMark and Slack never take such an underscore as emphasis.</summary>
        private static bool InsideWord(string s, int i) =>
            i > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i - 1]) && char.IsLetterOrDigit(s[i + 1]);

        /// <summary>An &amp; followed by a letter or #, which could read as an entity (&amp;lt; &amp;#60;).</summary>
        private static bool StartsEntity(string s, int i) => i + 1 < s.Length && (s[i + 1] == '#' || (s[i + 1] < 128 && char.IsLetter(s[i + 1])));

        /// <summary>The index of the . or ) of an ordered-list marker ("1. ", "12) ") at the start, else -1.</summary>
        private static int OrderedListDelimiter(string s)
        {
            int digits = 0;
            while (digits < s.Length && digits < 10 && s[digits] >= '0' && s[digits] <= '9') digits++;
            return digits > 0 && digits < s.Length && (s[digits] == '.' || s[digits] == ')') ? digits : -1;
        }

        private static bool IsAsciiPunctuation(char c) => c < 128 && char.IsPunctuation(c) || c < 128 && char.IsSymbol(c);

        private static string NeutraliseMentions(string value) => BroadcastMention.Replace(value, "@" + ZeroWidthJoiner);

        private static bool IsBidiControl(char c) => (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');

        /// <summary>Maps each character (null: kept as is) and stops, with an ellipsis, before the result would exceed the limit.</summary>
        private static string Escape(string value, Func<string, int, string?> map, int maxLength)
        {
            var sb = new StringBuilder(value.Length + 16);
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                string piece = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                    ? value.Substring(i++, 2)
                    : map(value, i) ?? c.ToString();

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

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SentryRunbook.Rendering
{
    // A small document model, so that the Markdown and the HTML postmortem have the same sections and the
    // same words, and each renderer escapes every piece of text for its own markup.

    internal abstract class Inline
    {
    }

    /// <summary>Our own words: no markup in them, still escaped for HTML.</summary>
    internal sealed class Lit : Inline
    {
        public Lit(string text) => Text = text;
        public string Text { get; }
    }

    /// <summary>Untrusted text from Sentry: cleaned and escaped for each target.</summary>
    internal sealed class Txt : Inline
    {
        public Txt(string? text) => Text = text ?? string.Empty;
        public string Text { get; }
    }

    internal sealed class Strong : Inline
    {
        public Strong(params Inline[] content) => Content = content;
        public IReadOnlyList<Inline> Content { get; }
    }

    internal sealed class Emph : Inline
    {
        public Emph(params Inline[] content) => Content = content;
        public IReadOnlyList<Inline> Content { get; }
    }

    /// <summary>Untrusted text shown as code.</summary>
    internal sealed class Code : Inline
    {
        public Code(string? text) => Text = text ?? string.Empty;
        public string Text { get; }
    }

    /// <summary>A link, rendered as one only when the URL is absolute https; otherwise its label alone.</summary>
    internal sealed class Link : Inline
    {
        public Link(string label, string? url)
        {
            Label = label;
            Url = url;
        }

        public string Label { get; }
        public string? Url { get; }
    }

    internal abstract class Block
    {
    }

    internal sealed class Heading : Block
    {
        public Heading(int level, params Inline[] content)
        {
            Level = level;
            Content = content;
        }

        public int Level { get; }
        public IReadOnlyList<Inline> Content { get; }
    }

    internal sealed class Para : Block
    {
        public Para(params Inline[] content) => Content = content;
        public IReadOnlyList<Inline> Content { get; }
    }

    internal sealed class ListItem
    {
        public ListItem(IReadOnlyList<Inline> content, IReadOnlyList<IReadOnlyList<Inline>>? children = null)
        {
            Content = content;
            Children = children ?? Array.Empty<IReadOnlyList<Inline>>();
        }

        public IReadOnlyList<Inline> Content { get; }
        public IReadOnlyList<IReadOnlyList<Inline>> Children { get; }
    }

    internal sealed class ItemList : Block
    {
        public ItemList(string style, IReadOnlyList<ListItem> items)
        {
            Style = style;
            Items = items;
        }

        /// <summary><c>bullet</c>, <c>number</c> or <c>check</c>.</summary>
        public string Style { get; }
        public IReadOnlyList<ListItem> Items { get; }
    }

    internal sealed class Chart : Block
    {
        public Chart(string title, string description, IReadOnlyList<string> labels, IReadOnlyList<double> values, string yLabel)
        {
            Title = title;
            Description = description;
            Labels = labels;
            Values = values;
            YLabel = yLabel;
        }

        public string Title { get; }
        public string Description { get; }
        public IReadOnlyList<string> Labels { get; }
        public IReadOnlyList<double> Values { get; }
        public string YLabel { get; }
    }

    internal static class PostmortemMarkdown
    {
        public static string Render(IReadOnlyList<Block> blocks)
        {
            var sb = new StringBuilder();
            foreach (Block block in blocks)
            {
                if (sb.Length > 0) sb.Append('\n');
                switch (block)
                {
                    case Heading h:
                        sb.Append('#', h.Level).Append(' ').Append(Inlines(h.Content)).Append('\n');
                        break;
                    case Para p:
                        sb.Append(Inlines(p.Content, lineStart: true)).Append('\n');
                        break;
                    case ItemList list:
                        int n = 0;
                        foreach (ListItem item in list.Items)
                        {
                            n++;
                            string marker = list.Style == "number" ? n.ToString(CultureInfo.InvariantCulture) + ". " : list.Style == "check" ? "- [ ] " : "- ";
                            sb.Append(marker).Append(Inlines(item.Content, lineStart: true)).Append('\n');
                            string indent = new string(' ', list.Style == "number" ? marker.Length : 2);
                            foreach (IReadOnlyList<Inline> child in item.Children) sb.Append(indent).Append("- ").Append(Inlines(child, lineStart: true)).Append('\n');
                        }

                        break;
                    case Chart chart:
                        sb.Append("```mermaid\n");
                        sb.Append("xychart-beta\n");
                        sb.Append("    title \"").Append(Quoted(chart.Title)).Append("\"\n");
                        sb.Append("    x-axis [").Append(string.Join(", ", chart.Labels.Select(l => "\"" + Quoted(l) + "\""))).Append("]\n");
                        double max = chart.Values.Count == 0 ? 0 : chart.Values.Max();
                        sb.Append("    y-axis \"").Append(Quoted(chart.YLabel)).Append("\" 0 --> ").Append(Number(Math.Max(1, Math.Ceiling(max)))).Append('\n');
                        sb.Append("    bar [").Append(string.Join(", ", chart.Values.Select(Number))).Append("]\n");
                        sb.Append("```\n\n");
                        // The caption: Mermaid's chart has none of its own, and readers without Mermaid still get the figures.
                        sb.Append(MessageEscaping.Markdown(MessageEscaping.Clean(chart.Description) ?? string.Empty, lineStart: true)).Append('\n');
                        break;
                }
            }

            return sb.ToString();
        }

        private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

        private static string Quoted(string value) => (MessageEscaping.Clean(value) ?? string.Empty).Replace("\"", "'");

        /// <param name="content">The inlines.</param>
        /// <param name="lineStart">True when they start a line, where untrusted text must not open a block (a list, a heading, a quote).</param>
        private static string Inlines(IReadOnlyList<Inline> content, bool lineStart = false)
        {
            var sb = new StringBuilder();
            foreach (Inline inline in content) sb.Append(Inline(inline, lineStart && sb.Length == 0));
            return sb.ToString();
        }

        private static string Inline(Inline inline, bool lineStart)
        {
            switch (inline)
            {
                case Lit lit:
                    return lit.Text;
                case Txt txt:
                    return MessageEscaping.Markdown(MessageEscaping.Clean(txt.Text) ?? string.Empty, lineStart: lineStart);
                case Strong strong:
                    return "**" + Inlines(strong.Content) + "**";
                case Emph emph:
                    return "_" + Inlines(emph.Content) + "_";
                case Code code:
                    return CodeSpan(MessageEscaping.Clean(code.Text) ?? string.Empty);
                case Link link:
                    string? url = HttpsUrl(link.Url);
                    string label = MessageEscaping.Markdown(MessageEscaping.Clean(link.Label) ?? string.Empty, lineStart: lineStart && url is null);
                    return url is null ? label : "[" + label + "](" + MessageEscaping.MarkdownUrl(url) + ")";
                default:
                    return string.Empty;
            }
        }

        /// <summary>A CommonMark code span: the fence is one backtick longer than the longest run inside, padded when the text touches a backtick.</summary>
        internal static string CodeSpan(string text)
        {
            if (text.Length == 0) return "` `";
            int longest = 0, run = 0;
            foreach (char c in text)
            {
                run = c == '`' ? run + 1 : 0;
                longest = Math.Max(longest, run);
            }

            string fence = new string('`', longest + 1);
            bool pad = text[0] == '`' || text[text.Length - 1] == '`';
            return fence + (pad ? " " : string.Empty) + text + (pad ? " " : string.Empty) + fence;
        }

        internal static string? HttpsUrl(string? url)
        {
            string? safe = MessageEscaping.SafeUrl(url);
            return safe != null && safe.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? safe : null;
        }
    }

    internal static class PostmortemHtml
    {
        private const string Style =
            "body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}" +
            "h1{font-size:1.6rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}h3{font-size:1.05rem}" +
            "code{font-family:ui-monospace,Consolas,monospace;font-size:.85em;background:#f6f8fa;padding:.1rem .3rem;border-radius:4px;word-break:break-all}" +
            "ul.check{list-style:none;padding-left:1.2rem}ul.check li::before{content:'\\2610  '}em{color:#57606a}" +
            "svg{max-width:100%;height:auto}.bar{fill:#6c5fc7}.axis{stroke:#57606a;stroke-width:1}.label{font-size:11px;fill:#57606a}.chart-title{font-size:13px;font-weight:bold;fill:#1f2328}";

        public static string Render(string title, IReadOnlyList<Block> blocks)
        {
            var sb = new StringBuilder();
            sb.Append("<!DOCTYPE html>\n");
            sb.Append("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n");
            sb.Append("<head>\n<meta charset=\"utf-8\" />\n");
            sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\" />\n");
            sb.Append("<title>").Append(Escape(title)).Append("</title>\n");
            sb.Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
            foreach (Block block in blocks)
            {
                switch (block)
                {
                    case Heading h:
                        sb.Append("<h").Append(h.Level).Append('>').Append(Inlines(h.Content)).Append("</h").Append(h.Level).Append(">\n");
                        break;
                    case Para p:
                        sb.Append("<p>").Append(Inlines(p.Content)).Append("</p>\n");
                        break;
                    case ItemList list:
                        string tag = list.Style == "number" ? "ol" : "ul";
                        sb.Append('<').Append(tag).Append(list.Style == "check" ? " class=\"check\"" : string.Empty).Append(">\n");
                        foreach (ListItem item in list.Items)
                        {
                            sb.Append("<li>").Append(Inlines(item.Content));
                            if (item.Children.Count > 0)
                            {
                                sb.Append("\n<ul>\n");
                                foreach (IReadOnlyList<Inline> child in item.Children) sb.Append("<li>").Append(Inlines(child)).Append("</li>\n");
                                sb.Append("</ul>\n");
                            }

                            sb.Append("</li>\n");
                        }

                        sb.Append("</").Append(tag).Append(">\n");
                        break;
                    case Chart chart:
                        AppendChart(sb, chart);
                        break;
                }
            }

            sb.Append("</body>\n</html>\n");
            return sb.ToString();
        }

        private static string Escape(string text) => MessageEscaping.Html(MessageEscaping.Clean(text) ?? string.Empty);

        private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

        private static void AppendChart(StringBuilder sb, Chart chart)
        {
            const double width = 720, height = 260, left = 48, right = 12, top = 28, bottom = 44;
            double plotW = width - left - right, plotH = height - top - bottom;
            double max = Math.Max(1, Math.Ceiling(chart.Values.Count == 0 ? 0 : chart.Values.Max()));
            int n = chart.Values.Count;
            double slot = plotW / Math.Max(1, n);
            double barW = Math.Max(1, slot * 0.8);
            int labelEvery = Math.Max(1, (int)Math.Ceiling(n / 12.0));

            sb.Append("<figure>\n");
            sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" width=\"").Append(Number(width)).Append("\" height=\"").Append(Number(height))
              .Append("\" viewBox=\"0 0 ").Append(Number(width)).Append(' ').Append(Number(height)).Append("\">\n");
            sb.Append("<title id=\"chart-title\">").Append(Escape(chart.Title)).Append("</title>\n");
            sb.Append("<desc id=\"chart-desc\">").Append(Escape(chart.Description)).Append("</desc>\n");
            sb.Append("<text class=\"chart-title\" x=\"").Append(Number(left)).Append("\" y=\"16\">").Append(Escape(chart.Title)).Append("</text>\n");
            sb.Append("<line class=\"axis\" x1=\"").Append(Number(left)).Append("\" y1=\"").Append(Number(top + plotH)).Append("\" x2=\"").Append(Number(left + plotW)).Append("\" y2=\"").Append(Number(top + plotH)).Append("\" />\n");
            sb.Append("<line class=\"axis\" x1=\"").Append(Number(left)).Append("\" y1=\"").Append(Number(top)).Append("\" x2=\"").Append(Number(left)).Append("\" y2=\"").Append(Number(top + plotH)).Append("\" />\n");
            sb.Append("<text class=\"label\" x=\"").Append(Number(left - 4)).Append("\" y=\"").Append(Number(top + 4)).Append("\" text-anchor=\"end\">").Append(Number(max)).Append("</text>\n");
            sb.Append("<text class=\"label\" x=\"").Append(Number(left - 4)).Append("\" y=\"").Append(Number(top + plotH)).Append("\" text-anchor=\"end\">0</text>\n");
            sb.Append("<text class=\"label\" x=\"12\" y=\"").Append(Number(top + plotH / 2)).Append("\" text-anchor=\"middle\" transform=\"rotate(-90 12 ").Append(Number(top + plotH / 2)).Append(")\">").Append(Escape(chart.YLabel)).Append("</text>\n");
            for (int i = 0; i < n; i++)
            {
                double h = chart.Values[i] / max * plotH;
                double x = left + i * slot + (slot - barW) / 2;
                sb.Append("<rect class=\"bar\" x=\"").Append(Number(x)).Append("\" y=\"").Append(Number(top + plotH - h)).Append("\" width=\"").Append(Number(barW)).Append("\" height=\"").Append(Number(h)).Append("\">")
                  .Append("<title>").Append(Escape(chart.Labels[i])).Append(": ").Append(Number(chart.Values[i])).Append("</title></rect>\n");
                if (i % labelEvery == 0)
                {
                    sb.Append("<text class=\"label\" x=\"").Append(Number(left + i * slot + slot / 2)).Append("\" y=\"").Append(Number(top + plotH + 16)).Append("\" text-anchor=\"middle\">").Append(Escape(chart.Labels[i])).Append("</text>\n");
                }
            }

            sb.Append("<text class=\"label\" x=\"").Append(Number(left + plotW / 2)).Append("\" y=\"").Append(Number(height - 6)).Append("\" text-anchor=\"middle\">Time (UTC)</text>\n");
            sb.Append("</svg>\n");
            sb.Append("<figcaption>").Append(Escape(chart.Description)).Append("</figcaption>\n");
            sb.Append("</figure>\n");
        }

        private static string Inlines(IReadOnlyList<Inline> content)
        {
            var sb = new StringBuilder();
            foreach (Inline inline in content) sb.Append(Inline(inline));
            return sb.ToString();
        }

        private static string Inline(Inline inline)
        {
            switch (inline)
            {
                case Lit lit:
                    return MessageEscaping.Html(lit.Text);
                case Txt txt:
                    return Escape(txt.Text);
                case Strong strong:
                    return "<strong>" + Inlines(strong.Content) + "</strong>";
                case Emph emph:
                    return "<em>" + Inlines(emph.Content) + "</em>";
                case Code code:
                    return "<code>" + Escape(code.Text) + "</code>";
                case Link link:
                    string label = Escape(link.Label);
                    string? url = PostmortemMarkdown.HttpsUrl(link.Url);
                    return url is null ? label : "<a href=\"" + MessageEscaping.Html(url) + "\" rel=\"noopener noreferrer\">" + label + "</a>";
                default:
                    return string.Empty;
            }
        }
    }
}

using System.Text;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace SentryRunbook.Tests.Rendering;

/// <summary>
/// What a real CommonMark parser makes of our Markdown: Markdig with the extensions GitHub renders (tables,
/// strikethrough, task lists, bare-URL autolinks, math, footnotes), or plain CommonMark for Teams' desktop client.
/// </summary>
internal static class MarkdownProbe
{
    public static readonly MarkdownPipeline GitHub = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseTaskLists()
        .UseAutoLinks()
        .UseMathematics()
        .UseFootnotes()
        .Build();

    /// <summary>
    /// GitHub's extensions but bare-URL links: GitHub links bare URLs after it has read escapes, Markdig before, so
    /// in "https://x/?q=\&lt;" Markdig shows the backslash (safely) where GitHub does not. Exact text is compared here.
    /// </summary>
    public static readonly MarkdownPipeline GitHubText = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough)
        .UseTaskLists()
        .UseMathematics()
        .UseFootnotes()
        .Build();

    public static readonly MarkdownPipeline CommonMark = new MarkdownPipelineBuilder().Build();

    public static MarkdownDocument Parse(string markdown, MarkdownPipeline? pipeline = null) => Markdown.Parse(markdown, pipeline ?? GitHub);

    /// <summary>
    /// The text a reader sees for one paragraph that must hold nothing but text. Throws (test failure) when the
    /// parser found markup instead: a block other than one paragraph, HTML, an entity, emphasis, code, math or a
    /// link; a bare URL that GitHub links by itself counts as text only when the link shows its own address.
    /// </summary>
    public static string TextOnly(string markdown, MarkdownPipeline? pipeline = null)
    {
        MarkdownDocument doc = Parse(markdown, pipeline);
        Assert.True(doc.Count == 1 && doc[0] is ParagraphBlock, $"expected one paragraph, got {string.Join(", ", doc.Select(b => b.GetType().Name))} for: {markdown}");
        var sb = new StringBuilder();
        foreach (Inline inline in ((ParagraphBlock)doc[0]).Inline!) AppendText(sb, inline, markdown);
        return sb.ToString();
    }

    private static void AppendText(StringBuilder sb, Inline inline, string markdown)
    {
        switch (inline)
        {
            case LiteralInline literal:
                sb.Append(literal.Content.ToString());
                break;
            case LinkInline { IsAutoLink: true } auto when !auto.IsImage:
                string shown = string.Concat(auto.Descendants<LiteralInline>().Select(l => l.Content.ToString()));
                Assert.True(auto.Url == shown || auto.Url == "http://" + shown, $"a link that hides its address: {shown} -> {auto.Url} in: {markdown}");
                sb.Append(shown);
                break;
            case LinkDelimiterInline bracket:
                // A bracket that opened no link (no matching reference): the parser leaves it as text.
                sb.Append(bracket.ToLiteral());
                foreach (Inline child in bracket) AppendText(sb, child, markdown);
                break;
            default:
                Assert.Fail($"markup {inline.GetType().Name} in: {markdown}");
                break;
        }
    }

    /// <summary>Every element of a kind anywhere in a document.</summary>
    public static List<T> All<T>(string markdown, MarkdownPipeline? pipeline = null)
        where T : MarkdownObject => Parse(markdown, pipeline).Descendants<T>().ToList();

    public static bool HasHtml(string markdown) =>
        All<HtmlInline>(markdown).Count > 0 || All<HtmlBlock>(markdown).Count > 0 || All<HtmlEntityInline>(markdown).Count > 0;

    public static bool HasMath(string markdown) => All<MathInline>(markdown).Count > 0 || All<MathBlock>(markdown).Count > 0;
}

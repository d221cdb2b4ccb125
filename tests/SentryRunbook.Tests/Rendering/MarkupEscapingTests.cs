using System.Text.RegularExpressions;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Rendering;

/// <summary>
/// Each target's escaping over hostile strings, checked with a real parser where there is one: the escaped text
/// renders as exactly the original text (no HTML, link, emphasis, code, math, list, heading or quote), and
/// identifiers stay as they are written.
/// </summary>
public class MarkupEscapingTests
{
    private const string Zwsp = "\u200B";
    private const string Zwj = "\u200D";

    public static TheoryData<string> Hostile() => new()
    {
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"http://evil.example\">me</a>",
        "<!-- comment --> <?php x ?> <![CDATA[x]]>",
        "[click](http://evil.example)",
        "[click]( http://evil.example )",
        "![img](http://evil.example/x.png)",
        "[ref] [ref][] [x][ref]",
        "[^1] footnote",
        "<http://evil.example> <mailto:a@evil.example>",
        "**bold** *it* _it_ __strong__ ***both***",
        "~~gone~~ ~gone~",
        "`code` ``co`de`` ```fence```",
        "$x^2$ and $$y$$",
        "# heading",
        "### heading ###",
        "Error #",
        "- item",
        "+ item",
        "* item",
        "1. item",
        "12) item",
        "> quote",
        "===",
        "---",
        "| a | b |",
        "- [ ] task",
        "&lt;script&gt; &#60; &#x3C; &amp; & AT&T",
        "\\*not emphasis\\* \\[x\\](y) trailing\\",
        "2*3*4 a*b*c",
        "_lead trail_ snake_case_name __init__",
        "<!channel> <@U123ABC> <!here|here> <at>Alice</at>",
        "https://evil.example/path?q=<x>",
        "text](http://evil.example) close",
        "    indented code",
    };

    public static TheoryData<string> Identifiers() => new()
    {
        "auth-api@5.0.0",
        "web@2.4.2+build.7",
        "crash-free sessions at 98.5%",
        "WEB-1A",
        "payment_provider: stripe (100%)",
        "src/payments/webhook.ts:88",
        "com.example.checkout (v1.2.3-rc.1)",
        "user.email:alice@example.com!",
    };

    // ---- Markdown documents (GitHub) -------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Hostile))]
    [MemberData(nameof(Identifiers))]
    public void Markdown_renders_as_exactly_the_text_inline_and_at_a_line_start(string raw)
    {
        string value = MessageEscaping.Clean(raw)!;
        Assert.Equal("before " + value, MarkdownProbe.TextOnly("before " + MessageEscaping.Markdown(value), MarkdownProbe.GitHubText));
        Assert.Equal(value, MarkdownProbe.TextOnly(MessageEscaping.Markdown(value, lineStart: true), MarkdownProbe.GitHubText));

        // With bare URLs linked as well, still text only (any link shows its own address).
        MarkdownProbe.TextOnly("before " + MessageEscaping.Markdown(value));
        MarkdownProbe.TextOnly(MessageEscaping.Markdown(value, lineStart: true));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Markdown_inside_our_own_markup_stays_text(string raw)
    {
        string escaped = MessageEscaping.Markdown(MessageEscaping.Clean(raw)!);

        // Inside our bold label's item, our emphasis and our link label: only our own markup is found.
        string md = "- **Label:** " + escaped + " _" + escaped + "_ [" + escaped + "](https://acme.sentry.io/issues/1/)\n";
        var links = MarkdownProbe.All<Markdig.Syntax.Inlines.LinkInline>(md);
        Assert.Single(links, l => !l.IsAutoLink);
        Assert.All(links.Where(l => !l.IsAutoLink), l => Assert.Equal("https://acme.sentry.io/issues/1/", l.Url));
        Assert.False(MarkdownProbe.HasHtml(md), md);
        Assert.False(MarkdownProbe.HasMath(md), md);
        Assert.Single(MarkdownProbe.All<Markdig.Syntax.ListItemBlock>(md));
        Assert.Equal(2, MarkdownProbe.All<Markdig.Syntax.Inlines.EmphasisInline>(md).Count);
    }

    [Theory]
    [MemberData(nameof(Identifiers))]
    public void Identifiers_keep_their_spelling_in_markdown_and_teams(string value)
    {
        // Nothing in an identifier can become markup, so nothing is added: it reads and searches as written.
        Assert.Equal(value, MessageEscaping.Markdown(value));
        Assert.Equal(value, MessageEscaping.Teams(value));
        Assert.Equal(value, MessageEscaping.Slack(value));
    }

    [Fact]
    public void Broadcast_mentions_are_defused_with_a_zero_width_joiner()
    {
        foreach (string escaped in new[] { MessageEscaping.Markdown("@here @channel @everyone"), MessageEscaping.Teams("@here @channel @everyone"), MessageEscaping.Slack("@here @channel @everyone") })
        {
            Assert.Equal("@" + Zwj + "here @" + Zwj + "channel @" + Zwj + "everyone", escaped);
        }

        Assert.Equal("alice@example.com @alice", MessageEscaping.Markdown("alice@example.com @alice"));
    }

    // ---- Teams Adaptive Cards ---------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Hostile))]
    [MemberData(nameof(Identifiers))]
    public void Teams_desktop_commonmark_renders_exactly_the_text(string raw)
    {
        // Teams' desktop and web clients follow CommonMark: the card shows the text, with the invisible joiners.
        // Backticks are left alone (Teams documents no code formatting, and mobile would show a backslash), so
        // text with backticks is checked for links and HTML only.
        string value = MessageEscaping.Clean(raw)!;
        string escaped = MessageEscaping.Teams(value, lineStart: true);
        if (value.Contains('`'))
        {
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.Inlines.LinkInline>(escaped, MarkdownProbe.CommonMark));
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.Inlines.HtmlInline>(escaped, MarkdownProbe.CommonMark));
            return;
        }

        string shown = MarkdownProbe.TextOnly(escaped, MarkdownProbe.CommonMark);
        Assert.Equal(value, shown.Replace(Zwsp, string.Empty).Replace(Zwj, string.Empty));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Teams_mobile_renderer_finds_no_link_list_or_unescaped_emphasis(string raw)
    {
        string value = MessageEscaping.Clean(raw)!;
        // The shared (mobile) renderer links "[x](y)" even after a backslash and starts a list at "- " or "1. ";
        // it honours a backslash before * and _ only. So: no "](" and no leading marker at all, and every
        // emphasis character that could delimit carries a backslash.
        string escaped = MessageEscaping.Teams(value, lineStart: true);
        Assert.DoesNotContain("](", escaped, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"^([-+*#>]|\d+[.)])", escaped);
        Assert.DoesNotMatch(@"<[A-Za-z!/?@]", escaped);
        Assert.DoesNotMatch(@"(?<!\\)\*", escaped);
        foreach (Match underscore in Regex.Matches(escaped, @"(?<!\\)_"))
        {
            int i = underscore.Index;
            Assert.True(i > 0 && i + 1 < escaped.Length && char.IsLetterOrDigit(escaped[i - 1]) && char.IsLetterOrDigit(escaped[i + 1]), $"an unescaped _ at a word boundary in {escaped}");
        }
    }

    [Fact]
    public void Teams_does_not_show_backslashes_where_teams_renders_nothing()
    {
        // Teams renders no headings, quotes, code, tables or HTML (Microsoft's "Text formatting in cards"), and the
        // mobile clients would show a backslash before them: those characters are left alone.
        Assert.Equal("crash-free sessions at 98.5% (below 95%) # ! . + { } | ` ~ >", MessageEscaping.Teams("crash-free sessions at 98.5% (below 95%) # ! . + { } | ` ~ >"));
    }

    // ---- Slack mrkdwn ----------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Slack_has_no_control_sequence_and_no_formatting_delimiter(string raw)
    {
        string value = MessageEscaping.Clean(raw)!;
        string escaped = MessageEscaping.Slack(value);
        Assert.DoesNotMatch("[<>]", escaped);
        Assert.DoesNotMatch("&(?!amp;|lt;|gt;)", escaped);

        // Each * ~ ` and each _ at a word boundary is fenced by zero-width spaces, so it never touches text.
        for (int i = 0; i < escaped.Length; i++)
        {
            char c = escaped[i];
            if ("*~`_".IndexOf(c) < 0) continue;
            bool fenced = i > 0 && escaped[i - 1] == '\u200B' && i + 1 < escaped.Length && escaped[i + 1] == '\u200B';
            bool inWord = c == '_' && i > 0 && i + 1 < escaped.Length && char.IsLetterOrDigit(escaped[i - 1]) && char.IsLetterOrDigit(escaped[i + 1]);
            Assert.True(fenced || inWord, $"unfenced {c} at {i} in {escaped}");
        }

        string readable = escaped.Replace(Zwsp, string.Empty).Replace(Zwj, string.Empty).Replace("&lt;", "<").Replace("&gt;", ">").Replace("&amp;", "&");
        Assert.Equal(value, readable);
    }

    // ---- Markdown code spans -----------------------------------------------------------------------

    [Theory]
    [InlineData("auth-api@5.0.0")]
    [InlineData("a`b")]
    [InlineData("``double`` and `single`")]
    [InlineData("`starts and ends`")]
    [InlineData("<script>alert(1)</script> *x* [y](z)")]
    public void A_code_span_shows_its_text_exactly_whatever_backticks_it_holds(string value)
    {
        string md = "x " + PostmortemMarkdown.CodeSpan(value) + " y\n";
        var code = Assert.Single(MarkdownProbe.All<Markdig.Syntax.Inlines.CodeInline>(md));
        Assert.Equal(value, code.Content);
        Assert.False(MarkdownProbe.HasHtml(md));
        Assert.Equal(2, MarkdownProbe.All<Markdig.Syntax.Inlines.LiteralInline>(md).Count);
    }
}

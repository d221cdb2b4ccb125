using System.Text.RegularExpressions;
using System.Xml;
using SentryRunbook.Rendering;
using SentryRunbook.Tests.Rendering;

namespace SentryRunbook.Tests.Postmortem;

public class PostmortemEscapingTests
{
    private static string Html(string incident) => Postmortems.Html(PostmortemFixtures.Build(incident)).Content;
    private static string Markdown(string incident) => Postmortems.Markdown(PostmortemFixtures.Build(incident)).Content;

    [Theory]
    [MemberData(nameof(AllIncidents))]
    public void Html_parses_as_xml_and_has_no_script_handlers_or_external_resources(string incident)
    {
        string html = Html(incident);
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        var doc = new XmlDocument { XmlResolver = null };
        using (var reader = XmlReader.Create(new StringReader(html), settings)) doc.Load(reader);

        foreach (XmlElement element in doc.SelectNodes("//*")!.OfType<XmlElement>())
        {
            Assert.NotEqual("script", element.LocalName, StringComparer.OrdinalIgnoreCase);
            Assert.NotEqual("iframe", element.LocalName, StringComparer.OrdinalIgnoreCase);
            Assert.NotEqual("img", element.LocalName, StringComparer.OrdinalIgnoreCase);
            foreach (XmlAttribute attribute in element.Attributes)
            {
                Assert.False(attribute.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler attribute {attribute.Name}");
                if (attribute.LocalName is "href" or "src")
                {
                    Assert.Equal("a", element.LocalName);
                    Assert.StartsWith("https://acme.sentry.io/", attribute.Value);
                }
            }
        }

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(new Regex(@"<[^>]*\son\w+\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"(href|src)\s*=\s*""(?!https://)", RegexOptions.IgnoreCase), html);
    }

    [Fact]
    public void Hostile_text_is_entity_escaped_in_html()
    {
        string html = Html("hostile");
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("&#39;quote&#39;", html);
        Assert.Contains("&lt;b&gt;mallory&lt;/b&gt;", html);
        Assert.DoesNotContain("http://evil.example\"", html);
        Assert.DoesNotContain("<a href=\"javascript", html);
    }

    [Fact]
    public void Hostile_text_is_escaped_in_markdown()
    {
        string md = Markdown("hostile");
        Assert.StartsWith("# Incident Postmortem: \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1)) @\u200Dhere \\*bold\\* \\<img src=x onerror=alert(1)\\>", md);

        // What a CommonMark parser with GitHub's extensions finds: no HTML, no math, and the only link is to Sentry
        // (or a bare address GitHub links by itself, shown as it is).
        Assert.False(MarkdownProbe.HasHtml(md), "raw HTML in the postmortem");
        Assert.False(MarkdownProbe.HasMath(md));
        foreach (var link in MarkdownProbe.All<Markdig.Syntax.Inlines.LinkInline>(md))
        {
            if (link.IsAutoLink) Assert.StartsWith("http://evil.example", link.Url);
            else Assert.StartsWith("https://acme.sentry.io/", link.Url);
        }

        // Raw HTML appears only inside code spans, which show it literally.
        Assert.Contains(MarkdownProbe.All<Markdig.Syntax.Inlines.CodeInline>(md), c => c.Content.Contains("<script>alert(2)</script>", StringComparison.Ordinal));
        Assert.DoesNotMatch(@"(?<!\\)\]\((javascript|http://evil)", md);
        Assert.DoesNotContain("@here", md, StringComparison.Ordinal);      // the broadcast mention is defused with a zero-width joiner
        Assert.DoesNotContain("@channel", md, StringComparison.Ordinal);
        Assert.DoesNotContain("@everyone", md, StringComparison.Ordinal);
        // The issue's permalink is javascript:, so the short id is not a link; ids are code spans, readable as written.
        Assert.Contains("**Sentry issue:** WEB-1 (id `4504`, project `web`,", md);
        Assert.Contains("**First release:** `web@2.4.2`", md);
        // Every line of untrusted text stays on its line: the commit body never starts a new Markdown block.
        Assert.DoesNotContain("\nbody", md);
        // A backtick in a code span cannot close it early.
        Assert.Contains("``PaymentProcessingError: payload \"}</code><script>alert(2)</script> `tick` & 'quote'``", md);
    }

    [Fact]
    public void Identifiers_read_as_written_in_markdown()
    {
        string md = Markdown("payment");
        Assert.Contains("rule CrashFreeRate: crash-free sessions at 90.6% (below 95%)", md);
        Assert.Contains("- **Rollback target:** `web@2.4.2` → `web@2.3.9` in production", md);
        Assert.Contains("payment_provider: stripe (100%)", md);
        Assert.DoesNotMatch(@"\\[-.()@]", md);
    }

    [Theory]
    [MemberData(nameof(AllIncidents))]
    public void The_chart_caption_is_printed_once(string incident)
    {
        PostmortemInput input = PostmortemFixtures.Build(incident);
        if (input.EventRate is null || input.EventRate.Count == 0) return;
        string html = Postmortems.Html(input).Content;
        string md = Postmortems.Markdown(input).Content;
        string caption = Regex.Match(html, "<figcaption>(?<c>[^<]+)</figcaption>").Groups["c"].Value;
        Assert.StartsWith("Events per ", caption);
        // Once visible in HTML (the SVG's <desc> is for screen readers and is not shown), once in Markdown.
        Assert.Equal(2, Regex.Matches(html, Regex.Escape(caption)).Count);
        Assert.Single(Regex.Matches(html, "<desc id=\"chart-desc\">" + Regex.Escape(caption) + "</desc>"));
        Assert.Single(Regex.Matches(md, Regex.Escape(caption)));
    }

    [Fact]
    public void Only_https_sentry_links_are_rendered()
    {
        string md = Markdown("payment");
        Assert.Contains("[WEB-1](https://acme.sentry.io/issues/4504/)", md);
        Assert.Single(Regex.Matches(md, @"\]\("));
        Assert.Contains("<a href=\"https://acme.sentry.io/issues/4504/\" rel=\"noopener noreferrer\">WEB-1</a>", Html("payment"));
    }

    [Fact]
    public void Html_escaping_covers_the_five_characters()
    {
        Assert.Equal("&amp;&lt;&gt;&quot;&#39;x", MessageEscaping.Html("&<>\"'x"));
    }

    public static TheoryData<string> AllIncidents()
    {
        var data = new TheoryData<string>();
        foreach (string incident in PostmortemFixtures.Incidents) data.Add(incident);
        return data;
    }
}

using System.Text.Json;
using Markdig.Syntax;
using System.Text.RegularExpressions;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Rendering;

/// <summary>Hostile event text never survives as markup, a link or a mention in any target, and stays readable.</summary>
public class EscapingTests
{
    private const string Zwsp = "\u200B";
    private const string Zwj = "\u200D";

    private static readonly string[] Mentions = { "<!channel>", "<!here", "<!everyone>", "<@U123ABC>", "<@" };
    private static readonly string[] BareBroadcasts = { "@here", "@channel", "@everyone" };

    public static TheoryData<string> Kinds() => new() { "Initial", "Update", "Resolution" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Slack_has_no_live_mentions_links_or_formatting_from_event_text(string kind)
    {
        IncidentMessage message = MessageFixtures.Build("hostile", kind);
        var texts = Strings(message.SlackPayload).ToList();
        string all = string.Join("\n", texts);

        foreach (string mention in Mentions) Assert.DoesNotContain(mention, all);
        foreach (string broadcast in BareBroadcasts) Assert.DoesNotContain(broadcast, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", all);
        Assert.DoesNotContain("<http://evil", all);
        Assert.DoesNotContain("<at>", all);

        // The only angle brackets left are our own link to the issue, with its address made safe.
        foreach (Match m in Regex.Matches(all, "<[^>]*>")) Assert.StartsWith("<https://acme.sentry.io/issues/4504/?q=a)b%7Cc%3Ed|", m.Value);

        // Every & is an entity: nothing the event wrote can form one of Slack's controls.
        Assert.DoesNotMatch("&(?!amp;|lt;|gt;)", all);

        // No formatting character touches the text it would format: each is fenced by zero-width spaces
        // (an underscore inside a word, which Slack never formats, is left as it is).
        string events = string.Join("\n", texts.Where(t => !Regex.IsMatch(t, "^[a-z_]+$")).Select(t => Regex.Replace(t, @"^\*[A-Z][A-Za-z ]*:\* |\n\*[A-Z][A-Za-z ]*:\* |^\*(INCIDENT|UPDATE|RESOLVED) |\*$", "\n")));
        Match fmt = Regex.Match(events, "(?<!\u200B)[*~`]|[*~`](?!\u200B)|(?<![\u200B\\p{L}\\p{N}])_|_(?![\u200B\\p{L}\\p{N}])");
        Assert.False(fmt.Success, "unfenced at " + fmt.Index + ": " + (fmt.Success ? events.Substring(Math.Max(0, fmt.Index - 20), Math.Min(40, events.Length - Math.Max(0, fmt.Index - 20))) : string.Empty));

        // Still readable: remove the invisible characters and decode the entities, and the words are back.
        string readable = Readable(all);
        Assert.Contains("<!channel> *URGENT* `rm -rf /` <script>alert(1)</script> [click](http://evil.example) @here | <@U123ABC> second line", readable);
        if (kind != "Resolution") Assert.Contains("@channel _everyone_ ~gone~ **bold** # heading <!here|here> <at>Alice</at> & @everyone", readable);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Markdown_has_no_raw_html_links_emphasis_or_broadcasts(string kind)
    {
        string md = MessageFixtures.Build("hostile", kind).Markdown;
        foreach (string broadcast in BareBroadcasts) Assert.DoesNotContain(broadcast, md, StringComparison.OrdinalIgnoreCase);

        // What a CommonMark parser with GitHub's extensions finds: one heading, one list, our bold labels, our one link.
        Assert.False(MarkdownProbe.HasHtml(md), md);
        Assert.False(MarkdownProbe.HasMath(md), md);
        Assert.Empty(MarkdownProbe.All<Markdig.Syntax.Inlines.CodeInline>(md));
        Assert.Single(MarkdownProbe.All<Markdig.Syntax.HeadingBlock>(md));
        Assert.Single(MarkdownProbe.All<Markdig.Syntax.ListBlock>(md));
        Assert.Empty(MarkdownProbe.All<Markdig.Syntax.QuoteBlock>(md));
        foreach (var emphasis in MarkdownProbe.All<Markdig.Syntax.Inlines.EmphasisInline>(md))
        {
            string text = string.Concat(emphasis.Descendants<Markdig.Syntax.Inlines.LiteralInline>().Select(l => l.Content.ToString()));
            Assert.Matches(@"^[A-Z][A-Za-z ]*( \(\d+\))?:$", text);
        }

        var links = MarkdownProbe.All<Markdig.Syntax.Inlines.LinkInline>(md).Where(l => !l.IsAutoLink).Select(l => l.Url).ToList();
        Assert.Equal("https://acme.sentry.io/issues/4504/?q=a%29b%7Cc%3Ed", Assert.Single(links));
        Assert.All(MarkdownProbe.All<Markdig.Syntax.Inlines.LinkInline>(md).Where(l => l.IsAutoLink), l => Assert.StartsWith("http://evil.example", l.Url));
        Assert.Contains("<!channel> *URGENT* `rm -rf /` <script>alert(1)</script> [click](http://evil.example) @here | <@U123ABC> second line", Unescape(md));
        if (kind == "Resolution")
        {
            Assert.Contains("javascript:alert(1)", md);
            Assert.DoesNotContain("](javascript", md);
            Assert.Contains("`code` ![img](http://evil.example/x.png) {curly} + - . ! \\ backslash", Unescape(md));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Teams_card_has_no_mentions_html_or_markdown_from_event_text(string kind)
    {
        string payload = MessageFixtures.Build("hostile", kind).TeamsPayload;
        var texts = Strings(payload).Where(s => !s.StartsWith("http", StringComparison.Ordinal)).ToList();
        string all = string.Join("\n", texts);
        foreach (string broadcast in BareBroadcasts) Assert.DoesNotContain(broadcast, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<at>", all, StringComparison.Ordinal);
        Assert.DoesNotContain("](", all, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?<!\\)\*", all);

        // Each TextBlock and Fact value is parsed on its own: CommonMark (Teams desktop) finds no link, HTML, emphasis or list.
        foreach (string text in texts)
        {
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.Inlines.LinkInline>(text, MarkdownProbe.CommonMark));
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.Inlines.HtmlInline>(text, MarkdownProbe.CommonMark));
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.HtmlBlock>(text, MarkdownProbe.CommonMark));
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.Inlines.EmphasisInline>(text, MarkdownProbe.CommonMark));
            Assert.Empty(MarkdownProbe.All<Markdig.Syntax.ListBlock>(text, MarkdownProbe.CommonMark));
        }

        Assert.Contains("<!channel> *URGENT* `rm -rf /` <script>alert(1)</script>", Unescape(all).Replace(Zwsp, string.Empty));
        Assert.DoesNotContain("\\-", all, StringComparison.Ordinal);
        Assert.DoesNotContain("\\.", all, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Text_is_one_field_per_line_without_control_characters(string kind)
    {
        IncidentMessage message = MessageFixtures.Build("hostile", kind);
        string[] lines = message.Text.Split('\n');
        Assert.Equal(kind == "Resolution" ? 6 : kind == "Update" ? 8 : 8, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Matches("^[A-Z][A-Za-z ]+: ", l));
        Assert.DoesNotContain('\r', message.Text);
        Assert.DoesNotMatch(@"[\x00-\x09\x0B-\x1F\x7F\u202A-\u202E\u2066-\u2069]", message.Text);
        Assert.Contains("<@U123ABC> second line", message.Text);
        Assert.Equal(1, lines.Count(l => l.StartsWith("Sentry Issue: ", StringComparison.Ordinal)));
        if (kind == "Resolution") Assert.Contains("Fix Applied: <img src=x onerror=alert(1)>bellevil tab", lines);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Json_targets_keep_the_cleaned_text_exactly(string kind)
    {
        IncidentMessage message = MessageFixtures.Build("hostile", kind);
        using var webhook = JsonDocument.Parse(message.WebhookPayload);
        Assert.Equal(message.Title, webhook.RootElement.GetProperty("title").GetString());
        Assert.Equal("<!channel> *URGENT* `rm -rf /` <script>alert(1)</script> [click](http://evil.example) @here | <@U123ABC> second line", message.Title);
        Assert.Equal("checkout <!channel>", message.Service);
        if (kind == "Initial")
        {
            using var pd = JsonDocument.Parse(message.PagerDutyPayload);
            Assert.Equal(message.Impact, pd.RootElement.GetProperty("payload").GetProperty("custom_details").GetProperty("impact").GetString());
        }
    }

    [Fact]
    public void Unsafe_links_are_shown_as_text_and_never_linked()
    {
        IncidentMessage message = MessageFixtures.Build("hostile", "Resolution");
        using (var teams = JsonDocument.Parse(message.TeamsPayload))
        {
            var actions = teams.RootElement.GetProperty("attachments")[0].GetProperty("content").GetProperty("actions").EnumerateArray().ToList();
            Assert.All(actions, a => Assert.StartsWith("https://acme.sentry.io/", a.GetProperty("url").GetString()));
        }

        Assert.DoesNotContain("<javascript", message.SlackPayload);
        Assert.DoesNotContain("Open postmortem", message.SlackPayload);
        Assert.DoesNotContain("Open postmortem", message.TeamsPayload);
        Assert.Contains("Postmortem: javascript:alert(1) \u2014 due within 48 hours", message.Text);
    }

    private static string Readable(string slack) =>
        slack.Replace(Zwsp, string.Empty).Replace(Zwj, string.Empty).Replace("&lt;", "<").Replace("&gt;", ">").Replace("&amp;", "&");

    private static string Unescape(string md) => Regex.Replace(md, @"\\(.)", "$1").Replace(Zwj, string.Empty);

    /// <summary>Every string value in a JSON document.</summary>
    private static IEnumerable<string> Strings(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Walk(doc.RootElement).ToList();

        static IEnumerable<string> Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    yield return e.GetString()!;
                    break;
                case JsonValueKind.Object:
                    foreach (JsonProperty p in e.EnumerateObject())
                    {
                        foreach (string s in Walk(p.Value)) yield return s;
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in e.EnumerateArray())
                    {
                        foreach (string s in Walk(item)) yield return s;
                    }

                    break;
            }
        }
    }
}

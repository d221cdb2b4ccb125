using SentryRunbook.Client;

namespace SentryRunbook.Tests.Client;

public class LinkHeaderTests
{
    private static readonly Uri Request = new("https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved");

    [Fact]
    public void Reads_Sentrys_two_entry_header()
    {
        const string header = "<https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved&cursor=1735689600000:0:1>; rel=\"previous\"; results=\"false\"; cursor=\"1735689600000:0:1\", <https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved&cursor=1735689600000:100:0>; rel=\"next\"; results=\"true\"; cursor=\"1735689600000:100:0\"";
        var entries = LinkHeader.Parse(header, Request);
        Assert.Equal(2, entries.Count);
        Assert.Equal("previous", entries[0].Rel);
        Assert.False(entries[0].Results);
        Assert.Equal("1735689600000:100:0", entries[1].Cursor);
        Assert.Equal("https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved&cursor=1735689600000%3A100%3A0", LinkHeader.NextPage(header, Request)!.AbsoluteUri);
    }

    [Fact]
    public void Stops_when_next_has_no_results()
    {
        const string header = "<https://x/?&cursor=0:0:1>; rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\", <https://x/?&cursor=0:100:0>; rel=\"next\"; results=\"false\"; cursor=\"0:100:0\"";
        Assert.Null(LinkHeader.NextPage(header, Request));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("<https://x/?cursor=1>; rel=\"previous\"; results=\"true\"")]
    public void No_next_page_without_a_usable_next_entry(string? header) => Assert.Null(LinkHeader.NextPage(header, Request));

    [Fact]
    public void A_comma_inside_the_url_does_not_split_the_entry()
    {
        const string header = "<https://x/?query=a,b&cursor=0:100:0>; rel=\"next\"; results=\"true\"; cursor=\"0:100:0\", <https://x/?q=1>; rel=\"other\"";
        var entries = LinkHeader.Parse(header, Request);
        Assert.Equal("https://x/?query=a,b&cursor=0:100:0", entries[0].Uri.ToString());
        Assert.Equal(2, entries.Count);
    }

    [Fact]
    public void The_cursor_replaces_the_one_in_the_request()
    {
        var request = new Uri("https://us.sentry.io/api/0/organizations/acme/issues/?query=x&cursor=0:100:0&limit=5");
        const string header = "<https://other.example/?cursor=0:200:0>; rel=\"next\"; results=\"true\"; cursor=\"0:200:0\"";
        Assert.Equal("https://us.sentry.io/api/0/organizations/acme/issues/?query=x&limit=5&cursor=0%3A200%3A0", LinkHeader.NextPage(header, request)!.AbsoluteUri);
    }

    [Fact]
    public void Without_a_cursor_a_same_origin_link_is_followed()
    {
        const string header = "</api/0/organizations/acme/issues/?page=2>; rel=\"next\"; results=\"true\"";
        Assert.Equal("https://us.sentry.io/api/0/organizations/acme/issues/?page=2", LinkHeader.NextPage(header, Request)!.ToString());
    }
}

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
        Assert.Equal("https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved&cursor=1735689600000:100:0", LinkHeader.NextPage(header, Request)!.ToString());
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
        const string header = "<https://x/?query=a,b&cursor=0:100:0>; rel=\"next\"; results=\"true\"; cursor=\"0:100:0\"";
        Assert.Equal("https://x/?query=a,b&cursor=0:100:0", LinkHeader.NextPage(header, Request)!.ToString());
    }

    [Fact]
    public void Relative_links_resolve_against_the_request()
    {
        const string header = "</api/0/organizations/acme/issues/?cursor=0:100:0>; rel=\"next\"; results=\"true\"";
        Assert.Equal("https://us.sentry.io/api/0/organizations/acme/issues/?cursor=0:100:0", LinkHeader.NextPage(header, Request)!.ToString());
    }
}

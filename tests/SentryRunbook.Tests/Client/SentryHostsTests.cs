using SentryRunbook.Client;
using SentryRunbook.Errors;

namespace SentryRunbook.Tests.Client;

public class SentryHostsTests
{
    [Theory]
    [InlineData(null, "https://sentry.io/")]
    [InlineData("https://sentry.io", "https://sentry.io/")]
    [InlineData("https://de.sentry.io/", "https://de.sentry.io/")]
    [InlineData("https://sentry.example.com/api/0/", "https://sentry.example.com/")]
    [InlineData("https://example.com/sentry", "https://example.com/sentry/")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    public void Normalizes_what_people_type(string? input, string expected) =>
        Assert.Equal(expected, SentryHosts.NormalizeBaseUri(input).ToString());

    [Theory]
    [InlineData("sentry.io")]
    [InlineData("ftp://sentry.io")]
    [InlineData("https://sentry.io/?org=acme")]
    [InlineData("https://user:pw@sentry.io/")]
    public void Rejects_what_is_not_a_Sentry_host(string input)
    {
        var error = Assert.Throws<SentryApiException>(() => SentryHosts.NormalizeBaseUri(input));
        Assert.Equal("SentryBaseUriInvalid", error.ErrorId);
        Assert.Equal(SentryErrorKind.Configuration, error.Kind);
    }

    [Theory]
    [InlineData("us", "https://us.sentry.io/")]
    [InlineData("DE", "https://de.sentry.io/")]
    public void Region_hosts(string region, string expected) => Assert.Equal(expected, SentryHosts.ForRegion(region).ToString());

    [Fact]
    public void Unknown_region_is_refused() => Assert.Equal("SentryRegionInvalid", Assert.Throws<SentryApiException>(() => SentryHosts.ForRegion("eu")).ErrorId);

    [Theory]
    [InlineData("https://us.sentry.io/", "us")]
    [InlineData("https://de.sentry.io/", "de")]
    [InlineData("https://sentry.io/", null)]
    [InlineData("https://sentry.example.com/", null)]
    public void Region_of_a_host(string uri, string? region) => Assert.Equal(region, SentryHosts.RegionOf(new Uri(uri)));

    [Theory]
    [InlineData("https://us.sentry.io/api/0/x/", true)]
    [InlineData("https://US.SENTRY.IO:443/a", true)]
    [InlineData("http://us.sentry.io/", false)]
    [InlineData("https://us.sentry.io.evil.com/", false)]
    [InlineData("https://us.sentry.io:8443/", false)]
    public void Same_origin_is_scheme_host_and_port(string uri, bool same) =>
        Assert.Equal(same, SentryHosts.IsSameOrigin(new Uri(uri), new Uri("https://us.sentry.io/")));

    [Theory]
    [InlineData("https://sentry.io/", "https://de.sentry.io", "https://de.sentry.io/")]
    [InlineData("https://acme.sentry.io/", "https://us.sentry.io", "https://us.sentry.io/")]
    [InlineData("https://us.sentry.io/", "https://de.sentry.io", null)]
    [InlineData("https://sentry.io/", "https://sentry.io", null)]
    [InlineData("https://sentry.io/", "https://evil.example.com", null)]
    [InlineData("https://sentry.io/", "http://de.sentry.io", null)]
    [InlineData("https://sentry.example.com/", "https://de.sentry.io", null)]
    [InlineData("https://sentry.io/", null, null)]
    public void Moves_to_the_organizations_region_only_within_sentry_io(string configured, string? regionUrl, string? expected) =>
        Assert.Equal(expected, SentryHosts.RegionHostToUse(new Uri(configured), regionUrl is null ? null : new Uri(regionUrl))?.ToString());
}

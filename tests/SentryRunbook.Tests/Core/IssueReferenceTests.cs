using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class IssueReferenceTests
{
    [Theory]
    [InlineData("4123", "4123", null)]
    [InlineData(" web-1a ", "WEB-1A", null)]
    [InlineData("PUMP-STATION-1A", "PUMP-STATION-1A", null)]
    [InlineData("https://acme.sentry.io/issues/4123/", "4123", "acme")]
    [InlineData("https://acme.sentry.io/issues/4123/events/latest/?project=2", "4123", "acme")]
    [InlineData("https://sentry.io/organizations/acme/issues/4123/", "4123", "acme")]
    [InlineData("https://us.sentry.io/api/0/organizations/acme/issues/WEB-1A/", "WEB-1A", "acme")]
    [InlineData("https://sentry.example.com/organizations/ops/issues/99/?environment=prod", "99", "ops")]
    [InlineData("https://us.sentry.io/issues/4123/", "4123", null)]
    public void Accepts_ids_short_ids_and_urls(string input, string id, string? organization)
    {
        Assert.True(IssueReference.TryParse(input, out IssueReference? reference, out string? problem), problem);
        Assert.Equal(id, reference!.Id);
        Assert.Equal(organization, reference.Organization);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("WEB")]
    [InlineData("WEB 1")]
    [InlineData("-1")]
    [InlineData("https://acme.sentry.io/dashboards/1/")]
    [InlineData("https://acme.sentry.io/issues/not an id/")]
    [InlineData("ftp://acme.sentry.io/issues/1/")]
    public void Rejects_everything_else_with_a_reason(string input)
    {
        Assert.False(IssueReference.TryParse(input, out IssueReference? reference, out string? problem));
        Assert.Null(reference);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Theory]
    [InlineData("acme.sentry.io", "https://us.sentry.io/", true)]
    [InlineData("sentry.io", "https://de.sentry.io/", true)]
    [InlineData("SENTRY.EXAMPLE.COM", "https://sentry.example.com/", true)]
    [InlineData("other.example", "https://sentry.example.com/", false)]
    [InlineData("acme.sentry.io", "https://sentry.example.com/", false)]
    [InlineData("evilsentry.io", "https://us.sentry.io/", false)]
    public void An_issue_URL_belongs_to_the_connected_Sentry_only_on_its_host_or_within_sentry_io(string host, string connected, bool same) =>
        Assert.Equal(same, IssueReference.IsSameSentry(host, new Uri(connected)));

    [Fact]
    public void A_long_input_is_cut_in_the_message_that_echoes_it()
    {
        string input = new string('x', 5000);
        Assert.False(IssueReference.TryParse(input, out _, out string? problem));
        Assert.True(problem!.Length < 300, $"{problem.Length} characters");
        Assert.Contains("5000 characters", problem);
    }

    [Fact]
    public void A_URL_remembers_its_host()
    {
        Assert.True(IssueReference.TryParse("https://other.example/organizations/acme/issues/1/", out IssueReference? reference, out _));
        Assert.Equal("other.example", reference!.Host);
        Assert.True(IssueReference.TryParse("WEB-1", out reference, out _));
        Assert.Null(reference!.Host);
    }
}

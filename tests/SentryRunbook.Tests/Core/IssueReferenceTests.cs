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
}

using System.Text.Json;
using SentryRunbook.Client.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

public class IssueReaderTests
{
    private static SentryIssue Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return IssueReader.Read(document.RootElement);
    }

    [Fact]
    public void Reads_the_fields_of_an_issue_row()
    {
        SentryIssue issue = Read(ClientFixture.Issue("4123", "WEB-1A", "\"3000000000\""));
        Assert.Equal("4123", issue.Id);
        Assert.Equal("WEB-1A", issue.ShortId);
        Assert.Equal(3_000_000_000L, issue.Count);
        Assert.Equal(3, issue.UserCount);
        Assert.Equal("web", issue.Project);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 11, 59, 58, 123, TimeSpan.Zero).AddTicks(4560), issue.LastSeen);
        Assert.True(issue.IsUnhandled);
        Assert.Equal(2, issue.Stats.Count);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764327600), issue.Stats[1].Time);
        Assert.Equal(3, issue.Stats[1].Count);
    }

    [Fact]
    public void Tolerates_numbers_for_strings_and_missing_or_null_fields()
    {
        SentryIssue issue = Read("""{"id":77,"count":12,"culprit":null,"assignedTo":{"type":"team","id":"9","name":"billing"},"firstRelease":{"version":"app@1.4.0"},"lastRelease":"app@1.5.0","stats":{"14d":[[1764288000,"4"]]},"newSeerField":{"x":1}}""");
        Assert.Equal("77", issue.Id);
        Assert.Equal(12, issue.Count);
        Assert.Null(issue.Culprit);
        Assert.Null(issue.FirstSeen);
        Assert.Equal("team", issue.AssignedTo!.Type);
        Assert.Equal("#billing", issue.AssignedTo.ToString());
        Assert.Equal("app@1.4.0", issue.FirstRelease);
        Assert.Equal("app@1.5.0", issue.LastRelease);
        Assert.Equal(4, Assert.Single(issue.Stats).Count);
    }

    [Fact]
    public void An_issue_without_id_is_rejected() => Assert.Throws<JsonException>(() => Read("""{"title":"x"}"""));
}

using System.Net;
using SentryRunbook.Client;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

public class EvidenceReplayTests
{
    private static IncidentEvidence Bundle(params RecordedExchange[] exchanges) =>
        new(IncidentEvidence.CurrentSchemaVersion, "https://us.sentry.io", "acme", "42", "WEB-G", ClientFixture.Now, "24h", exchanges, string.Empty, true, null);

    private static RecordedExchange Get(string path, string body) => new("GET", path, 200, new Dictionary<string, string>(), body);

    [Theory]
    [InlineData("GET", "a/b/?x=1&y=2", "GET a/b/?x=1&y=2")]
    [InlineData("get", "/a/b/?y=2&x=1", "GET a/b/?x=1&y=2")]
    [InlineData("GET", "a/b/?field=count()&field=count_unique(user)", "GET a/b/?field=count%28%29&field=count_unique%28user%29")]
    [InlineData("GET", "a/b/?q=is%3Aunresolved%20level%3Aerror", "GET a/b/?q=is%3Aunresolved%20level%3Aerror")]
    [InlineData("GET", "a/b/?q=is:unresolved+level:error", "GET a/b/?q=is%3Aunresolved%20level%3Aerror")]
    [InlineData("POST", "a/b/", "POST a/b/")]
    public void The_key_is_the_method_the_path_and_the_sorted_parameters(string method, string path, string key) =>
        Assert.Equal(key, EvidenceKeys.Canonical(method, path));

    [Fact]
    public async Task A_request_with_its_parameters_in_another_order_finds_its_answer()
    {
        // Recorded with the environment before the period; asked by a version that sends the period first.
        IncidentEvidence bundle = Bundle(Get("api/0/organizations/acme/issues/42/tags/?key=release&key=environment", "[]"));
        using SentryApiClient replay = SentryApiClient.CreateReplay(bundle, null);

        IReadOnlyList<SentryIssueTag> tags = await replay.GetIssueTagsAsync("42", new[] { "environment", "release" }, CancellationToken.None);

        Assert.Empty(tags);
    }

    [Fact]
    public async Task A_request_the_bundle_has_no_answer_to_is_its_own_error()
    {
        using SentryApiClient replay = SentryApiClient.CreateReplay(Bundle(), null);

        SentryApiException miss = await Assert.ThrowsAsync<SentryApiException>(() => replay.GetIssueAsync("42", CancellationToken.None));

        Assert.Equal("SentryEvidenceMiss", miss.ErrorId);
        Assert.Contains("evidence bundle holds no answer", miss.Message);
        Assert.False(miss.IsFatal);
    }
}

using System.Net;
using System.Net.Sockets;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

public class SentryApiClientTests
{
    [Fact]
    public async Task Issue_search_streams_every_page_and_stops_when_next_has_no_results()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        string page2 = "https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved&limit=2&cursor=0:2:0";
        string page3 = "https://us.sentry.io/api/0/organizations/acme/issues/?query=is%3Aunresolved&limit=2&cursor=0:4:0";
        stub.ThenJson(HttpStatusCode.OK, $"[{ClientFixture.Issue("1", "WEB-1")},{ClientFixture.Issue("2", "WEB-2")}]", ("Link", ClientFixture.Link(null, page2, true, "0:2:0")), ("X-Hits", "5"))
            .ThenJson(HttpStatusCode.OK, $"[{ClientFixture.Issue("3", "WEB-3")},{ClientFixture.Issue("4", "WEB-4")}]", ("Link", ClientFixture.Link(null, page3, true, "0:4:0")))
            .ThenJson(HttpStatusCode.OK, $"[{ClientFixture.Issue("5", "WEB-5")}]", ("Link", ClientFixture.Link(null, page3, false, "0:6:0")));

        var ids = new List<string>();
        var query = new IssueQuery { Query = "is:unresolved", Limit = 2 };
        Uri? next = null;
        long? hits = null;
        do
        {
            SentryPage<SentryIssue> page = await client.GetIssuePageAsync(query, next, CancellationToken.None);
            hits ??= page.TotalHits;
            ids.AddRange(page.Items.Select(i => i.ShortId));
            next = page.Next;
        }
        while (next != null);

        Assert.Equal(new[] { "WEB-1", "WEB-2", "WEB-3", "WEB-4", "WEB-5" }, ids);
        Assert.Equal(5, hits);
        Assert.Equal(3, stub.Requests.Count);
        string first = stub.Requests[0].RequestUri!.ToString();
        Assert.StartsWith("https://us.sentry.io/api/0/organizations/acme/issues/?", first);
        Assert.Contains("query=is%3Aunresolved", first);
        Assert.Contains("limit=2", first);
        Assert.Equal("0:2:0", Cursor(stub.Requests[1]));
        Assert.Equal("0:4:0", Cursor(stub.Requests[2]));
        Assert.All(stub.Requests.Skip(1), r => Assert.Contains("query=is%3Aunresolved", r.RequestUri!.Query));
    }

    private static string? Cursor(HttpRequestMessage request) =>
        request.RequestUri!.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == "cursor").Select(p => Uri.UnescapeDataString(p[1])).SingleOrDefault();

    [Fact]
    public async Task Page_size_is_never_more_than_100()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, "[]");
        await client.GetIssuePageAsync(new IssueQuery { Limit = 5000 }, null, CancellationToken.None);
        Assert.Contains("limit=100", stub.Requests[0].RequestUri!.Query);
        Assert.DoesNotContain("query=", stub.Requests[0].RequestUri!.Query);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_wait()
    {
        var (client, stub, time, log) = ClientFixture.Create();
        stub.ThenJson((HttpStatusCode)429, "\"You are attempting to use this endpoint too frequently. Limit is 5 requests in 1 seconds\"", ("Retry-After", "7"))
            .ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));

        SentryIssue issue = await client.GetIssueAsync("42", CancellationToken.None);

        Assert.Equal("WEB-G", issue.ShortId);
        Assert.Equal(2, stub.Requests.Count);
        TimeSpan wait = Assert.Single(time.Waits);
        Assert.InRange(wait, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7.5));
        Assert.Contains(log, l => l.Contains("retry 1/3") && l.Contains("429"));
    }

    [Fact]
    public async Task A_429_without_Retry_After_waits_for_the_rate_limit_reset()
    {
        var (client, stub, time, _) = ClientFixture.Create();
        long reset = ClientFixture.Now.AddSeconds(12).ToUnixTimeSeconds();
        // Sentry's own 429 has no Retry-After (REFERENCE.md §1.6): the reset header is the main path.
        stub.ThenJson((HttpStatusCode)429, "\"slow down\"", ("X-Sentry-Rate-Limit-Reset", reset.ToString()))
            .ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));

        await client.GetIssueAsync("42", CancellationToken.None);

        TimeSpan wait = Assert.Single(time.Waits);
        Assert.InRange(wait, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(12.5));
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported_with_the_attempt_count()
    {
        var (client, stub, time, _) = ClientFixture.Create(maxRetries: 3);
        for (int i = 0; i < 4; i++) stub.ThenJson(HttpStatusCode.BadGateway, "<html>bad gateway</html>");

        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetIssueAsync("42", CancellationToken.None));

        Assert.Equal(SentryErrorKind.Server, error.Kind);
        Assert.Equal("SentryServerError", error.ErrorId);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal(4, error.Attempts);
        Assert.Equal(4, stub.Requests.Count);
        Assert.Equal(3, time.Waits.Count);
        Assert.Contains("502", error.Message);
        Assert.Contains("HTML page", error.Message);
    }

    [Fact]
    public async Task Transient_network_faults_are_retried()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenThrow(new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset)))
            .ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));

        SentryIssue issue = await client.GetIssueAsync("42", CancellationToken.None);
        Assert.Equal("42", issue.Id);
    }

    [Theory]
    [InlineData(401, "{\"detail\":\"Invalid token\"}", "SentryAuthenticationFailed", SentryErrorKind.Authentication, "event:read, event:write, project:read, project:releases, org:read")]
    [InlineData(401, "{\"detail\":\"Token expired\"}", "SentryAuthenticationFailed", SentryErrorKind.Authentication, "expired")]
    [InlineData(403, "{\"detail\":\"You do not have permission to perform this action.\"}", "SentryPermissionDenied", SentryErrorKind.Permission, "event:read")]
    [InlineData(404, "{\"detail\":\"The requested resource does not exist\"}", "SentryIssueNotFound", SentryErrorKind.NotFound, "'WEB-1A'")]
    [InlineData(410, "{\"message\":\"This API no longer exists.\"}", "SentryRouteGone", SentryErrorKind.Gone, "This API no longer exists.")]
    [InlineData(400, "{\"query\":[\"Invalid search\"]}", "SentryBadRequest", SentryErrorKind.InvalidRequest, "query: Invalid search")]
    public async Task Errors_name_the_problem_and_the_fix(int status, string body, string errorId, SentryErrorKind kind, string expectedText)
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson((HttpStatusCode)status, body);

        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetIssueAsync("WEB-1A", CancellationToken.None));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(expectedText, error.Message + " " + error.RecommendedAction);
        Assert.False(string.IsNullOrWhiteSpace(error.RecommendedAction));
        Assert.Single(stub.Requests); // client errors are not retried
    }

    [Fact]
    public async Task Cancellation_stops_a_request_in_flight()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenAsync(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("not reached");
        });
        using var cts = new CancellationTokenSource();
        Task<SentryIssue> call = client.GetIssueAsync("42", cts.Token);
        cts.CancelAfter(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Paging_stays_on_the_connected_host_whatever_host_the_Link_names()
    {
        // Sentry writes Link URLs with its configured URL prefix, which may be another name for the server.
        var (client, stub, _, _) = ClientFixture.Create();
        string foreign = "https://sentry.internal.example/api/0/organizations/acme/issues/?cursor=0:100:0";
        stub.ThenJson(HttpStatusCode.OK, $"[{ClientFixture.Issue("1", "WEB-1")}]", ("Link", ClientFixture.Link(null, foreign, true)))
            .ThenJson(HttpStatusCode.OK, "[]");

        SentryPage<SentryIssue> first = await client.GetIssuePageAsync(new IssueQuery(), null, CancellationToken.None);
        await client.GetIssuePageAsync(new IssueQuery(), first.Next, CancellationToken.None);

        Assert.All(stub.Requests, r => Assert.Equal("us.sentry.io", r.RequestUri!.Host));
        Assert.All(stub.Authorizations, a => Assert.Equal("Bearer " + ClientFixture.Token, a));
        Assert.Equal("0:100:0", Cursor(stub.Requests[1]));
    }

    [Fact]
    public async Task The_token_goes_to_the_configured_host_only()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, "[]");

        await client.GetIssuePageAsync(new IssueQuery(), new Uri("https://evil.example.com/api/0/organizations/acme/issues/?cursor=0:100:0"), CancellationToken.None);

        Assert.Equal("evil.example.com", stub.Requests[0].RequestUri!.Host);
        Assert.Null(stub.Authorizations[0]);
    }

    [Fact]
    public async Task A_foreign_Link_without_a_cursor_ends_the_paging()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, "[]", ("Link", "<https://evil.example.com/next>; rel=\"next\"; results=\"true\""));
        SentryPage<SentryIssue> page = await client.GetIssuePageAsync(new IssueQuery(), null, CancellationToken.None);
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task The_token_never_appears_in_log_lines_or_errors()
    {
        var (client, stub, _, log) = ClientFixture.Create(maxRetries: 1);
        stub.ThenJson(HttpStatusCode.ServiceUnavailable, $"{{\"detail\":\"bad token {ClientFixture.Token}\"}}")
            .ThenJson(HttpStatusCode.Unauthorized, "{\"detail\":\"Invalid token\"}");

        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetIssueAsync(ClientFixture.Token, CancellationToken.None));

        Assert.NotEmpty(log);
        Assert.All(log, line => Assert.DoesNotContain(ClientFixture.Token, line));
        Assert.Contains(log, line => line.Contains("***"));
        Assert.DoesNotContain(ClientFixture.Token, error.Message);
        Assert.DoesNotContain(ClientFixture.Token, error.RecommendedAction);
    }

    [Fact]
    public async Task Verbose_lines_show_method_url_status_and_time()
    {
        var (client, stub, _, log) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));
        await client.GetIssueAsync("WEB-G", CancellationToken.None);
        string line = Assert.Single(log);
        Assert.Matches(@"^GET https://us\.sentry\.io/api/0/organizations/acme/issues/WEB-G/ -> 200 OK \(\d+ ms\)$", line);
    }

    [Fact]
    public async Task A_response_that_is_not_JSON_is_a_clear_error()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>login</html>") });
        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetIssueAsync("42", CancellationToken.None));
        Assert.Equal("SentryResponseInvalid", error.ErrorId);
    }

    [Fact]
    public async Task Redirects_are_not_followed_so_the_token_stays_home()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.Then(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Found);
            response.Headers.Location = new Uri("https://login.example.com/");
            return response;
        });
        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetIssueAsync("42", CancellationToken.None));
        Assert.Equal("SentryRedirected", error.ErrorId);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Organization_lookup_returns_the_region_host()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, """{"id":"7","slug":"acme","name":"Acme","links":{"organizationUrl":"https://acme.sentry.io","regionUrl":"https://de.sentry.io"}}""");
        SentryOrganization org = await client.GetOrganizationAsync(CancellationToken.None);
        Assert.Equal(new Uri("https://de.sentry.io"), org.RegionUrl);
        Assert.Equal("detailed=0", stub.Requests[0].RequestUri!.Query.TrimStart('?'));
    }

    [Fact]
    public async Task An_unknown_organization_says_which_and_where()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.NotFound, "{\"detail\":\"The requested resource does not exist\"}");
        var error = await Assert.ThrowsAsync<SentryApiException>(() => client.GetOrganizationAsync(CancellationToken.None));
        Assert.Equal("SentryOrganizationNotFound", error.ErrorId);
        Assert.Contains("'acme'", error.Message);
        Assert.Contains("de.sentry.io", error.RecommendedAction);
    }
}

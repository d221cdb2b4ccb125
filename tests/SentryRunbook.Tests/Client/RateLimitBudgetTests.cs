using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using SentryRunbook.Abstractions;
using SentryRunbook.Client;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

/// <summary>The client keeps Sentry's rate limits itself (REFERENCE.md §1.6): it never sends what Sentry would refuse.</summary>
public class RateLimitBudgetTests
{
    /// <summary>
    /// A Sentry that enforces fixed one-second windows per route and method, with its headers, exactly as the
    /// middleware does: a request over the limit gets the real 429 (a JSON string, no Retry-After).
    /// </summary>
    private sealed class EnforcingSentry(int limit, bool headers = true) : HttpMessageHandler
    {
        private readonly ConcurrentDictionary<(string, long), int> _windows = new();
        public int Served;
        public int Refused;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            long second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            int used = _windows.AddOrUpdate((request.Method + " " + SentryHttp.RateLimitKey(request.RequestUri!), second), 1, (_, n) => n + 1);
            var response = used > limit && headers
                ? StubHandler.Json((HttpStatusCode)429, "\"You are attempting to use this endpoint too frequently. Limit is 5 requests in 1 seconds\"")
                : StubHandler.Json(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"));
            if (headers)
            {
                response.Headers.TryAddWithoutValidation("X-Sentry-Rate-Limit-Limit", limit.ToString(CultureInfo.InvariantCulture));
                response.Headers.TryAddWithoutValidation("X-Sentry-Rate-Limit-Remaining", Math.Max(0, limit - used).ToString(CultureInfo.InvariantCulture));
                response.Headers.TryAddWithoutValidation("X-Sentry-Rate-Limit-Reset", (second + 1).ToString(CultureInfo.InvariantCulture));
                response.Headers.TryAddWithoutValidation("X-Sentry-Rate-Limit-ConcurrentLimit", "25");
                response.Headers.TryAddWithoutValidation("X-Sentry-Rate-Limit-ConcurrentRemaining", "24");
            }

            if (response.StatusCode == (HttpStatusCode)429) Interlocked.Increment(ref Refused);
            else Interlocked.Increment(ref Served);
            return Task.FromResult(response);
        }
    }

    private static SentryApiClient Client(HttpMessageHandler handler, List<string>? log = null, int retries = 0) =>
        new(new SentryClientOptions(ClientFixture.Base, "acme", ClientFixture.Token) { Handler = handler, MaxRetries = retries, Log = log is null ? null : line => { lock (log) log.Add(line); } });

    [Fact]
    public async Task A_burst_of_issue_reads_is_paced_to_Sentrys_limit_and_none_is_refused()
    {
        // 5 a second is the issue detail limit; 13 reads span three windows, and with no retries a 429 would fail one.
        var sentry = new EnforcingSentry(limit: 5);
        using SentryApiClient client = Client(sentry);

        SentryIssue[] issues = await Task.WhenAll(Enumerable.Range(0, 13).Select(_ => client.GetIssueAsync("42", CancellationToken.None)));

        Assert.Equal(13, issues.Length);
        Assert.Equal(0, sentry.Refused);
        Assert.Equal(13, sentry.Served);
    }

    [Fact]
    public async Task The_limit_Sentry_announces_replaces_the_one_known_from_its_source()
    {
        var sentry = new EnforcingSentry(limit: 3);
        var log = new List<string>();
        using SentryApiClient client = Client(sentry, log, retries: 3);

        SentryIssue[] issues = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetIssueAsync("42", CancellationToken.None)));

        // The first burst goes out under the known limit (5): Sentry's 3 refuses the excess of that one window (retried
        // after its reset), then the budget follows Sentry and nothing more is refused.
        Assert.Equal(8, issues.Length);
        Assert.Contains(log, l => l.Contains("Sentry allows 3 requests to GET /api/0/organizations/acme/issues/{id}/"));
        Assert.InRange(sentry.Refused, 0, 2);
    }

    [Fact]
    public async Task A_server_without_rate_limit_headers_is_not_paced()
    {
        var sentry = new EnforcingSentry(limit: 1000, headers: false);
        using var http = new SentryHttp(new SentryClientOptions(ClientFixture.Base, "acme", ClientFixture.Token) { Handler = sentry, MaxRetries = 0 });
        var get = new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/42/"), "event:read");

        await http.SendAsync(get, CancellationToken.None);

        Assert.Null(http.BudgetLimits()["GET /api/0/organizations/acme/issues/{id}/"]);
    }

    [Fact]
    public async Task Headers_on_a_SaaS_answer_keep_the_budget_paced()
    {
        var sentry = new EnforcingSentry(limit: 40);
        using var http = new SentryHttp(new SentryClientOptions(ClientFixture.Base, "acme", ClientFixture.Token) { Handler = sentry, MaxRetries = 0 });

        await http.SendAsync(new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/42/"), "event:read"), CancellationToken.None);

        Assert.Equal(40, http.BudgetLimits()["GET /api/0/organizations/acme/issues/{id}/"]);
    }

    [Fact]
    public async Task A_request_waiting_for_a_spent_window_stops_at_once_when_cancelled()
    {
        var stub = new StubHandler();
        long reset = DateTimeOffset.UtcNow.AddSeconds(25).ToUnixTimeSeconds();
        stub.ThenJson(HttpStatusCode.OK, ClientFixture.Issue("42", "WEB-G"), ("X-Sentry-Rate-Limit-Limit", "5"), ("X-Sentry-Rate-Limit-Remaining", "0"), ("X-Sentry-Rate-Limit-Reset", reset.ToString(CultureInfo.InvariantCulture)));
        using SentryApiClient client = Client(stub);
        await client.GetIssueAsync("42", CancellationToken.None);

        using var cts = new CancellationTokenSource();
        Task<SentryIssue> waiting = client.GetIssueAsync("42", cts.Token);
        Assert.False(waiting.IsCompleted);
        cts.Cancel();

        // Completed well before the 25 s the window would have held it (the bound only guards a hung test run).
        Task first = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.Same(waiting, first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Single(stub.Requests);
    }

    [Theory]
    [InlineData("https://x/api/0/projects/acme/web/events/abc/committers/", "/api/0/projects/acme/{project}/events/{id}/committers/")]
    [InlineData("https://x/api/0/projects/acme/issues/issues/", "/api/0/projects/acme/{project}/issues/")]
    [InlineData("https://x/api/0/organizations/acme/issues/4123/tags/", "/api/0/organizations/acme/issues/{id}/tags/")]
    [InlineData("https://x/api/0/organizations/acme/issues/4123/tags/browser/", "/api/0/organizations/acme/issues/{id}/tags/{id}/")]
    [InlineData("https://x/api/0/organizations/acme/releases/web%402.4.1/deploys/", "/api/0/organizations/acme/releases/{id}/deploys/")]
    public void Budgets_follow_route_templates(string uri, string template) => Assert.Equal(template, SentryHttp.RateLimitKey(new Uri(uri)));

    [Theory]
    [InlineData("GET /api/0/organizations/acme/issues/{id}/", 5, 1)]
    [InlineData("PUT /api/0/organizations/acme/issues/{id}/", 5, 1)]
    [InlineData("DELETE /api/0/organizations/acme/issues/{id}/", 5, 5)]
    [InlineData("GET /api/0/organizations/acme/issues/{id}/tags/", 10, 1)]
    [InlineData("GET /api/0/projects/acme/{project}/issues/", 5, 1)]
    [InlineData("PUT /api/0/organizations/acme/issues/", 40, 1)]
    [InlineData("GET /api/0/organizations/acme/events/", 40, 1)]
    [InlineData("POST /api/0/organizations/acme/issues/{id}/summarize/", 10, 60)]
    [InlineData("GET /api/0/organizations/acme/issues/{id}/summarize/", 40, 1)]
    [InlineData("POST /api/0/organizations/acme/issues/{id}/comments/", 40, 1)]
    public void Known_limits_come_from_Sentrys_source(string key, int limit, int seconds)
    {
        (int known, TimeSpan window) = RateLimitBudgets.KnownLimit(key);
        Assert.Equal(limit, known);
        Assert.Equal(TimeSpan.FromSeconds(seconds), window);
    }

    [Fact]
    public async Task Seers_budget_is_ten_a_minute_before_any_header_arrives()
    {
        string key = RateLimitBudgets.Key(HttpMethod.Post, new Uri("https://us.sentry.io/api/0/organizations/acme/issues/4123/summarize/"));
        using var budgets = new RateLimitBudgets(25, TimeProvider.System, TimeSpan.FromSeconds(5), null);
        var leases = new List<System.Threading.RateLimiting.RateLimitLease>();
        for (int i = 0; i < RateLimitBudgets.SeerSummariesPerMinute; i++) leases.Add(await budgets.AcquireAsync(key, CancellationToken.None));
        foreach (var lease in leases) lease.Dispose();

        Assert.Equal(10, budgets.Limits()[key]);
        // The eleventh summary of the minute waits for the window (it is not refused, and not sent): cancelled here rather than awaited.
        using var cancel = new CancellationTokenSource();
        ValueTask<System.Threading.RateLimiting.RateLimitLease> eleventh = budgets.AcquireAsync(key, cancel.Token);
        Assert.False(eleventh.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await eleventh);

        // Another issue's tags, in the same moment, are not held up by Seer's budget.
        string tags = RateLimitBudgets.Key(HttpMethod.Get, new Uri("https://us.sentry.io/api/0/organizations/acme/issues/4123/tags/"));
        ValueTask<System.Threading.RateLimiting.RateLimitLease> other = budgets.AcquireAsync(tags, CancellationToken.None);
        Assert.True(other.IsCompleted);
        (await other).Dispose();
    }

    [Fact]
    public async Task Seers_header_limit_is_counted_per_minute_not_per_second()
    {
        string key = RateLimitBudgets.Key(HttpMethod.Post, new Uri("https://us.sentry.io/api/0/organizations/acme/issues/4123/summarize/"));
        using var budgets = new RateLimitBudgets(25, TimeProvider.System, TimeSpan.FromSeconds(5), null);
        (await budgets.AcquireAsync(key, CancellationToken.None)).Dispose();
        // Sentry says 20 (today's limit per user); the window stays Seer's minute.
        budgets.Observe(key, 200, name => name switch { "X-Sentry-Rate-Limit-Limit" => "20", "X-Sentry-Rate-Limit-Remaining" => "19", _ => null });
        Assert.Equal(20, budgets.Limits()[key]);
        Assert.Equal(TimeSpan.FromMinutes(1), budgets.Windows()[key]);
        for (int i = 0; i < 20; i++)
        {
            ValueTask<System.Threading.RateLimiting.RateLimitLease> next = budgets.AcquireAsync(key, CancellationToken.None);
            Assert.True(next.IsCompleted, $"request {i + 1} of the new window waited");
            (await next).Dispose();
        }

        using var cancel = new CancellationTokenSource();
        ValueTask<System.Threading.RateLimiting.RateLimitLease> over = budgets.AcquireAsync(key, cancel.Token);
        Assert.False(over.IsCompleted);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await over);
    }
}

/// <summary>Batched reads and guarded bulk changes (REFERENCE.md §2.3, §2.4).</summary>
public class BatchedIssueTests
{
    private static IEnumerable<string> Ids(int count, long first = 5_000_000_000) => Enumerable.Range(0, count).Select(i => (first + i).ToString(CultureInfo.InvariantCulture));

    private static List<(string Key, string Value)> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).Select(p => (Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p[1]))).ToList();

    [Fact]
    public async Task Issues_named_by_id_are_read_100_to_a_request_with_group()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        var ids = Ids(250).ToList();
        for (int i = 0; i < 3; i++) stub.Then(request => StubHandler.Json(HttpStatusCode.OK, "[" + string.Join(",", Query(request.RequestUri!).Where(p => p.Key == "group").Select(p => ClientFixture.Issue(p.Value, "WEB-" + p.Value))) + "]"));

        IReadOnlyList<SentryIssue> issues = await client.GetIssuesAsync(ids, CancellationToken.None);

        Assert.Equal(3, stub.Requests.Count);
        Assert.Equal(new[] { 50, 100, 100 }, stub.Requests.Select(r => Query(r.RequestUri!).Count(p => p.Key == "group")).OrderBy(n => n));
        Assert.All(stub.Requests, r => Assert.Equal("/api/0/organizations/acme/issues/", r.RequestUri!.AbsolutePath));
        Assert.Equal(ids.OrderBy(i => i), issues.Select(i => i.Id).OrderBy(i => i));
        Assert.All(issues, i => Assert.False(i.HasReleaseDetails));
    }

    [Fact]
    public void Bulk_requests_fit_a_URL_and_each_guard_names_exactly_its_own_ids()
    {
        var (client, _, _, _) = ClientFixture.Create();
        var ids = Ids(1000).ToList();

        IReadOnlyList<Uri> uris = client.BulkChangeUris("7", ids);

        Assert.True(uris.Count > 1);
        Assert.All(uris, u => Assert.True(u.OriginalString.Length <= SentryApiClient.MaxUrlLength, $"{u.OriginalString.Length} characters"));
        var sent = new List<string>();
        foreach (Uri uri in uris)
        {
            var query = Query(uri);
            var named = query.Where(p => p.Key == "id").Select(p => p.Value).ToList();
            Assert.Equal("7", Assert.Single(query, p => p.Key == "project").Value);
            Assert.Equal("issue.id:[" + string.Join(",", named) + "]", Assert.Single(query, p => p.Key == "query").Value);
            sent.AddRange(named);
        }

        Assert.Equal(ids, sent);
    }

    [Fact]
    public async Task A_bulk_change_reports_per_request_whether_Sentry_matched_its_ids()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        var ids = Ids(400).ToList();
        int answered = 0;
        for (int i = 0; i < 4; i++)
        {
            stub.Then(_ => Interlocked.Increment(ref answered) switch
            {
                1 => StubHandler.Json(HttpStatusCode.OK, "{\"status\":\"resolved\",\"statusDetails\":{}}"),
                2 => new HttpResponseMessage(HttpStatusCode.NoContent),
                _ => StubHandler.Json(HttpStatusCode.BadRequest, "{\"detail\":\"Invalid query. Error getting group ids and group list\"}"),
            });
        }

        IReadOnlyList<BulkChangeOutcome> outcomes = await client.UpdateIssueStatusesAsync("7", ids, new StatusChange { Status = "resolved" }, CancellationToken.None);

        Assert.Equal(stub.Requests.Count, outcomes.Count);
        Assert.All(stub.Requests, r => Assert.Equal(HttpMethod.Put, r.Method));
        Assert.Equal(ids.OrderBy(i => i), outcomes.SelectMany(o => o.IssueIds).OrderBy(i => i));
        Assert.Single(outcomes, o => o.Matched && o.Error is null);
        Assert.Single(outcomes, o => !o.Matched && o.Error is null);
        Assert.All(outcomes.Where(o => o.Error != null), o => Assert.Equal(400, o.Error!.StatusCode));
    }

    [Fact]
    public void A_bulk_change_never_goes_out_without_ids()
    {
        var (client, _, _, _) = ClientFixture.Create();
        Assert.Empty(client.BulkChangeUris("7", Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => client.BulkChangeUris("7", new[] { "WEB-1" }));
    }
}

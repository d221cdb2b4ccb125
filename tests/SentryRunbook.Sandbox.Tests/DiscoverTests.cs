using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Discover (`/events/`) against seed-examples: the client's exact requests, query syntax, validation.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DiscoverTests(SandboxFixture sandbox)
{
    private const string Events = "/api/0/organizations/acme/events/";

    private Task<(HttpResponseMessage Response, JsonElement Body)> Get(string query) => sandbox.GetJson(Events + "?" + query);

    private static JsonElement Row(JsonElement body) => Assert.Single(body.GetProperty("data").EnumerateArray());

    [Theory]
    [InlineData("query=issue.id:4501&project=1&environment=production", 200, 150)]
    [InlineData("query=issue:WEB-1", 200, 150)]
    [InlineData("query=issue:web-1&project=web", 200, 150)]
    [InlineData("query=issue:API-1&project=2", 180, 40)]
    public async Task Errors_CountAndUsers_ForAnIssue(string query, long events, long users)
    {
        var (response, body) = await Get($"dataset=errors&field=count()&field=count_unique(user)&{query}&statsPeriod=24h&per_page=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Row(body);
        Assert.Equal(events, row.GetProperty("count()").GetInt64());
        Assert.Equal(users, row.GetProperty("count_unique(user)").GetInt64());
        var meta = body.GetProperty("meta");
        Assert.Equal("integer", meta.GetProperty("fields").GetProperty("count()").GetString());
        Assert.Equal("errors", meta.GetProperty("dataset").GetString());
        Assert.False(meta.GetProperty("isMetricsData").GetBoolean());
    }

    [Fact]
    public async Task Errors_Web2_320Users()
    {
        var (_, body) = await Get("dataset=errors&field=count_unique(user)&query=issue:WEB-2&statsPeriod=24h");
        Assert.Equal(320, Row(body).GetProperty("count_unique(user)").GetInt64());
    }

    [Fact]
    public async Task Errors_NoMatch_StillAnswersOneRowOfZeros()
    {
        var (_, body) = await Get("dataset=errors&field=count()&field=count_unique(user)&query=issue:WEB-1&statsPeriod=24h&environment=staging");
        Assert.Equal(0, Row(body).GetProperty("count()").GetInt64());
    }

    [Theory]
    [InlineData("dataset=spans&field=p95(span.duration)&field=count()&query=is_transaction:true transaction:\"GET /v1/geocode\"&project=2", "p95(span.duration)")]
    [InlineData("dataset=transactions&field=p95(transaction.duration)&field=count()&query=event.type:transaction transaction:\"GET /v1/geocode\"&project=2", "p95(transaction.duration)")]
    [InlineData("dataset=discover&field=p95(transaction.duration)&field=count()&query=event.type:transaction transaction:\"GET /v1/geocode\"", "p95(transaction.duration)")]
    public async Task Geocode_P95_LastHour(string query, string field)
    {
        var (response, body) = await Get(query.Replace(" ", "%20") + "&statsPeriod=1h&per_page=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Row(body);
        Assert.InRange(row.GetProperty(field).GetDouble(), 8000, 8400);
        Assert.InRange(row.GetProperty("count()").GetInt64(), 230, 240);
        Assert.Equal("duration", body.GetProperty("meta").GetProperty("fields").GetProperty(field).GetString());
        Assert.Equal("millisecond", body.GetProperty("meta").GetProperty("units").GetProperty(field).GetString());
    }

    [Fact]
    public async Task Spans_IsTransactionFalse_ExcludesSegments()
    {
        var (_, body) = await Get("dataset=spans&field=count()&query=is_transaction:false%20transaction:\"GET%20/v1/geocode\"&statsPeriod=1h");
        Assert.Equal(0, Row(body).GetProperty("count()").GetInt64());
    }

    [Fact]
    public async Task GroupedRows_SortedAndTyped_WithEpmAndFailureRate()
    {
        var (_, body) = await Get("dataset=transactions&field=transaction&field=count()&field=epm()&field=failure_rate()&field=p50()&sort=-count()&project=api&statsPeriod=24h&per_page=5");
        var rows = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(5, rows.Count);
        var counts = rows.Select(r => r.GetProperty("count()").GetInt64()).ToList();
        Assert.Equal(counts.OrderDescending(), counts);
        var geocode = await Get("dataset=transactions&field=transaction&field=failure_rate()&query=transaction:\"GET%20/v1/geocode\"&statsPeriod=1h");
        Assert.Equal(1.0, Row(geocode.Body).GetProperty("failure_rate()").GetDouble());
        var meta = body.GetProperty("meta");
        Assert.Equal("rate", meta.GetProperty("fields").GetProperty("epm()").GetString());
        Assert.Equal("1/minute", meta.GetProperty("units").GetProperty("epm()").GetString());
        Assert.Equal("percentage", meta.GetProperty("fields").GetProperty("failure_rate()").GetString());
        Assert.Equal("string", meta.GetProperty("fields").GetProperty("transaction").GetString());
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("units").GetProperty("transaction").ValueKind);
    }

    [Theory]
    // negation, has:, quoted values, wildcards, lists, tags (bare and tag[…]), free text, OR
    [InlineData("issue:WEB-1 !server_name:web-1", 150)]
    [InlineData("issue:WEB-1 has:user.email", 200)]
    [InlineData("issue:WORKER-1 !has:release", 37)]
    [InlineData("issue:WORKER-1 has:release", 0)]
    [InlineData("transaction:\"POST /webhooks/stripe\"", 200)]
    [InlineData("transaction:\"POST /webhooks/*\"", 200)]
    [InlineData("title:*Stripe*", 200)]
    [InlineData("payment_provider:stripe", 200)]
    [InlineData("tag[payment_provider]:stripe", 200)]
    [InlineData("release:web@2.4.1 environment:staging", 12)]
    [InlineData("environment:[staging] release:web@2.4.1", 12)]
    [InlineData("\"Stripe webhook payload\"", 200)]
    [InlineData("Stripe level:fatal", 200)]
    [InlineData("issue:WEB-1 OR issue:WEB-3", 212)]
    [InlineData("issue.id:4501 event.type:error", 200)]
    [InlineData("issue.id:4501 event.type:transaction", 0)]
    public async Task QuerySyntax(string query, long expected)
    {
        var (response, body) = await Get("dataset=errors&field=count()&statsPeriod=24h&query=" + Uri.EscapeDataString(query));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Row(body).GetProperty("count()").GetInt64());
    }

    [Fact]
    public async Task Negation_OfWholeIssue()
    {
        var all = Row((await Get("dataset=errors&field=count()&statsPeriod=1h&project=1")).Body).GetProperty("count()").GetInt64();
        var rest = Row((await Get("dataset=errors&field=count()&statsPeriod=1h&project=1&query=!issue:WEB-1")).Body).GetProperty("count()").GetInt64();
        Assert.Equal(all - 200, rest);
    }

    [Fact]
    public async Task PlainRows_PagedWithLinkHeader()
    {
        var (response, body) = await Get("dataset=errors&field=id&field=timestamp&field=issue&field=user.email&query=issue:WEB-1&per_page=50&statsPeriod=24h");
        Assert.Equal(50, body.GetProperty("data").GetArrayLength());
        var link = SandboxFixture.Header(response, "Link");
        Assert.Contains("rel=\"next\"; results=\"true\"; cursor=\"0:50:0\"", link);
        Assert.Equal("date", body.GetProperty("meta").GetProperty("fields").GetProperty("timestamp").GetString());
        var (last, lastBody) = await Get("dataset=errors&field=id&field=timestamp&field=issue&field=user.email&query=issue:WEB-1&per_page=50&statsPeriod=24h&cursor=0:150:0");
        Assert.Equal(50, lastBody.GetProperty("data").GetArrayLength());
        Assert.Contains("rel=\"next\"; results=\"false\"", SandboxFixture.Header(last, "Link"));
        var times = body.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("timestamp").GetString()!).ToList();
        Assert.Equal(times.OrderDescending(StringComparer.Ordinal), times);
        Assert.EndsWith("+00:00", times[0]);
    }

    [Theory]
    [InlineData("dataset=errors&field=count()&per_page=101", "Invalid per_page value. Cannot exceed 100.")]
    [InlineData("dataset=foo&field=count()", "dataset must be one of: discover, errors, spans, transactions")]
    [InlineData("dataset=errors&field=bogus_fn()", "bogus_fn is not a valid function")]
    [InlineData("dataset=errors&field=p95(transaction.duration)", "p95: column argument invalid: transaction.duration is not a numeric column of the errors dataset")]
    [InlineData("dataset=errors&field=no_such_field_x", "Unknown field: no_such_field_x")]
    [InlineData("dataset=errors&field=count()&sort=-title", "Cannot sort by a field that is not selected.")]
    [InlineData("dataset=errors", "No columns selected")]
    [InlineData("dataset=errors&field=count()&query=issue.id:abc", "Invalid value for issue.id: abc is not an integer")]
    public async Task BadRequests_Answer400WithDetail(string query, string detail)
    {
        var (response, body) = await Get(query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(detail, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task MoreThan20Fields_Is400()
    {
        var fields = string.Join("&", Enumerable.Range(0, 21).Select(i => $"field=count_unique(tag[t{i}])"));
        var (response, body) = await Get("dataset=errors&" + fields);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("You can view up to 20 fields at a time. Please delete some and try again.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownProject_Is403()
    {
        var (response, _) = await Get("dataset=errors&field=count()&project=999");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

/// <summary>Aggregate conditions (`count_unique(issue):>1`, Sentry's HAVING) filter groups, or are refused: never a silent empty answer.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DiscoverAggregateConditionTests(SandboxFixture sandbox)
{
    private const string Events = "/api/0/organizations/acme/events/";

    private static List<(string Release, long Issues, long Count)> Rows(JsonElement body) =>
        body.GetProperty("data").EnumerateArray()
            .Select(r => (r.GetProperty("release").GetString() ?? "", r.GetProperty("count_unique(issue)").GetInt64(), r.GetProperty("count()").GetInt64()))
            .ToList();

    [Theory]
    [InlineData("count_unique(issue):>1", 1, ">")]
    [InlineData("count_unique(issue):>=2", 2, ">=")]
    [InlineData("count():<50", 50, "<c")]
    public async Task An_aggregate_condition_keeps_the_groups_that_pass(string condition, long operand, string op)
    {
        // A fixed window, not statsPeriod: both queries must see the same events, even when an old event leaves a rolling 24h between them.
        DateTimeOffset end = DateTimeOffset.UtcNow;
        string window = "start=" + Uri.EscapeDataString(end.AddHours(-24).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))
            + "&end=" + Uri.EscapeDataString(end.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        string Select = "dataset=errors&field=release&field=count_unique(issue)&field=count()&" + window + "&per_page=100";
        var (allResponse, all) = await sandbox.GetJson(Events + "?" + Select);
        Assert.Equal(HttpStatusCode.OK, allResponse.StatusCode);
        var (response, filtered) = await sandbox.GetJson(Events + "?" + Select + "&query=" + Uri.EscapeDataString(condition));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        List<(string Release, long Issues, long Count)> every = Rows(all);
        var expected = every.Where(r => op switch { ">" => r.Issues > operand, ">=" => r.Issues >= operand, _ => r.Count < operand }).ToList();
        Assert.NotEmpty(expected);                       // the seed has groups on both sides of the line,
        Assert.NotEqual(every.Count, expected.Count);     // so the condition really filters
        Assert.Equal(expected.OrderBy(r => r.Release), Rows(filtered).OrderBy(r => r.Release));
    }

    [Theory]
    [InlineData("dataset=errors&field=title&query=count_unique(issue):>1", "needs an aggregate query")]
    [InlineData("dataset=errors&field=count()&query=!count():>1", "negated aggregate conditions")]
    [InlineData("dataset=errors&field=count()&query=count():>many", "Invalid number for count()")]
    public async Task An_aggregate_condition_the_sandbox_cannot_answer_is_a_400(string query, string detail)
    {
        var (response, body) = await sandbox.GetJson(Events + "?" + query.Replace(" ", "%20") + "&statsPeriod=24h");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_aggregate_condition_in_a_time_series_is_a_400()
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/events-stats/?dataset=errors&yAxis=count()&interval=1h&statsPeriod=24h&query=" + Uri.EscapeDataString("count_unique(issue):>1"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("aggregate conditions", body.GetProperty("detail").GetString());
    }
}

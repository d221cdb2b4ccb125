using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Discover, events-timeseries and sessions answers checked against the official OpenAPI schema.</summary>
[Collection(SandboxCollection.Name)]
public sealed class DiscoverSchemaTests(SandboxFixture sandbox)
{
    private static void AssertValid(string operationId, JsonElement body)
    {
        var errors = OpenApiValidator.Validate(operationId, body);
        Assert.True(errors.Count == 0, operationId + ":\n" + string.Join("\n", errors.Take(20)));
    }

    [Theory]
    [InlineData("dataset=errors&field=count()&field=count_unique(user)&query=issue:WEB-1&statsPeriod=24h")]
    [InlineData("dataset=errors&field=issue&field=issue.id&field=title&field=last_seen()&field=count()&sort=-count()&statsPeriod=24h")]
    [InlineData("dataset=errors&field=id&field=timestamp&field=user.email&field=error.unhandled&query=issue:WEB-1&per_page=5")]
    [InlineData("dataset=spans&field=transaction&field=p95(span.duration)&field=count()&field=failure_rate()&field=epm()&query=is_transaction:true&sort=-count()")]
    [InlineData("dataset=transactions&field=p95(transaction.duration)&field=count()&query=event.type:transaction")]
    public async Task Events_MatchSchema(string query)
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/events/?" + query);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.True(body.GetProperty("data").GetArrayLength() > 0);
        AssertValid("listOrganizationEvents", body);
    }

    [Theory]
    [InlineData("dataset=errors&yAxis=count()&interval=3600&statsPeriod=24h")]
    [InlineData("dataset=spans&yAxis=p95(span.duration)&yAxis=count()&groupBy=transaction&topEvents=3&sort=-count()&statsPeriod=24h&interval=1h")]
    public async Task Timeseries_MatchSchema(string query)
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/events-timeseries/?" + query);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        Assert.True(body.GetProperty("timeSeries").GetArrayLength() > 0);
        AssertValid("listOrganizationEventsTimeseries", body);
    }

    [Theory]
    [InlineData("field=crash_free_rate(session)&field=crash_free_rate(user)&field=sum(session)&project=1&statsPeriod=24h&interval=1h")]
    [InlineData("field=sum(session)&field=count_unique(user)&groupBy=release&groupBy=environment&groupBy=project&statsPeriod=24h&includeSeries=0")]
    [InlineData("field=sum(session)&groupBy=session.status&statsPeriod=2h&interval=10m")]
    [InlineData("field=crash_free_rate(session)&project=worker&statsPeriod=24h")]
    public async Task Sessions_MatchSchema(string query)
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/sessions/?" + query);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        AssertValid("getOrganizationSessions", body);
    }
}

using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>`events-stats` and `events-timeseries` against seed-examples.</summary>
[Collection(SandboxCollection.Name)]
public sealed class EventsStatsTests(SandboxFixture sandbox)
{
    private const string Stats = "/api/0/organizations/acme/events-stats/";

    private static List<(long Time, double Value)> Points(JsonElement series) =>
        series.GetProperty("data").EnumerateArray()
            .Select(b => (b[0].GetInt64(), b[1][0].GetProperty("count").GetDouble())).ToList();

    [Fact]
    public async Task Count_PerMinute_ForWeb1_SumsTo200_WithPeak()
    {
        var (response, body) = await sandbox.GetJson(Stats + "?dataset=errors&yAxis=count()&interval=1m&query=issue.id:4501&project=1&statsPeriod=24h&partial=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var points = Points(body);
        Assert.Equal(200, points.Sum(p => p.Value));
        Assert.True(points.Max(p => p.Value) >= 40);
        Assert.InRange(points.Count, 1440, 1441);
        Assert.All(points, p => Assert.Equal(0, p.Time % 60));
        Assert.Equal(points[0].Time, body.GetProperty("start").GetInt64());
        Assert.False(body.GetProperty("isMetricsData").GetBoolean());
        Assert.Equal("integer", body.GetProperty("meta").GetProperty("fields").GetProperty("count()").GetString());
        // Zero-filled, and the inner value is an integer for count().
        Assert.Equal(JsonValueKind.Number, body.GetProperty("data")[0][1][0].GetProperty("count").ValueKind);
    }

    [Fact]
    public async Task WithoutPartial_TheIncompleteBucketIsLeftOut()
    {
        var (_, body) = await sandbox.GetJson(Stats + "?dataset=errors&yAxis=count()&interval=1m&query=issue:WEB-1&statsPeriod=24h");
        var points = Points(body);
        Assert.True(points[^1].Time + 60 <= DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.InRange(points.Sum(p => p.Value), 150, 200);
    }

    [Fact]
    public async Task UniqueUsers_PerHour_AndSeveralAxes()
    {
        var (_, body) = await sandbox.GetJson(Stats + "?dataset=errors&yAxis=count_unique(user)&yAxis=count()&interval=1h&query=issue:API-1&statsPeriod=24h&partial=1");
        var users = body.GetProperty("count_unique(user)");
        Assert.Equal(0, users.GetProperty("order").GetInt32());
        Assert.Equal(1, body.GetProperty("count()").GetProperty("order").GetInt32());
        Assert.Equal(180, Points(body.GetProperty("count()")).Sum(p => p.Value));
        var peak = Points(users).Max(p => p.Value);
        Assert.InRange(peak, 20, 40);
        Assert.All(Points(users), p => Assert.Equal(0, p.Time % 3600));
    }

    [Fact]
    public async Task TooManyBuckets_FallBackToTheDefaultInterval()
    {
        // As Sentry: not the next step that fits, but the window's default interval.
        var (_, body) = await sandbox.GetJson(Stats + "?dataset=errors&yAxis=count()&interval=1m&statsPeriod=90d");
        var points = Points(body);
        Assert.True(points.Count <= 10_000);
        Assert.Equal(86400, points[1].Time - points[0].Time);

        var (_, week) = await sandbox.GetJson(Stats + "?dataset=errors&yAxis=count()&interval=1m&statsPeriod=7d");
        var weekPoints = Points(week);
        Assert.Equal(3600, weekPoints[1].Time - weekPoints[0].Time);
    }

    [Fact]
    public async Task TopEvents_KeyedByGroup_WithOther()
    {
        var (_, body) = await sandbox.GetJson(Stats + "?dataset=errors&yAxis=count()&interval=1h&field=issue&topEvents=2&sort=-count()&statsPeriod=24h&partial=1");
        var keys = body.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(3, keys.Count);
        Assert.Equal("WEB-2", keys[0]);
        Assert.Equal("Other", keys[^1]);
        Assert.Equal(900, Points(body.GetProperty("WEB-2")).Sum(p => p.Value));
    }

    [Fact]
    public async Task P95_AndEpm_OnTransactions()
    {
        var (_, body) = await sandbox.GetJson(Stats + "?dataset=spans&yAxis=p95(span.duration)&yAxis=epm()&interval=1h&query=is_transaction:true%20transaction:\"GET%20/v1/geocode\"&statsPeriod=24h&partial=1");
        Assert.True(Points(body.GetProperty("p95(span.duration)")).Max(p => p.Value) > 7000);
        Assert.Equal("1/minute", body.GetProperty("epm()").GetProperty("meta").GetProperty("units").GetProperty("epm()").GetString());
    }

    [Fact]
    public async Task Timeseries_MillisecondTimestamps()
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/events-timeseries/?dataset=errors&yAxis=count()&interval=3600&query=issue:WEB-2&statsPeriod=24h");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var series = Assert.Single(body.GetProperty("timeSeries").EnumerateArray());
        var values = series.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(900, values.Sum(v => v.GetProperty("value").GetDouble()));
        Assert.Equal(0, values[0].GetProperty("timestamp").GetInt64() % 3_600_000);
        Assert.True(values[^1].GetProperty("incomplete").GetBoolean());
        Assert.Equal(3_600_000, series.GetProperty("meta").GetProperty("interval").GetInt64());
    }
}

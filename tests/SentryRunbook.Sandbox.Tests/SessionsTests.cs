using System.Net;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Release health (`/sessions/`) against seed-examples.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SessionsTests(SandboxFixture sandbox)
{
    private const string Sessions = "/api/0/organizations/acme/sessions/?field=crash_free_rate(session)&field=crash_free_rate(user)&field=sum(session)&field=count_unique(user)";

    [Fact]
    public async Task Web_PaymentRelease_CrashFree91Percent_AsFractions()
    {
        // Minute resolution (SaaS) gives exactly the last hour; hourly intervals are rounded to whole hours.
        var (response, body) = await sandbox.GetJson(Sessions + "&project=1&statsPeriod=1h&interval=1m&query=release:web@2.4.2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var totals = Assert.Single(body.GetProperty("groups").EnumerateArray()).GetProperty("totals");
        Assert.InRange(totals.GetProperty("crash_free_rate(session)").GetDouble(), 0.90, 0.915);
        Assert.InRange(totals.GetProperty("crash_free_rate(user)").GetDouble(), 0.80, 0.97);
        Assert.InRange(totals.GetProperty("sum(session)").GetInt64(), 600, 680);
        Assert.True(totals.GetProperty("count_unique(user)").GetInt64() > 100);

        // The hour before the sandbox seeded its data, not before the test's clock: the shared fixture may have been up for minutes.
        DateTimeOffset seeded = sandbox.Host.State.Store.CreatedAt;
        string lastHour = "&start=" + Uri.EscapeDataString(seeded.AddHours(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture))
            + "&end=" + Uri.EscapeDataString(seeded.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        var (_, all) = await sandbox.GetJson(Sessions + "&project=1" + lastHour + "&interval=1m");
        var project = Assert.Single(all.GetProperty("groups").EnumerateArray()).GetProperty("totals");
        Assert.InRange(project.GetProperty("crash_free_rate(session)").GetDouble(), 0.95, 0.985);
        Assert.InRange(project.GetProperty("sum(session)").GetInt64(), 1900, 1940);
    }

    [Fact]
    public async Task Api_StaysAbove995()
    {
        var (_, body) = await sandbox.GetJson(Sessions + "&project=api&statsPeriod=24h&interval=1h");
        var group = Assert.Single(body.GetProperty("groups").EnumerateArray());
        Assert.True(group.GetProperty("totals").GetProperty("crash_free_rate(session)").GetDouble() >= 0.995);
        Assert.All(group.GetProperty("series").GetProperty("crash_free_rate(session)").EnumerateArray(),
            v => Assert.True(v.ValueKind == JsonValueKind.Null || v.GetDouble() >= 0.98));
    }

    [Fact]
    public async Task Hourly_24h_IsRoundedToWholeHours_WithTheIncidentHourLowest()
    {
        var (_, body) = await sandbox.GetJson(Sessions + "&project=1&statsPeriod=24h&interval=1h");
        var intervals = body.GetProperty("intervals").EnumerateArray().Select(i => DateTimeOffset.Parse(i.GetString()!)).ToList();
        Assert.Equal(25, intervals.Count);
        Assert.All(intervals, i => Assert.Equal(0, i.ToUnixTimeSeconds() % 3600));
        Assert.Equal(intervals[0], DateTimeOffset.Parse(body.GetProperty("start").GetString()!));
        var series = Assert.Single(body.GetProperty("groups").EnumerateArray()).GetProperty("series");
        Assert.Equal(25, series.GetProperty("sum(session)").GetArrayLength());
        var rates = series.GetProperty("crash_free_rate(session)").EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()).ToList();
        // The hour with web@2.4.2's crashes is the lowest; how low depends on where the hour boundary falls.
        Assert.True(rates.Min() < 0.98);
        Assert.True(rates.Take(rates.Count - 1).Min() >= 0.98 || rates[^2] < 0.98, "only the last hours hold the incident");
        var users = series.GetProperty("crash_free_rate(user)").EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetDouble()).ToList();
        Assert.True(users.Min() < 0.99);
    }

    [Fact]
    public async Task GroupByRelease_AndProject_WithIntegerProjectIds()
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/sessions/?field=sum(session)&field=crash_free_rate(session)&groupBy=release&groupBy=project&statsPeriod=24h&orderBy=-sum(session)");
        var groups = body.GetProperty("groups").EnumerateArray().ToList();
        Assert.Contains(groups, g => g.GetProperty("by").GetProperty("release").GetString() == "web@2.4.1");
        Assert.All(groups, g => Assert.Equal(JsonValueKind.Number, g.GetProperty("by").GetProperty("project").ValueKind));
        var sums = groups.Select(g => g.GetProperty("totals").GetProperty("sum(session)").GetInt64()).ToList();
        Assert.Equal(sums.OrderDescending(), sums);
        var filtered = await sandbox.GetJson("/api/0/organizations/acme/sessions/?field=sum(session)&statsPeriod=24h&query=release:web@2.4.1");
        Assert.Equal(groups.Single(g => g.GetProperty("by").GetProperty("release").GetString() == "web@2.4.1").GetProperty("totals").GetProperty("sum(session)").GetInt64(),
            filtered.Body.GetProperty("groups")[0].GetProperty("totals").GetProperty("sum(session)").GetInt64());
    }

    [Fact]
    public async Task NoSessions_RatesAreNull_CountsZero()
    {
        var (_, body) = await sandbox.GetJson(Sessions + "&project=worker&statsPeriod=24h");
        var group = Assert.Single(body.GetProperty("groups").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, group.GetProperty("totals").GetProperty("crash_free_rate(session)").ValueKind);
        Assert.Equal(0, group.GetProperty("totals").GetProperty("sum(session)").GetInt64());
        Assert.All(group.GetProperty("series").GetProperty("crash_free_rate(user)").EnumerateArray(), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
    }

    [Fact]
    public async Task GroupBySessionStatus()
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/sessions/?field=sum(session)&groupBy=session.status&project=1&statsPeriod=1h&interval=1m");
        var byStatus = body.GetProperty("groups").EnumerateArray()
            .ToDictionary(g => g.GetProperty("by").GetProperty("session.status").GetString()!, g => g.GetProperty("totals").GetProperty("sum(session)").GetInt64());
        Assert.Equal(["abnormal", "crashed", "errored", "healthy"], byStatus.Keys.Order());
        // web@2.4.2 since its deploy 20 minutes ago: 3 crashes a minute; before it, one every 11th minute (22, 33, 44, 55).
        Assert.Equal(20 * 3 + 4, byStatus["crashed"]);
    }

    [Theory]
    [InlineData("field=sum(session)&interval=7m", "The interval should divide one day without a remainder.")]
    [InlineData("field=sum(session)&interval=2d", "The interval has to be less than one day.")]
    [InlineData("field=sum(session)&interval=1m&statsPeriod=24h", "The time-range when using one-minute resolution intervals is restricted to 6 hours.")]
    [InlineData("field=bogus(session)", "Invalid field: \"bogus(session)\"")]
    [InlineData("field=sum(session)&groupBy=browser", "Invalid groupBy: \"browser\"")]
    [InlineData("field=crash_free_rate(session)&groupBy=session.status", "Cannot group field crash_free_rate(session) by session.status")]
    [InlineData("statsPeriod=24h", "Request is missing a \"field\"")]
    public async Task BadRequests(string query, string detail)
    {
        var (response, body) = await sandbox.GetJson("/api/0/organizations/acme/sessions/?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
    }
}

/// <summary>Sentry's 10,000 points: with more groups than fit the intervals, only the top groups by the first field come back.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SessionsPointLimitTests(SandboxFixture sandbox)
{
    private const string Grouped = "/api/0/organizations/acme/sessions/?field=sum(session)&field=crash_free_rate(session)&groupBy=release&groupBy=environment&groupBy=project&statsPeriod=90d";

    private static List<(string Key, double Sessions)> Groups(JsonElement body) =>
        body.GetProperty("groups").EnumerateArray()
            .Select(g => (g.GetProperty("by").ToString(), g.GetProperty("totals").GetProperty("sum(session)").GetDouble()))
            .ToList();

    [Fact]
    public async Task Hourly_over_90_days_keeps_only_the_groups_that_fit_10000_points()
    {
        var (dailyResponse, daily) = await sandbox.GetJson(Grouped + "&interval=1d");
        Assert.Equal(HttpStatusCode.OK, dailyResponse.StatusCode);
        var (hourlyResponse, hourly) = await sandbox.GetJson(Grouped + "&interval=1h");
        Assert.Equal(HttpStatusCode.OK, hourlyResponse.StatusCode);

        var all = Groups(daily);
        int intervals = hourly.GetProperty("intervals").GetArrayLength();
        int fit = 10_000 / intervals;
        Assert.True(all.Count > fit, $"the seed has {all.Count} groups, more than the {fit} that fit {intervals} hourly intervals");

        var kept = Groups(hourly);
        Assert.Equal(fit, kept.Count);
        // The busiest groups (the first field, sum(session)) are the ones kept: none dropped had more sessions.
        var keptKeys = kept.Select(g => g.Key).ToHashSet();
        Assert.All(kept, g => Assert.Contains(g.Key, all.Select(a => a.Key)));
        Assert.True(all.Where(g => !keptKeys.Contains(g.Key)).Max(g => g.Sessions) <= all.Where(g => keptKeys.Contains(g.Key)).Min(g => g.Sessions));
    }
}

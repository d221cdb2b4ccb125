using System.Net;
using System.Text;
using System.Text.Json;
using SentryRunbook.Sandbox.Scenarios;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Live incidents (POST /sandbox/live): events in real time that rise, hold, decay and come back after a resolution.</summary>
public sealed class LiveIncidentTests(EmptySandbox sandbox) : IClassFixture<EmptySandbox>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, sandbox.Host.BaseUri + path);
        if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await sandbox.Client.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>Polls until the condition holds, or fails after a minute: waiting, not timing.</summary>
    private async Task<JsonElement> WaitFor(string id, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var (_, body) = await Send(HttpMethod.Get, "/sandbox/live/" + id);
            if (condition(body)) return body;
            Assert.True(DateTime.UtcNow < deadline, "the live incident never reached the expected state: " + body);
            await Task.Delay(100);
        }
    }

    [Fact]
    public void The_shape_rises_holds_decays_and_keeps_the_baseline_for_the_tail()
    {
        var shape = new LiveShape { BaselinePerMinute = 6, PeakPerMinute = 66, Rise = TimeSpan.FromSeconds(10), Plateau = TimeSpan.FromSeconds(20), Decay = TimeSpan.FromSeconds(10), Tail = TimeSpan.FromSeconds(5) };
        Assert.Equal(6, shape.RateAt(TimeSpan.Zero));
        Assert.Equal(36, shape.RateAt(TimeSpan.FromSeconds(5)), 6);
        Assert.Equal(66, shape.RateAt(TimeSpan.FromSeconds(25)));
        Assert.Equal(36, shape.RateAt(TimeSpan.FromSeconds(35)), 6);
        Assert.Equal(6, shape.RateAt(TimeSpan.FromSeconds(42)));
        Assert.Equal(0, shape.RateAt(TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public async Task A_live_incident_opens_an_issue_and_sends_the_events_its_shape_owes()
    {
        // 1200/min = 20/s: 10 in the 1 s rise, 40 over the 2 s plateau, 10 in the 1 s decay: about 60 in all.
        var (status, started) = await Send(HttpMethod.Post, "/sandbox/live", """{"project":"web","type":"LiveShapeError","value":"shape test","peakPerMinute":1200,"rise":1,"plateau":"2s","decay":1,"users":7}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var id = started.GetProperty("id").GetString()!;
        var issueId = started.GetProperty("issueId").GetString()!;
        Assert.StartsWith("WEB-", started.GetProperty("shortId").GetString());

        var done = await WaitFor(id, b => b.GetProperty("phase").GetString() == "finished");
        long events = done.GetProperty("events").GetInt64();
        Assert.InRange(events, 50, 62);

        var (_, issue) = await sandbox.GetJson($"/api/0/organizations/{sandbox.Host.Organization}/issues/{issueId}/");
        Assert.Equal(events.ToString(System.Globalization.CultureInfo.InvariantCulture), issue.GetProperty("count").GetString());
        Assert.Equal(7, issue.GetProperty("userCount").GetInt32());
        Assert.Equal("LiveShapeError: shape test", issue.GetProperty("title").GetString());
    }

    [Fact]
    public async Task After_a_resolution_a_restarting_live_incident_regresses_the_issue()
    {
        var (_, started) = await Send(HttpMethod.Post, "/sandbox/live", """{"project":"web","type":"LiveRegressionError","value":"comes back","peakPerMinute":600,"rise":0.5,"plateau":0.5,"decay":0.5,"restartAfterResolve":"1s"}""");
        var id = started.GetProperty("id").GetString()!;
        var issueId = started.GetProperty("issueId").GetString()!;
        await WaitFor(id, b => b.GetProperty("phase").GetString() == "waiting-for-resolution");

        using var put = new HttpRequestMessage(HttpMethod.Put, $"{sandbox.Host.BaseUri}/api/0/organizations/{sandbox.Host.Organization}/issues/{issueId}/") { Content = new StringContent("""{"status":"resolved"}""", Encoding.UTF8, "application/json") };
        using (var resolved = await sandbox.Client.SendAsync(put)) Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);

        var again = await WaitFor(id, b => b.GetProperty("wave").GetInt32() == 2 && b.GetProperty("issueStatus").GetString() == "unresolved");
        Assert.Equal(issueId, again.GetProperty("issueId").GetString());
        var (_, issue) = await sandbox.GetJson($"/api/0/organizations/{sandbox.Host.Organization}/issues/{issueId}/");
        Assert.Equal("regressed", issue.GetProperty("substatus").GetString());
        await WaitFor(id, b => b.GetProperty("phase").GetString() == "finished");
    }

    [Fact]
    public async Task A_live_incident_on_an_existing_issue_repeats_its_events_and_can_be_stopped()
    {
        var (_, first) = await Send(HttpMethod.Post, "/sandbox/live", """{"project":"api","type":"LiveExistingError","value":"existing","peakPerMinute":60,"rise":0,"plateau":0.1,"decay":0}""");
        var shortId = first.GetProperty("shortId").GetString()!;
        await WaitFor(first.GetProperty("id").GetString()!, b => b.GetProperty("phase").GetString() == "finished");

        var (status, again) = await Send(HttpMethod.Post, "/sandbox/live", "{\"issue\":\"" + shortId + "\",\"peakPerMinute\":600,\"rise\":0,\"plateau\":\"1h\",\"decay\":0}");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(shortId, again.GetProperty("shortId").GetString());
        var id = again.GetProperty("id").GetString()!;
        await WaitFor(id, b => b.GetProperty("events").GetInt64() >= 3);

        var (stopStatus, _) = await Send(HttpMethod.Delete, "/sandbox/live/" + id);
        Assert.Equal(HttpStatusCode.OK, stopStatus);
        var stopped = await WaitFor(id, b => b.GetProperty("phase").GetString() == "stopped");
        long events = stopped.GetProperty("events").GetInt64();
        await Task.Delay(300);
        var (_, later) = await Send(HttpMethod.Get, "/sandbox/live/" + id);
        Assert.Equal(events, later.GetProperty("events").GetInt64());
        var (list, all) = await Send(HttpMethod.Get, "/sandbox/live");
        Assert.Equal(HttpStatusCode.OK, list);
        Assert.Contains(all.EnumerateArray(), l => l.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("""{"peak":5}""", "unknown property 'peak'")]
    [InlineData("""{"rise":"soon"}""", "'rise' must be seconds")]
    [InlineData("""{"rise":0,"plateau":0,"decay":0}""", "longer than zero")]
    [InlineData("""{"issue":"NOPE-1"}""", "no issue 'NOPE-1'")]
    [InlineData("""{"project":"nope"}""", "no project 'nope'")]
    public async Task A_bad_request_is_a_400_naming_the_problem(string body, string detail)
    {
        var (status, answer) = await Send(HttpMethod.Post, "/sandbox/live", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(detail, answer.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_live_incident_is_a_404()
    {
        var (status, _) = await Send(HttpMethod.Get, "/sandbox/live/live-999");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}

using System.Net;
using SentryRunbook.Client;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

public class WebhookSenderTests
{
    private static readonly Uri Hook = new("https://hooks.slack.com/services/T000/B000/secretpart");

    private static WebhookSender Sender(StubHandler stub, List<string> log) =>
        new(stub, maxAttempts: 3, baseDelay: TimeSpan.FromMilliseconds(1), maxDelay: TimeSpan.FromMilliseconds(50)) { Log = line => { lock (log) log.Add(line); } };

    [Fact]
    public async Task A_429_is_retried_after_Retry_After_then_delivered()
    {
        var stub = new StubHandler().ThenJson((HttpStatusCode)429, "{}", ("Retry-After", "0")).Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") });
        var log = new List<string>();
        IncidentDelivery delivery = await Sender(stub, log).SendAsync("Slack", "Initial", Hook, "{\"text\":\"x\"}", CancellationToken.None);

        Assert.True(delivery.Succeeded);
        Assert.Equal(200, delivery.StatusCode);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal("hooks.slack.com", delivery.Host);
        Assert.All(stub.Requests, r => Assert.Equal(HttpMethod.Post, r.Method));
        Assert.All(log, l => Assert.DoesNotContain("secretpart", l));
    }

    [Fact]
    public async Task A_refusal_is_not_retried()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.NotFound, "{\"error\":\"no_service\"}");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("Slack", "Initial", Hook, "{}", CancellationToken.None);
        Assert.False(delivery.Succeeded);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains("no_service", delivery.Detail);
        Assert.DoesNotContain("secretpart", delivery.ToString());
    }

    [Fact]
    public async Task Server_errors_are_retried_until_the_attempts_run_out()
    {
        var stub = new StubHandler();
        for (int i = 0; i < 3; i++) stub.ThenJson(HttpStatusCode.ServiceUnavailable, "down");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("Teams", "Update", Hook, "{}", CancellationToken.None);
        Assert.False(delivery.Succeeded);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(503, delivery.StatusCode);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task Network_faults_are_retried()
    {
        var stub = new StubHandler().ThenThrow(new HttpRequestException("reset")).ThenJson(HttpStatusCode.Accepted, "{\"status\":\"success\"}");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("PagerDuty", "Initial", new Uri("https://events.pagerduty.com/v2/enqueue"), "{}", CancellationToken.None);
        Assert.True(delivery.Succeeded);
        Assert.Equal(202, delivery.StatusCode);
    }
}

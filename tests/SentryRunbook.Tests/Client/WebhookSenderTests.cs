using System.Net;
using System.Net.Sockets;
using SentryRunbook.Client;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

/// <summary>Webhook deliveries go through the client's one retry layer: each rule with a scripted handler that counts attempts.</summary>
public class WebhookSenderTests
{
    private static readonly Uri Hook = new("https://hooks.slack.com/services/T000/B000/secretpart");
    private static readonly Uri PagerDuty = new("https://events.pagerduty.com/v2/enqueue");

    private static WebhookSender Sender(StubHandler stub, List<string> log) =>
        new(stub, maxAttempts: 3, baseDelay: TimeSpan.FromMilliseconds(1), maxDelay: TimeSpan.FromMilliseconds(50)) { Log = line => { lock (log) log.Add(line); } };

    private static HttpRequestException Refused() => new("refused", new SocketException((int)SocketError.ConnectionRefused));

    [Fact]
    public async Task A_429_is_retried_after_Retry_After_then_delivered()
    {
        var stub = new StubHandler().ThenJson((HttpStatusCode)429, "{}", ("Retry-After", "0")).Then(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") });
        var log = new List<string>();
        IncidentDelivery delivery = await Sender(stub, log).SendAsync("Slack", "Initial", Hook, "{\"text\":\"x\"}", CancellationToken.None);

        Assert.True(delivery.Succeeded);
        Assert.Equal(200, delivery.StatusCode);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal("hooks.slack.com", delivery.Host);
        Assert.All(stub.Requests, r => Assert.Equal(HttpMethod.Post, r.Method));
        Assert.Contains(log, l => l.StartsWith("retry 1/2", StringComparison.Ordinal));
        Assert.All(log, l => Assert.DoesNotContain("secretpart", l));
    }

    [Fact]
    public async Task A_refusal_is_not_retried()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.NotFound, "{\"error\":\"no_service\"}");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("Slack", "Initial", Hook, "{}", CancellationToken.None);
        Assert.False(delivery.Succeeded);
        Assert.False(delivery.OutcomeUnknown);
        Assert.Equal(1, delivery.Attempts);
        Assert.Single(stub.Requests);
        Assert.Contains("no_service", delivery.Detail);
        Assert.DoesNotContain("secretpart", delivery.ToString());
    }

    [Theory]
    [InlineData("Slack")]
    [InlineData("Teams")]
    [InlineData("Webhook")]
    public async Task A_5xx_from_a_chat_webhook_is_not_sent_again_and_says_the_message_may_have_been_posted(string target)
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.ServiceUnavailable, "down").ThenJson(HttpStatusCode.OK, "ok");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync(target, "Update", Hook, "{}", CancellationToken.None);

        Assert.Single(stub.Requests);
        Assert.False(delivery.Succeeded);
        Assert.True(delivery.OutcomeUnknown);
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal(503, delivery.StatusCode);
        Assert.Contains("may or may not have been posted", delivery.Detail);
    }

    [Fact]
    public async Task A_connection_lost_mid_request_to_Slack_is_not_sent_again()
    {
        var stub = new StubHandler().ThenThrow(new HttpRequestException("The response ended prematurely.", new IOException("reset"))).ThenJson(HttpStatusCode.OK, "ok");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("Slack", "Initial", Hook, "{}", CancellationToken.None);

        Assert.Single(stub.Requests);
        Assert.False(delivery.Succeeded);
        Assert.True(delivery.OutcomeUnknown);
        Assert.Null(delivery.StatusCode);
    }

    [Fact]
    public async Task A_connection_that_never_opened_is_tried_again_even_for_Slack()
    {
        var stub = new StubHandler().ThenThrow(Refused()).ThenJson(HttpStatusCode.OK, "ok");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("Slack", "Initial", Hook, "{}", CancellationToken.None);

        Assert.True(delivery.Succeeded);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task PagerDuty_deduplicates_so_its_5xx_is_retried_until_the_attempts_run_out()
    {
        var stub = new StubHandler();
        for (int i = 0; i < 3; i++) stub.ThenJson(HttpStatusCode.ServiceUnavailable, "down");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("PagerDuty", "Update", PagerDuty, "{}", CancellationToken.None);

        Assert.False(delivery.Succeeded);
        Assert.False(delivery.OutcomeUnknown);   // a repeat is harmless: PagerDuty keys the alert by dedup_key
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(503, delivery.StatusCode);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task PagerDuty_is_retried_after_a_connection_lost_mid_request()
    {
        var stub = new StubHandler().ThenThrow(new HttpRequestException("reset")).ThenJson(HttpStatusCode.Accepted, "{\"status\":\"success\"}");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("PagerDuty", "Initial", PagerDuty, "{}", CancellationToken.None);
        Assert.True(delivery.Succeeded);
        Assert.Equal(202, delivery.StatusCode);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_generic_webhook_4xx_after_a_429_ends_the_delivery()
    {
        var stub = new StubHandler().ThenJson((HttpStatusCode)429, "{}").ThenJson(HttpStatusCode.BadRequest, "bad");
        IncidentDelivery delivery = await Sender(stub, new List<string>()).SendAsync("Webhook", "Initial", Hook, "{}", CancellationToken.None);
        Assert.False(delivery.Succeeded);
        Assert.False(delivery.OutcomeUnknown);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal(400, delivery.StatusCode);
    }
}

using System.Net;
using System.Net.Sockets;
using SentryRunbook.Client;
using SentryRunbook.Errors;

namespace SentryRunbook.Tests.Client;

public class SentryHttpTests
{
    private static (SentryHttp Http, StubHandler Stub, InstantTime Time) Create()
    {
        var stub = new StubHandler();
        var time = new InstantTime(ClientFixture.Now);
        var http = new SentryHttp(new SentryClientOptions(ClientFixture.Base, "acme", ClientFixture.Token) { Handler = stub, TimeProvider = time, MaxRetries = 3 });
        return (http, stub, time);
    }

    private static SentryRequest Post() =>
        new(HttpMethod.Post, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/1/comments/"), "event:write", "{\"text\":\"hi\"}");

    [Fact]
    public async Task A_POST_that_reached_the_server_is_not_repeated()
    {
        var (http, stub, _) = Create();
        stub.ThenJson(HttpStatusCode.ServiceUnavailable, "{\"detail\":\"down\"}");

        var error = await Assert.ThrowsAsync<SentryApiException>(() => http.SendAsync(Post(), CancellationToken.None));

        Assert.Single(stub.Requests);
        Assert.Equal(503, error.StatusCode);
    }

    [Fact]
    public async Task A_POST_that_only_reads_is_retried_after_a_server_error()
    {
        var (http, stub, _) = Create();
        stub.ThenJson(HttpStatusCode.ServiceUnavailable, "{\"detail\":\"down\"}")
            .ThenJson(HttpStatusCode.OK, "{\"headline\":\"h\"}");
        var summarize = new SentryRequest(HttpMethod.Post, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/1/summarize/"), "event:read", "{}", safeToRepeat: true);

        SentryResponse response = await http.SendAsync(summarize, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_POST_whose_connection_was_refused_is_retried()
    {
        var (http, stub, _) = Create();
        stub.ThenThrow(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)))
            .ThenJson(HttpStatusCode.Created, "{\"id\":\"9\"}");

        SentryResponse response = await http.SendAsync(Post(), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_POST_that_failed_mid_flight_is_not_retried()
    {
        var (http, stub, _) = Create();
        stub.ThenThrow(new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset)));

        var error = await Assert.ThrowsAsync<SentryApiException>(() => http.SendAsync(Post(), CancellationToken.None));

        Assert.Equal("SentryUnreachable", error.ErrorId);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task An_exhausted_rate_limit_budget_delays_the_next_request_until_the_reset()
    {
        var (http, stub, time) = Create();
        long reset = ClientFixture.Now.AddSeconds(5).ToUnixTimeSeconds();
        var get = new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/"), "org:read");
        stub.ThenJson(HttpStatusCode.OK, "{}", ("X-Sentry-Rate-Limit-Remaining", "0"), ("X-Sentry-Rate-Limit-Reset", reset.ToString()))
            .ThenJson(HttpStatusCode.OK, "{}");

        await http.SendAsync(get, CancellationToken.None);
        Assert.Empty(time.Waits);
        await http.SendAsync(get, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(time.Waits));
    }

    [Fact]
    public async Task Concurrency_is_limited_per_connection()
    {
        // The first three requests are held until all three are in flight: the limit must let exactly three through
        // together (fewer would never release them; more would show as a fourth in flight).
        var stub = new StubHandler();
        var allThreeIn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, peak = 0;
        for (int i = 0; i < 12; i++)
        {
            bool held = i < 3;
            stub.ThenAsync(async (_, ct) =>
            {
                int now = Interlocked.Increment(ref inFlight);
                lock (stub) peak = Math.Max(peak, now);
                if (now == 3) allThreeIn.TrySetResult(true);
                // Only a guard against a hang if the limiter let fewer through; the assertion is on peak.
                if (held) await allThreeIn.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
                Interlocked.Decrement(ref inFlight);
                return StubHandler.Json(HttpStatusCode.OK, "{}");
            });
        }

        using var http = new SentryHttp(new SentryClientOptions(ClientFixture.Base, "acme", ClientFixture.Token) { Handler = stub, MaxConcurrency = 3 });
        var get = new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/"), "org:read");
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => http.SendAsync(get, CancellationToken.None)));

        Assert.Equal(12, stub.Requests.Count);
        Assert.Equal(3, peak);
    }

    [Theory]
    [InlineData("https://x/api/0/organizations/acme/issues/4123/", "/api/0/organizations/acme/issues/{id}/")]
    [InlineData("https://x/api/0/organizations/acme/issues/WEB-1/events/latest/", "/api/0/organizations/acme/issues/{id}/events/{id}/")]
    [InlineData("https://x/api/0/organizations/acme/issues/?query=a", "/api/0/organizations/acme/issues/")]
    public void Rate_limit_budgets_are_per_endpoint(string uri, string key) => Assert.Equal(key, SentryHttp.RateLimitKey(new Uri(uri)));

    [Fact]
    public async Task A_spent_budget_of_one_endpoint_does_not_delay_another()
    {
        var (http, stub, time) = Create();
        long reset = ClientFixture.Now.AddSeconds(5).ToUnixTimeSeconds();
        stub.ThenJson(HttpStatusCode.OK, "{}", ("X-Sentry-Rate-Limit-Remaining", "0"), ("X-Sentry-Rate-Limit-Reset", reset.ToString()))
            .ThenJson(HttpStatusCode.OK, "[]");

        await http.SendAsync(new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/1/"), "event:read"), CancellationToken.None);
        await http.SendAsync(new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/"), "event:read"), CancellationToken.None);

        Assert.Empty(time.Waits);
    }
}

/// <summary>Ctrl+C while the client waits to retry: the wait ends at once, with no clock in the test.</summary>
public class RetryWaitCancellationTests
{
    /// <summary>A clock whose timers never fire: a retry wait lasts until it is cancelled.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        public TaskCompletionSource<bool> WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override DateTimeOffset GetUtcNow() => ClientFixture.Now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan && dueTime > TimeSpan.Zero) WaitStarted.TrySetResult(true);
            return new Never();
        }

        private sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task Cancelling_during_a_retry_wait_stops_the_call_without_another_attempt()
    {
        var stub = new StubHandler().ThenJson(HttpStatusCode.ServiceUnavailable, "{\"detail\":\"down\"}", ("Retry-After", "600"));
        var time = new FrozenTime();
        using var http = new SentryHttp(new SentryClientOptions(ClientFixture.Base, "acme", ClientFixture.Token) { Handler = stub, TimeProvider = time, MaxRetries = 3, MaxRetryDelay = TimeSpan.FromMinutes(10) });
        using var stop = new CancellationTokenSource();
        var get = new SentryRequest(HttpMethod.Get, new Uri(ClientFixture.Base, "api/0/organizations/acme/issues/"), "event:read");

        Task<SentryResponse> call = http.SendAsync(get, stop.Token);
        await time.WaitStarted.Task;   // the client is now waiting to retry, and would wait for ever
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(stub.Requests);
    }
}

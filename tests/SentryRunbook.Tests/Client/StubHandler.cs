using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace SentryRunbook.Tests.Client;

/// <summary>A scripted Sentry: answers each request with the next response in line and records what it was asked.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _responses = new();

    public List<HttpRequestMessage> Requests { get; } = new();
    public List<string?> Authorizations { get; } = new();

    public StubHandler Then(Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        _responses.Enqueue((request, _) => Task.FromResult(respond(request)));
        return this;
    }

    public StubHandler ThenAsync(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond)
    {
        _responses.Enqueue(respond);
        return this;
    }

    public StubHandler ThenJson(HttpStatusCode status, string json, params (string Name, string Value)[] headers) =>
        Then(_ => Json(status, json, headers));

    public StubHandler ThenThrow(Exception exception)
    {
        _responses.Enqueue((_, _) => Task.FromException<HttpResponseMessage>(exception));
        return this;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request);
            Authorizations.Add(request.Headers.Authorization?.ToString());
        }

        if (!_responses.TryDequeue(out var respond))
        {
            throw new InvalidOperationException($"Unexpected request {request.Method} {request.RequestUri}");
        }

        return respond(request, cancellationToken).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) t.Result.RequestMessage = request;
            return t;
        }, TaskScheduler.Default).Unwrap();
    }
}

/// <summary>A clock whose timers fire at once: retries run instantly while the waits they asked for are recorded.</summary>
internal sealed class InstantTime : TimeProvider
{
    private readonly DateTimeOffset _now;

    public InstantTime(DateTimeOffset now) => _now = now;

    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override DateTimeOffset GetUtcNow() => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            Waits.Enqueue(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SentryRunbook.Sandbox.Http;

/// <summary>
/// Adds Sentry's `X-Sentry-Rate-Limit-*` headers to every response, counted in a fixed one-second
/// window per (token, route). It never blocks: clients can test header parsing without flaky 429s.
/// </summary>
public sealed class RateLimitHeaders(RequestDelegate next, SandboxState state)
{
    private const int Limit = 40;
    private const int ConcurrentLimit = 25;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private int _inFlight;

    private sealed class Window(long second)
    {
        public long Second = second;
        public int Count;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // Self-hosted Sentry sends none (REFERENCE.md §1.1): `--no-rate-limit-headers` or /sandbox/options.
        if (!state.Options.RateLimitHeaders)
        {
            await next(context);
            return;
        }
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
        var key = context.Request.Headers.Authorization.ToString() + "|" + route;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var window = _windows.GetOrAdd(key, _ => new Window(now));
        int used;
        lock (window)
        {
            if (window.Second != now)
            {
                window.Second = now;
                window.Count = 0;
            }
            used = ++window.Count;
        }

        var concurrent = Interlocked.Increment(ref _inFlight);
        try
        {
            var h = context.Response.Headers;
            h["X-Sentry-Rate-Limit-Limit"] = Limit.ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-Remaining"] = Math.Max(0, Limit - used).ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-Reset"] = (now + 1).ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-ConcurrentLimit"] = ConcurrentLimit.ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-ConcurrentRemaining"] = Math.Max(0, ConcurrentLimit - concurrent).ToString(CultureInfo.InvariantCulture);
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace SentryRunbook.Sandbox.Http;

/// <summary>
/// Sentry's API rate limits, enforced as sentry.io enforces them (REFERENCE.md §1.6): per caller (the
/// token), route template and HTTP method, in fixed windows aligned to the epoch (issue details GET and
/// PUT 5 a second, DELETE 5 in 5 seconds, issue tags 10 a second, the legacy project issue list 5 a
/// second, 40 a second otherwise), plus at most 25 requests in flight per endpoint. Every answer carries
/// the `X-Sentry-Rate-Limit-*` headers; a refusal is the real 429: a bare JSON string body and no
/// Retry-After. Refused requests count too, as in Sentry's Redis counter. Off with `--no-rate-limits`
/// (or /sandbox/options `rateLimits`) and in the self-hosted-legacy profile: self-hosted Sentry has none.
/// Ingest (the SDKs' envelope and store routes) has limits of its own and is not counted here.
/// </summary>
public sealed class RateLimits(RequestDelegate next, SandboxState state)
{
    public const int ConcurrentLimit = 25;

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    private sealed class Counter
    {
        public long Bucket = -1;
        public int Count;
        public int InFlight;
    }

    /// <summary>The limit of an endpoint: requests per window, and the window in seconds.</summary>
    public static (int Limit, int WindowSeconds) LimitOf(string method, string route) => (method, route) switch
    {
        ("GET" or "PUT", "/api/0/organizations/{org}/issues/{id}/") => (5, 1),
        ("DELETE", "/api/0/organizations/{org}/issues/{id}/") => (5, 5),
        ("GET", "/api/0/organizations/{org}/issues/{id}/tags/") => (10, 1),
        ("GET", "/api/0/projects/{org}/{project}/issues/") => (5, 1),
        _ => (40, 1),
    };

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path != "/api/0" && !path.StartsWith("/api/0/", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? path;
        var method = context.Request.Method.ToUpperInvariant();
        try
        {
            if (state.Options.RateLimits) await Limit(context, method, route);
            else await next(context);
        }
        finally
        {
            state.Traffic.Count(method, route, context.Response.StatusCode);
        }
    }

    private async Task Limit(HttpContext context, string method, string route)
    {
        var (limit, windowSeconds) = LimitOf(method, route);
        var counter = _counters.GetOrAdd(context.Request.Headers.Authorization.ToString() + "|" + method + " " + route, _ => new Counter());

        var bucket = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / (windowSeconds * 1000L);
        int used;
        lock (counter)
        {
            if (counter.Bucket != bucket)
            {
                counter.Bucket = bucket;
                counter.Count = 0;
            }
            used = ++counter.Count;
        }

        var inFlight = Interlocked.Increment(ref counter.InFlight);
        try
        {
            var h = context.Response.Headers;
            h["X-Sentry-Rate-Limit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-Remaining"] = Math.Max(0, limit - used).ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-Reset"] = ((bucket + 1) * windowSeconds).ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-ConcurrentLimit"] = ConcurrentLimit.ToString(CultureInfo.InvariantCulture);
            h["X-Sentry-Rate-Limit-ConcurrentRemaining"] = Math.Max(0, ConcurrentLimit - inFlight).ToString(CultureInfo.InvariantCulture);

            if (used > limit)
            {
                await Refuse(context, $"You are attempting to use this endpoint too frequently. Limit is {limit} requests in {windowSeconds} seconds");
                return;
            }
            if (inFlight > ConcurrentLimit)
            {
                await Refuse(context, $"You are attempting to go above the allowed concurrency for this endpoint. Concurrency limit is {ConcurrentLimit}");
                return;
            }
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref counter.InFlight);
        }
    }

    /// <summary>
    /// Sentry's middleware answers with a plain Django HttpResponse: the body is a JSON string, the
    /// Content-Type is probably text/html (unconfirmed, REFERENCE.md §15), and there is no Retry-After.
    /// </summary>
    private static Task Refuse(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(message));
    }
}

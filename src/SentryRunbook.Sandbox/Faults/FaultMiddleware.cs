using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SentryRunbook.Sandbox.Faults;

/// <summary>
/// Injects the configured faults into web-API requests (and ingest, when enabled).
/// Pipeline position: after the control endpoint and after <c>RateLimits</c>, before
/// <c>PathRules</c> and auth. Before auth because (a) 5xx, drops and truncation stand for proxies and
/// crashes, which do not care about credentials, and (b) Sentry's rate limiter keys anonymous or
/// badly-authenticated callers by IP, so a real 429 can precede a 401; it also keeps fault tests
/// independent of the token. After <c>RateLimits</c> so a 429 here overwrites that middleware's
/// headers with consistent values (Remaining 0, Reset = now + resetSeconds).
/// </summary>
public sealed class FaultMiddleware(RequestDelegate next, FaultInjector faults)
{
    private const string LimitHeader = "X-Sentry-Rate-Limit-Limit";
    private const string RemainingHeader = "X-Sentry-Rate-Limit-Remaining";
    private const string ResetHeader = "X-Sentry-Rate-Limit-Reset";
    private const string ConcurrentLimitHeader = "X-Sentry-Rate-Limit-ConcurrentLimit";
    private const string ConcurrentRemainingHeader = "X-Sentry-Rate-Limit-ConcurrentRemaining";

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task InvokeAsync(HttpContext context)
    {
        if (faults.Decide(context.Request) is not { } decision)
        {
            await next(context);
            return;
        }

        if (decision.DelayMs > 0)
        {
            try
            {
                await Task.Delay(decision.DelayMs, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up while we were "slow"
            }
        }

        switch (decision.Kind)
        {
            case null:
                await next(context);
                return;
            case FaultKind.RateLimit:
                await (decision.Ingest ? IngestRateLimited(context, decision.Settings) : RateLimited(context, decision.Settings));
                return;
            case FaultKind.ServerError:
                await ServerError(context, decision.ServerErrorStatus);
                return;
            case FaultKind.Drop:
                // No status line, no headers: the client sees the connection close under it.
                context.Abort();
                return;
            case FaultKind.Truncate:
                await Truncated(context, next);
                return;
        }
    }

    /// <summary>
    /// Sentry's API rate limiter: 429, body a bare JSON string, Remaining 0, Reset in unix seconds. Django's
    /// plain HttpResponse carries Content-Type text/html, so clients must parse the body, not trust the type.
    /// No Retry-After unless configured (Sentry's middleware sends none).
    /// </summary>
    private static Task RateLimited(HttpContext context, FaultSettings settings)
    {
        var h = context.Response.Headers;
        var limit = int.TryParse(h[LimitHeader].ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : 40;
        var reset = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + settings.ResetSeconds;
        h[LimitHeader] = limit.ToString(CultureInfo.InvariantCulture);
        h[RemainingHeader] = "0";
        h[ResetHeader] = reset.ToString(CultureInfo.InvariantCulture);
        if (!h.ContainsKey(ConcurrentLimitHeader)) h[ConcurrentLimitHeader] = "25";
        if (!h.ContainsKey(ConcurrentRemainingHeader)) h[ConcurrentRemainingHeader] = "24";
        if (settings.RetryAfterSeconds is { } retryAfter) h.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);

        var message = $"You are attempting to use this endpoint too frequently. Limit is {limit} requests in 1 seconds";
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(JsonValue.Create(message).ToJsonString(RelaxedJson));
    }

    /// <summary>Relay's answer on ingest: 429 with Retry-After and X-Sentry-Rate-Limits, which the SDKs honour.</summary>
    private static Task IngestRateLimited(HttpContext context, FaultSettings settings)
    {
        var seconds = settings.RetryAfterSeconds ?? Math.Max(1, settings.ResetSeconds);
        var h = context.Response.Headers;
        h.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        h["X-Sentry-Rate-Limits"] = seconds.ToString(CultureInfo.InvariantCulture) + "::organization";
        return WriteJson(context, StatusCodes.Status429TooManyRequests, new JsonObject { ["detail"] = "event submission rejected: rate limited" });
    }

    /// <summary>500: Sentry's own JSON. 502/503/504: what nginx in front of Sentry sends (HTML, no Sentry headers).</summary>
    private static Task ServerError(HttpContext context, int status)
    {
        if (status == StatusCodes.Status500InternalServerError)
        {
            return WriteJson(context, status, new JsonObject
            {
                ["detail"] = "Internal Error",
                ["errorId"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            });
        }

        // A proxy answered, not Sentry: none of the application's headers survive.
        foreach (var name in context.Response.Headers.Keys.Where(k => k.StartsWith("X-Sentry-", StringComparison.OrdinalIgnoreCase)).ToList())
            context.Response.Headers.Remove(name);
        var title = status switch
        {
            StatusCodes.Status502BadGateway => "502 Bad Gateway",
            StatusCodes.Status503ServiceUnavailable => "503 Service Temporarily Unavailable",
            StatusCodes.Status504GatewayTimeout => "504 Gateway Time-out",
            _ => status.ToString(CultureInfo.InvariantCulture),
        };
        var html = $"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html";
        return context.Response.WriteAsync(html);
    }

    /// <summary>
    /// Runs the real route into a buffer, then announces the full Content-Length, sends the first half
    /// and stops. Kestrel sees too few bytes for the Content-Length after the response started and
    /// closes the connection, so the client reads a cut-off body ("response ended prematurely").
    /// </summary>
    private static async Task Truncated(HttpContext context, RequestDelegate next)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var bytes = buffer.ToArray();
        if (bytes.Length < 2)
        {
            // Nothing worth cutting (204, HEAD): the closest a client can see is a dropped connection.
            context.Abort();
            return;
        }

        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static Task WriteJson(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(RelaxedJson), Encoding.UTF8);
    }
}

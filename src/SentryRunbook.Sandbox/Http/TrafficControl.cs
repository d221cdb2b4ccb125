using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Faults;

namespace SentryRunbook.Sandbox.Http;

/// <summary>Web-API requests the sandbox answered, by method and route template, with how many were refused with 429.</summary>
public sealed class Traffic
{
    private readonly ConcurrentDictionary<string, Tally> _routes = new(StringComparer.Ordinal);

    private sealed class Tally
    {
        public int Requests;
        public int RateLimited;
    }

    public void Count(string method, string route, int status)
    {
        var tally = _routes.GetOrAdd(method + " " + route, _ => new Tally());
        Interlocked.Increment(ref tally.Requests);
        if (status == StatusCodes.Status429TooManyRequests) Interlocked.Increment(ref tally.RateLimited);
    }

    public void Reset() => _routes.Clear();

    public JsonObject ToJson()
    {
        var routes = new JsonObject();
        int requests = 0, limited = 0;
        foreach (var (key, tally) in _routes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var space = key.IndexOf(' ');
            var (limit, window) = RateLimits.LimitOf(key[..space], key[(space + 1)..]);
            routes[key] = new JsonObject { ["requests"] = tally.Requests, ["rateLimited"] = tally.RateLimited, ["limit"] = limit, ["windowSeconds"] = window };
            requests += tally.Requests;
            limited += tally.RateLimited;
        }
        return new JsonObject { ["requests"] = requests, ["rateLimited"] = limited, ["routes"] = routes };
    }
}

/// <summary>
/// `GET /sandbox/traffic` answers <see cref="Traffic"/> as JSON; `DELETE /sandbox/traffic` starts the count
/// again. Loopback only, no token, not counted. Benchmarks and tests use it to prove "no 429" and to
/// compute the floor Sentry's limits put under a run.
/// </summary>
public sealed class TrafficControl(RequestDelegate next, SandboxState state)
{
    public const string Path = "/sandbox/traffic";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.Length > 1) path = path.TrimEnd('/');
        if (!path.Equals(Path, StringComparison.OrdinalIgnoreCase) || !FaultControl.IsLocal(context.Connection.RemoteIpAddress))
        {
            await next(context);
            return;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsDelete(method)) state.Traffic.Reset();
        else if (!HttpMethods.IsGet(method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, DELETE";
            return;
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(state.Traffic.ToJson().ToJsonString(), Encoding.UTF8);
    }
}

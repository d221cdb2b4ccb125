using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SentryRunbook.Sandbox.Faults;

/// <summary>
/// The control endpoint, first in the pipeline: never faulted, needs no bearer token, and answers only
/// loopback callers (anyone else falls through to the normal 404).
/// <list type="bullet">
/// <item>`GET /sandbox/faults` — settings in force (failNext.count is what is left).</item>
/// <item>`PUT /sandbox/faults` — replace them all (omitted field = off); re-seeds, re-arms, zeroes the stats.</item>
/// <item>`DELETE /sandbox/faults` — everything off.</item>
/// <item>`GET /sandbox/faults/stats` — `{"requests":n,"injected":{...}}` since the last PUT/DELETE.</item>
/// </list>
/// A trailing slash is accepted on both paths.
/// </summary>
public sealed class FaultControl(RequestDelegate next, FaultInjector faults)
{
    public const string SettingsPath = "/sandbox/faults";
    public const string StatsPath = "/sandbox/faults/stats";
    private const int MaxBody = 64 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.Length > 1) path = path.TrimEnd('/');
        var isSettings = path.Equals(SettingsPath, StringComparison.OrdinalIgnoreCase);
        var isStats = path.Equals(StatsPath, StringComparison.OrdinalIgnoreCase);
        if ((!isSettings && !isStats) || !IsLocal(context.Connection.RemoteIpAddress)) return next(context);

        var method = context.Request.Method;
        if (isStats)
        {
            return HttpMethods.IsGet(method) || HttpMethods.IsHead(method)
                ? Write(context, StatusCodes.Status200OK, faults.StatsJson())
                : NotAllowed(context, "GET");
        }

        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return Write(context, StatusCodes.Status200OK, faults.SettingsJson());
        if (HttpMethods.IsDelete(method))
        {
            faults.Reset();
            return Write(context, StatusCodes.Status200OK, faults.SettingsJson());
        }

        if (HttpMethods.IsPut(method)) return Put(context);
        return NotAllowed(context, "GET, PUT, DELETE");
    }

    private async Task Put(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBody)
        {
            await Detail(context, StatusCodes.Status400BadRequest, "body too large");
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var settings = FaultSettings.FromJson(text, out var error);
        if (settings is null)
        {
            await Detail(context, StatusCodes.Status400BadRequest, error ?? "invalid fault settings");
            return;
        }

        faults.Replace(settings);
        await Write(context, StatusCodes.Status200OK, faults.SettingsJson());
    }

    /// <summary>Loopback only (IPv4-mapped too). No address at all means an in-memory test server.</summary>
    public static bool IsLocal(IPAddress? remote)
    {
        if (remote is null) return true;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return IPAddress.IsLoopback(remote);
    }

    private static Task NotAllowed(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return Detail(context, StatusCodes.Status405MethodNotAllowed, $"Method \"{context.Request.Method}\" not allowed.");
    }

    private static Task Detail(HttpContext context, int status, string detail) =>
        Write(context, status, new JsonObject { ["detail"] = detail });

    private static Task Write(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }
}

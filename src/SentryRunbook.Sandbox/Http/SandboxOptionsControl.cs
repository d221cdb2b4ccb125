using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Faults;

namespace SentryRunbook.Sandbox.Http;

/// <summary>
/// `GET|PUT /sandbox/options` (trailing slash optional): behaviour switches tests flip at run time.
/// Loopback only, no bearer token, never faulted (it runs first, like /sandbox/faults). PUT takes any
/// subset of `{"bulkFallbackToSearch": bool, "rateLimits": bool}` (`rateLimitHeaders` is the old name of `rateLimits`) and answers with all of them.
/// </summary>
public sealed class SandboxOptionsControl(RequestDelegate next, SandboxState state)
{
    public const string Path = "/sandbox/options";

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
        if (HttpMethods.IsGet(method))
        {
            await Write(context, StatusCodes.Status200OK, Current());
            return;
        }
        if (!HttpMethods.IsPut(method))
        {
            context.Response.Headers.Allow = "GET, PUT";
            await Write(context, StatusCodes.Status405MethodNotAllowed, new JsonObject { ["detail"] = $"Method \"{method}\" not allowed." });
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        bool? fallback = null, rateLimit = null, deleteNamed = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("expected an object");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new JsonException($"'{p.Name}' must be true or false");
                switch (p.Name)
                {
                    case "bulkFallbackToSearch": fallback = p.Value.GetBoolean(); break;
                    case "rateLimits" or "rateLimitHeaders": rateLimit = p.Value.GetBoolean(); break;
                    case "deleteNamedIssuesOnNextBulkChange": deleteNamed = p.Value.GetBoolean(); break;
                    default: throw new JsonException($"unknown option '{p.Name}'");
                }
            }
        }
        catch (JsonException ex)
        {
            await Write(context, StatusCodes.Status400BadRequest, new JsonObject { ["detail"] = ex.Message });
            return;
        }
        if (fallback is { } f) state.Options.BulkFallbackToSearch = f;
        if (rateLimit is { } r) state.Options.RateLimits = r;
        if (deleteNamed is { } d) state.Options.DeleteNamedIssuesOnNextBulkChange = d;
        await Write(context, StatusCodes.Status200OK, Current());
    }

    private JsonObject Current() => new()
    {
        ["bulkFallbackToSearch"] = state.Options.BulkFallbackToSearch,
        ["rateLimits"] = state.Options.RateLimits,
        ["deleteNamedIssuesOnNextBulkChange"] = state.Options.DeleteNamedIssuesOnNextBulkChange,
    };

    private static Task Write(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }
}

/// <summary>Before every request: archived issues whose ignore duration ran out come back (EventStore.ExpireSnoozes).</summary>
public sealed class SnoozeExpiry(RequestDelegate next, SandboxState state)
{
    public Task InvokeAsync(HttpContext context)
    {
        state.Store.ExpireSnoozes(DateTimeOffset.UtcNow);
        return next(context);
    }
}

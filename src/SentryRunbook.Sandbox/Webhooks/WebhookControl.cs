using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Faults;

namespace SentryRunbook.Sandbox.Webhooks;

/// <summary>
/// `GET|PUT /sandbox/webhooks`: the integration's webhook settings (the secret is never echoed), and
/// `GET /sandbox/webhooks/deliveries`: what was sent and how each attempt went. Loopback only, no token,
/// never faulted. PUT takes any subset of `{"url", "secret", "resources": [..], "threshold", "window": "1m",
/// "timeoutMs", "maxAttempts", "retryDelayMs"}`; `"url": null` turns deliveries off.
/// </summary>
public sealed class WebhookControl(RequestDelegate next, SandboxState state, WebhookDispatcher dispatcher)
{
    public const string Path = "/sandbox/webhooks";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.Length > 1) path = path.TrimEnd('/');
        var isSettings = path.Equals(Path, StringComparison.OrdinalIgnoreCase);
        var isDeliveries = path.Equals(Path + "/deliveries", StringComparison.OrdinalIgnoreCase);
        if ((!isSettings && !isDeliveries) || !FaultControl.IsLocal(context.Connection.RemoteIpAddress))
        {
            await next(context);
            return;
        }

        var method = context.Request.Method;
        if (isDeliveries && HttpMethods.IsGet(method)) { await Write(context, 200, Deliveries()); return; }
        if (isSettings && HttpMethods.IsGet(method)) { await Write(context, 200, Current()); return; }
        if (!isSettings || !HttpMethods.IsPut(method))
        {
            context.Response.Headers.Allow = isSettings ? "GET, PUT" : "GET";
            await Write(context, 405, new JsonObject { ["detail"] = $"Method \"{method}\" not allowed." });
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var settings = state.Options.Webhooks;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("expected an object");
            // Validate everything first, then apply: a bad field changes nothing.
            var changes = new List<Action>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var v = p.Value;
                switch (p.Name)
                {
                    case "url":
                        if (v.ValueKind == JsonValueKind.Null) { changes.Add(() => settings.Url = null); break; }
                        if (v.ValueKind != JsonValueKind.String || !Uri.TryCreate(v.GetString(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                            throw new JsonException("'url' must be an http(s) URL or null");
                        changes.Add(() => settings.Url = url);
                        break;
                    case "secret":
                        if (v.ValueKind != JsonValueKind.String || v.GetString()!.Length == 0) throw new JsonException("'secret' must be a non-empty string");
                        var secret = v.GetString();
                        changes.Add(() => settings.Secret = secret);
                        break;
                    case "resources":
                        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String)) throw new JsonException("'resources' must be an array of strings");
                        if (!WebhookSettings.TryParseResources(string.Join(",", v.EnumerateArray().Select(r => r.GetString())), out var resources, out var error)) throw new JsonException(error);
                        changes.Add(() => settings.Resources = resources);
                        break;
                    case "threshold":
                        if (!v.TryGetInt32(out var count) || count < 1) throw new JsonException("'threshold' must be a whole number, 1 or more");
                        changes.Add(() => settings.ThresholdCount = count);
                        break;
                    case "window":
                        if (v.ValueKind != JsonValueKind.String || !WebhookSettings.TryParseWindow(v.GetString(), out var window)) throw new JsonException("'window' must be like 1m, 5m, 1h or 1d");
                        changes.Add(() => settings.ThresholdWindow = window);
                        break;
                    case "timeoutMs":
                        if (!v.TryGetInt32(out var timeout) || timeout < 1) throw new JsonException("'timeoutMs' must be a positive number");
                        changes.Add(() => settings.Timeout = TimeSpan.FromMilliseconds(timeout));
                        break;
                    case "maxAttempts":
                        if (!v.TryGetInt32(out var attempts) || attempts < 1 || attempts > 10) throw new JsonException("'maxAttempts' must be 1-10");
                        changes.Add(() => settings.MaxAttempts = attempts);
                        break;
                    case "retryDelayMs":
                        if (!v.TryGetInt32(out var delay) || delay < 0) throw new JsonException("'retryDelayMs' must be 0 or more");
                        changes.Add(() => settings.RetryDelay = TimeSpan.FromMilliseconds(delay));
                        break;
                    default:
                        throw new JsonException($"unknown setting '{p.Name}'");
                }
            }
            foreach (var change in changes) change();
        }
        catch (JsonException ex)
        {
            await Write(context, 400, new JsonObject { ["detail"] = ex.Message });
            return;
        }
        await Write(context, 200, Current());
    }

    private JsonObject Current()
    {
        var s = state.Options.Webhooks;
        return new JsonObject
        {
            ["enabled"] = s.Enabled,
            ["url"] = s.Url?.ToString(),
            ["secretSet"] = !string.IsNullOrEmpty(s.Secret),
            ["resources"] = new JsonArray(s.Resources.Order(StringComparer.Ordinal).Select(r => (JsonNode?)r).ToArray()),
            ["rules"] = new JsonArray(WebhookSettings.RuleFirstSeen, WebhookSettings.RuleRegression, s.RuleFrequency),
            ["threshold"] = s.ThresholdCount,
            ["window"] = WebhookSettings.Window(s.ThresholdWindow),
            ["timeoutMs"] = (int)s.Timeout.TotalMilliseconds,
            ["maxAttempts"] = s.MaxAttempts,
            ["retryDelayMs"] = (int)s.RetryDelay.TotalMilliseconds,
            ["installation"] = s.InstallationUuid,
        };
    }

    private JsonArray Deliveries() => new(dispatcher.Deliveries.Select(d => (JsonNode?)new JsonObject
    {
        ["id"] = d.Id,
        ["resource"] = d.Resource,
        ["action"] = d.Action,
        ["issueId"] = d.IssueId,
        ["rule"] = d.Rule,
        ["delivered"] = d.Delivered,
        ["finished"] = d.Finished,
        ["attempts"] = new JsonArray(d.Attempts.ToArray().Select(a => (JsonNode?)new JsonObject { ["requestId"] = a.RequestId, ["status"] = a.Status, ["error"] = a.Error }).ToArray()),
    }).ToArray());

    private static Task Write(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }
}

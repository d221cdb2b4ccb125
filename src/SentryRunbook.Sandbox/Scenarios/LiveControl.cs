using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Faults;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// `POST /sandbox/live` starts a live incident; `GET /sandbox/live` lists them, `GET|DELETE /sandbox/live/{id}` shows or
/// stops one. Loopback only, no token, never faulted or rate limited (it is the rehearsal's controller, not Sentry's API).
/// The body takes `issue` (id or short id of an existing issue; omit it to open a new one in `project` with `type` and
/// `value`), `environment`, `release`, `baselinePerMinute`, `peakPerMinute`, `rise`, `plateau`, `decay`, `tail`
/// (seconds, or "30s", "2m"), `users` (the pool of distinct users) and `restartAfterResolve` (start again this long
/// after the issue is resolved; once). Unknown properties are a 400 naming them.
/// </summary>
public sealed partial class LiveControl(RequestDelegate next, LiveIncidents live)
{
    public const string Path = "/sandbox/live";

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.Length > 1) path = path.TrimEnd('/');
        var isList = path.Equals(Path, StringComparison.OrdinalIgnoreCase);
        var isOne = path.StartsWith(Path + "/", StringComparison.OrdinalIgnoreCase);
        if ((!isList && !isOne) || !FaultControl.IsLocal(context.Connection.RemoteIpAddress))
        {
            await next(context);
            return;
        }

        var method = context.Request.Method;
        if (isOne)
        {
            var id = path[(Path.Length + 1)..];
            var found = live.Find(id);
            if (found is null) { await Write(context, 404, new JsonObject { ["detail"] = $"No live incident '{id}'." }); return; }
            if (HttpMethods.IsGet(method)) { await Write(context, 200, Describe(found)); return; }
            if (HttpMethods.IsDelete(method)) { live.Stop(id); await Write(context, 200, Describe(found)); return; }
            context.Response.Headers.Allow = "GET, DELETE";
            await Write(context, 405, new JsonObject { ["detail"] = $"Method \"{method}\" not allowed." });
            return;
        }

        if (HttpMethods.IsGet(method)) { await Write(context, 200, new JsonArray(live.All.Select(l => (JsonNode?)Describe(l)).ToArray())); return; }
        if (!HttpMethods.IsPost(method))
        {
            context.Response.Headers.Allow = "GET, POST";
            await Write(context, 405, new JsonObject { ["detail"] = $"Method \"{method}\" not allowed." });
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        LiveIncident started;
        try
        {
            started = live.Start(Parse(text));
        }
        catch (Exception ex) when (ex is JsonException || ex is ArgumentException)
        {
            await Write(context, 400, new JsonObject { ["detail"] = ex.Message });
            return;
        }

        await Write(context, 201, Describe(started));
    }

    internal static LiveShape Parse(string text)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("expected a JSON object");
        string? issue = null, release = null;
        string project = "web", type = "LiveIncidentError", value = "Upstream checkout API failing", environment = "production";
        double baseline = 0, peak = 60;
        TimeSpan rise = TimeSpan.FromSeconds(30), plateau = TimeSpan.FromMinutes(1), decay = TimeSpan.FromMinutes(1), tail = TimeSpan.Zero;
        TimeSpan? restart = null;
        int users = 25;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "issue": issue = Text(p); break;
                case "project": project = Text(p); break;
                case "type": type = Text(p); break;
                case "value": value = Text(p); break;
                case "environment": environment = Text(p); break;
                case "release": release = Text(p); break;
                case "baselinePerMinute": baseline = Number(p, 0, 100000); break;
                case "peakPerMinute": peak = Number(p, 0, 100000); break;
                case "rise": rise = Duration(p); break;
                case "plateau": plateau = Duration(p); break;
                case "decay": decay = Duration(p); break;
                case "tail": tail = Duration(p); break;
                case "users": users = (int)Number(p, 0, 100000); break;
                case "restartAfterResolve": restart = v.ValueKind == JsonValueKind.Null ? null : Duration(p); break;
                default: throw new JsonException($"unknown property '{p.Name}'");
            }
        }

        var shape = new LiveShape
        {
            Issue = issue, Project = project, ExceptionType = type, ExceptionValue = value, Environment = environment, Release = release,
            BaselinePerMinute = baseline, PeakPerMinute = peak, Rise = rise, Plateau = plateau, Decay = decay, Tail = tail, Users = users,
            RestartAfterResolve = restart,
        };
        if (shape.Length <= TimeSpan.Zero) throw new JsonException("'rise' + 'plateau' + 'decay' + 'tail' must be longer than zero");
        if (shape.Length > TimeSpan.FromDays(1)) throw new JsonException("a live incident lasts at most a day");
        return shape;
    }

    private static JsonObject Describe(LiveIncident l) => new()
    {
        ["id"] = l.Id,
        ["issueId"] = l.Issue.Id.ToString(CultureInfo.InvariantCulture),
        ["shortId"] = l.Issue.ShortId,
        ["phase"] = l.Phase,
        ["wave"] = l.Waves,
        ["events"] = l.Events,
        ["startedAt"] = l.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["endsAt"] = (l.StartedAt + l.Shape.Length).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["issueStatus"] = l.Issue.Status,
    };

    private static string Text(JsonProperty p) =>
        p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.Length > 0 ? p.Value.GetString()! : throw new JsonException($"'{p.Name}' must be a non-empty string");

    private static double Number(JsonProperty p, double min, double max) =>
        p.Value.TryGetDouble(out var n) && n >= min && n <= max ? n : throw new JsonException($"'{p.Name}' must be a number from {min} to {max}");

    /// <summary>Seconds as a number, or "90s", "2m", "1h".</summary>
    private static TimeSpan Duration(JsonProperty p)
    {
        if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var seconds) && seconds >= 0) return TimeSpan.FromSeconds(seconds);
        if (p.Value.ValueKind == JsonValueKind.String && DurationText().Match(p.Value.GetString()!) is { Success: true } m)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), _ => TimeSpan.FromHours(n) };
        }

        throw new JsonException($"'{p.Name}' must be seconds (a number) or like \"30s\", \"2m\", \"1h\"");
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([smh])$")]
    private static partial Regex DurationText();

    private static Task Write(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }
}

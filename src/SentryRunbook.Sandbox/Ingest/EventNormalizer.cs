using System.Text.Json;
using SentryRunbook.Sandbox.Model;
using static SentryRunbook.Sandbox.Ingest.ProtocolJson;

namespace SentryRunbook.Sandbox.Ingest;

/// <summary>What an ingest request knows besides the payload: where it came from and when.</summary>
public sealed record IngestContext(Project Project, DateTimeOffset Received, string? ClientIp, JsonElement? EnvelopeHeader);

/// <summary>
/// Turns an SDK event payload (snake_case protocol, as the .NET, Node and CLI SDKs send it) into an
/// <see cref="ErrorEvent"/>: timestamps as ISO strings or float seconds, breadcrumbs bare or under
/// `values`, tags as an object or pairs, `message` as text or object, `logentry`, `{{auto}}` IPs.
/// </summary>
public static class EventNormalizer
{
    private static readonly HashSet<string> Levels = new(StringComparer.Ordinal) { "fatal", "error", "warning", "info", "debug", "sample" };

    public static ErrorEvent Normalize(JsonElement root, IngestContext ctx, int size)
    {
        var timestamp = Time(root, "timestamp") ?? ctx.Received;
        var (message, template, parameters) = ReadMessage(root);
        var contexts = Get(root, "contexts");
        var trace = contexts is { } c ? Get(c, "trace") : null;
        return new ErrorEvent
        {
            EventId = EventId(root, ctx),
            Project = ctx.Project,
            Timestamp = timestamp,
            Received = ctx.Received,
            Level = Level(Str(root, "level")),
            Platform = Str(root, "platform") ?? "other",
            Release = NonEmpty(Str(root, "release")),
            Dist = NonEmpty(Str(root, "dist")),
            Environment = NonEmpty(Str(root, "environment")),
            Message = message,
            MessageTemplate = template,
            MessageParams = parameters,
            Logger = NonEmpty(Str(root, "logger")),
            Transaction = NonEmpty(Str(root, "transaction")),
            ServerName = NonEmpty(Str(root, "server_name")),
            Exceptions = Values(Get(root, "exception")).Select(ReadException).ToArray(),
            Breadcrumbs = Values(Get(root, "breadcrumbs")).Select(b => ReadBreadcrumb(b, timestamp)).ToArray(),
            User = ReadUser(Get(root, "user"), ctx.ClientIp),
            SdkTags = Pairs(Get(root, "tags")),
            ContextsJson = Raw(root, "contexts"),
            TraceId = trace is { } t ? Str(t, "trace_id") : null,
            SpanId = trace is { } s ? Str(s, "span_id") : null,
            ContextTags = ContextTags(contexts),
            Request = ReadRequest(Get(root, "request")),
            Sdk = ReadSdk(Get(root, "sdk")),
            Fingerprint = Get(root, "fingerprint") is { } f ? Strings(f) : null,
            ExtraJson = Raw(root, "extra"),
            ModulesJson = Raw(root, "modules"),
            Size = size,
        };
    }

    /// <summary>The payload's event id, else the envelope's, else a new one (Relay assigns ids too).</summary>
    public static string EventId(JsonElement root, IngestContext ctx) =>
        Store.EventStore.NormalizeEventId(Str(root, "event_id"))
        ?? (ctx.EnvelopeHeader is { } h ? Store.EventStore.NormalizeEventId(Str(h, "event_id")) : null)
        ?? Guid.NewGuid().ToString("N");

    private static string Level(string? raw) => raw?.ToLowerInvariant() switch
    {
        null or "" => "error",
        "warn" => "warning",
        "critical" => "fatal",
        "log" => "info",
        var l when Levels.Contains(l) => l,
        _ => "error",
    };

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>`logentry` (or an object `message`) gives formatted + template + params; a string `message` is both.</summary>
    private static (string? Message, string? Template, IReadOnlyList<string> Params) ReadMessage(JsonElement root)
    {
        var entry = Get(root, "logentry") ?? Get(root, "sentry.interfaces.Message");
        if (entry is null && Get(root, "message") is { ValueKind: JsonValueKind.Object } o) entry = o;
        if (entry is { } e)
        {
            var template = Str(e, "message");
            var parameters = Values(Get(e, "params")).Select(AsString).OfType<string>().ToArray();
            var formatted = Str(e, "formatted") ?? Format(template, parameters);
            return (formatted, template, parameters);
        }
        var text = Str(root, "message");
        return (NonEmpty(text), null, []);
    }

    /// <summary>Relay formats `%s` and `{0}`-style placeholders when the SDK did not.</summary>
    private static string? Format(string? template, IReadOnlyList<string> parameters)
    {
        if (template is null || parameters.Count == 0) return template;
        var result = template;
        for (var i = 0; i < parameters.Count; i++)
        {
            var percent = result.IndexOf("%s", StringComparison.Ordinal);
            result = percent >= 0 ? string.Concat(result.AsSpan(0, percent), parameters[i], result.AsSpan(percent + 2))
                : result.Replace("{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}", parameters[i], StringComparison.Ordinal);
        }
        return result;
    }

    private static ExceptionValue ReadException(JsonElement e)
    {
        var mechanism = Get(e, "mechanism") is { } m ? new Mechanism(Str(m, "type"), Bool(m, "handled")) : null;
        var frames = Get(e, "stacktrace") is { } st ? Values(Get(st, "frames")).Select(ReadFrame).ToArray() : [];
        return new ExceptionValue(Str(e, "type"), Str(e, "value"), Str(e, "module"), mechanism, frames);
    }

    public static Frame ReadFrame(JsonElement f) => new(
        Str(f, "filename"), Str(f, "abs_path"), Str(f, "function"), Str(f, "module"),
        Int(f, "lineno"), Int(f, "colno"), Bool(f, "in_app"),
        Str(f, "context_line"),
        Get(f, "pre_context") is { } pre ? Strings(pre) : null,
        Get(f, "post_context") is { } post ? Strings(post) : null,
        Str(f, "package"));

    private static Breadcrumb ReadBreadcrumb(JsonElement b, DateTimeOffset fallback) => new(
        Time(b, "timestamp") ?? fallback,
        Str(b, "type"), Str(b, "category"), Str(b, "level"), Str(b, "message"), Raw(b, "data"));

    public static EventUser? ReadUser(JsonElement? user, string? clientIp)
    {
        if (user is not { ValueKind: JsonValueKind.Object } u) return null;
        var ip = Str(u, "ip_address");
        if (ip == "{{auto}}") ip = clientIp;
        var result = new EventUser(NonEmpty(Str(u, "id")), NonEmpty(Str(u, "email")), NonEmpty(Str(u, "username")), NonEmpty(ip), NonEmpty(Str(u, "name")), Raw(u, "data"));
        return result.Tag is null && result.Name is null ? null : result;
    }

    private static EventRequest? ReadRequest(JsonElement? request)
    {
        if (request is not { ValueKind: JsonValueKind.Object } r) return null;
        var result = new EventRequest(
            Str(r, "url"), Str(r, "method"),
            Pairs(Get(r, "headers")), Pairs(Get(r, "query_string")), Pairs(Get(r, "cookies"), ';'),
            Get(r, "data") is { } d ? d.GetRawText() : null);
        // SDKs send `request: {}` when there is no HTTP request; keep no entry for it.
        return result.Url is null && result.Method is null && result.Headers.Count == 0 && result.DataJson is null ? null : result;
    }

    private static SdkInfo? ReadSdk(JsonElement? sdk)
    {
        if (sdk is not { ValueKind: JsonValueKind.Object } s) return null;
        var packages = Values(Get(s, "packages"))
            .Select(p => new SdkPackage(Str(p, "name") ?? "", Str(p, "version") ?? ""))
            .ToArray();
        return new SdkInfo(Str(s, "name"), Str(s, "version"), packages);
    }

    /// <summary>The tags Sentry derives from contexts: `browser`, `os`, `runtime` as "name version", plus `*.name` and `device`.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ContextTags(JsonElement? contexts)
    {
        if (contexts is not { ValueKind: JsonValueKind.Object } c) return [];
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var key in new[] { "browser", "os", "runtime" })
        {
            if (Get(c, key) is not { } ctx) continue;
            var name = Str(ctx, "name");
            if (name is null) continue;
            var version = Str(ctx, "version")?.Trim();
            tags.Add(new(key, string.IsNullOrEmpty(version) ? name : $"{name} {version}"));
            tags.Add(new(key + ".name", name));
        }
        if (Get(c, "device") is { } device)
        {
            if ((Str(device, "model") ?? Str(device, "family")) is { } model) tags.Add(new("device", model));
            if (Str(device, "family") is { } family) tags.Add(new("device.family", family));
        }
        return tags;
    }
}

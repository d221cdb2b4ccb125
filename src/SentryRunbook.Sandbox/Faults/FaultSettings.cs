using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SentryRunbook.Sandbox.Faults;

/// <summary>What "fail the next N requests" does to each of those requests.</summary>
public enum FaultKind
{
    /// <summary>429 with Sentry's JSON-string body and `X-Sentry-Rate-Limit-*` headers.</summary>
    RateLimit,

    /// <summary>5xx with the status in <see cref="FaultSettings.ServerErrorStatus"/> (or a fixed one, see <see cref="FaultSettings.FailNextStatus"/>).</summary>
    ServerError,

    /// <summary>The connection is aborted before any response byte.</summary>
    Drop,

    /// <summary>Headers announce the full length, half the body is written, then the connection is aborted.</summary>
    Truncate,
}

/// <summary>
/// The fault configuration: parsed from the command line at start and replaced wholesale through
/// `PUT /sandbox/faults`. Every field omitted from a PUT body means off (zero); defaults are listed
/// on each property. Instances are treated as immutable once handed to <see cref="FaultInjector"/>.
/// </summary>
public sealed class FaultSettings
{
    public static readonly int[] ServerErrorStatuses = [500, 502, 503, 504];
    public static readonly string[] FailNextKinds = ["429", "rateLimit", "5xx", "serverError", "500", "502", "503", "504", "drop", "truncate"];

    /// <summary>Fixed delay added before every faulted-scope response.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Extra delay drawn uniformly from 0..LatencyJitterMs (inclusive).</summary>
    public int LatencyJitterMs { get; set; }

    /// <summary>Fraction of requests answered with a fault, split evenly between 429 and 5xx (`--fault-rate`).</summary>
    public double FaultRate { get; set; }

    public double RateLimitRate { get; set; }
    public double ServerErrorRate { get; set; }

    /// <summary>500 (Sentry's JSON body), 502/503/504 (proxy HTML). Default 500.</summary>
    public int ServerErrorStatus { get; set; } = 500;

    public double DropRate { get; set; }
    public double TruncateRate { get; set; }

    /// <summary>Exact counter: the next FailNextCount in-scope requests get FailNextKind (before any rate draw).</summary>
    public int FailNextCount { get; set; }

    public FaultKind FailNextKind { get; set; } = FaultKind.RateLimit;

    /// <summary>A fixed 5xx status for failNext kinds "500"/"502"/"503"/"504"; null = use ServerErrorStatus.</summary>
    public int? FailNextStatus { get; set; }

    /// <summary>Only requests whose path starts with this (ordinal) are faulted; null = every API path.</summary>
    public string? PathPrefix { get; set; }

    /// <summary>Only these HTTP methods are faulted (case-insensitive); null/empty = all.</summary>
    public IReadOnlyList<string>? Methods { get; set; }

    /// <summary>Retry-After (seconds) on web-API 429s; null = none, as Sentry's middleware sends none.</summary>
    public int? RetryAfterSeconds { get; set; }

    /// <summary>X-Sentry-Rate-Limit-Reset on a 429 is now + this many seconds. Default 1.</summary>
    public int ResetSeconds { get; set; } = 1;

    /// <summary>Also fault ingest (`/api/{project_id}/envelope/`, `/store/`); off by default.</summary>
    public bool ApplyToIngest { get; set; }

    /// <summary>Seed of the Random that draws jitter and rate faults; null = unseeded.</summary>
    public int? Seed { get; set; }

    /// <summary>True when nothing at all would be injected.</summary>
    public bool IsOff =>
        LatencyMs == 0 && LatencyJitterMs == 0 && FaultRate == 0 && RateLimitRate == 0 && ServerErrorRate == 0 &&
        DropRate == 0 && TruncateRate == 0 && FailNextCount == 0;

    public FaultSettings Clone() => (FaultSettings)MemberwiseClone();

    public static string KindName(FaultKind kind, int? status) => kind switch
    {
        FaultKind.RateLimit => "429",
        FaultKind.ServerError => status?.ToString(CultureInfo.InvariantCulture) ?? "5xx",
        FaultKind.Drop => "drop",
        FaultKind.Truncate => "truncate",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a failNext kind name; returns false for an unknown name.</summary>
    public static bool TryParseKind(string? text, out FaultKind kind, out int? status)
    {
        status = null;
        kind = FaultKind.RateLimit;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "429":
            case "ratelimit":
            case "ratelimited":
                kind = FaultKind.RateLimit;
                return true;
            case "5xx":
            case "servererror":
                kind = FaultKind.ServerError;
                return true;
            case "500":
            case "502":
            case "503":
            case "504":
                kind = FaultKind.ServerError;
                status = int.Parse(text!.Trim(), CultureInfo.InvariantCulture);
                return true;
            case "drop":
            case "dropped":
                kind = FaultKind.Drop;
                return true;
            case "truncate":
            case "truncated":
                kind = FaultKind.Truncate;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Checks ranges; returns an error message or null.</summary>
    public string? Validate()
    {
        if (LatencyMs < 0 || LatencyMs > 600_000) return "latencyMs must be 0-600000";
        if (LatencyJitterMs < 0 || LatencyJitterMs > 600_000) return "latencyJitterMs must be 0-600000";
        foreach (var (name, value) in new[]
                 {
                     ("faultRate", FaultRate), ("rateLimitRate", RateLimitRate), ("serverErrorRate", ServerErrorRate),
                     ("dropRate", DropRate), ("truncateRate", TruncateRate),
                 })
        {
            if (double.IsNaN(value) || value < 0 || value > 1) return $"{name} must be a fraction 0..1";
        }

        if (FaultRate + RateLimitRate + ServerErrorRate + DropRate + TruncateRate > 1.000001)
            return "faultRate + rateLimitRate + serverErrorRate + dropRate + truncateRate must not exceed 1";
        if (!ServerErrorStatuses.Contains(ServerErrorStatus)) return "serverErrorStatus must be 500, 502, 503 or 504";
        if (FailNextCount < 0) return "failNext.count must be >= 0";
        if (RetryAfterSeconds is < 0) return "retryAfterSeconds must be >= 0 or null";
        if (ResetSeconds < 0) return "resetSeconds must be >= 0";
        return null;
    }

    /// <summary>The JSON `GET /sandbox/faults` returns; <paramref name="failNextRemaining"/> is the live counter.</summary>
    public JsonObject ToJson(int failNextRemaining) => new()
    {
        ["latencyMs"] = LatencyMs,
        ["latencyJitterMs"] = LatencyJitterMs,
        ["faultRate"] = FaultRate,
        ["rateLimitRate"] = RateLimitRate,
        ["serverErrorRate"] = ServerErrorRate,
        ["serverErrorStatus"] = ServerErrorStatus,
        ["dropRate"] = DropRate,
        ["truncateRate"] = TruncateRate,
        ["failNext"] = new JsonObject { ["count"] = failNextRemaining, ["kind"] = KindName(FailNextKind, FailNextStatus) },
        ["pathPrefix"] = PathPrefix,
        ["methods"] = Methods is null ? null : new JsonArray(Methods.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
        ["retryAfterSeconds"] = RetryAfterSeconds,
        ["resetSeconds"] = ResetSeconds,
        ["applyToIngest"] = ApplyToIngest,
        ["seed"] = Seed,
    };

    /// <summary>
    /// Parses a PUT body. Omitted fields are off/zero (serverErrorStatus 500, resetSeconds 1). Unknown
    /// fields are refused so a typo in a test does not silently turn a fault off.
    /// </summary>
    public static FaultSettings? FromJson(string text, out string? error)
    {
        error = null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text.Length == 0 ? "{}" : text);
        }
        catch (JsonException e)
        {
            error = "invalid JSON: " + e.Message;
            return null;
        }

        if (root is not JsonObject obj)
        {
            error = "the body must be a JSON object";
            return null;
        }

        var s = new FaultSettings();
        try
        {
            foreach (var (name, value) in obj)
            {
                switch (name)
                {
                    case "latencyMs": s.LatencyMs = Int(value, name); break;
                    case "latencyJitterMs": s.LatencyJitterMs = Int(value, name); break;
                    case "faultRate": s.FaultRate = Double(value, name); break;
                    case "rateLimitRate": s.RateLimitRate = Double(value, name); break;
                    case "serverErrorRate": s.ServerErrorRate = Double(value, name); break;
                    case "serverErrorStatus": s.ServerErrorStatus = value is null ? 500 : Int(value, name); break;
                    case "dropRate": s.DropRate = Double(value, name); break;
                    case "truncateRate": s.TruncateRate = Double(value, name); break;
                    case "failNext": ReadFailNext(s, value); break;
                    case "pathPrefix": s.PathPrefix = value is null ? null : Str(value, name); break;
                    case "methods": s.Methods = value is null ? null : MethodList(value); break;
                    case "retryAfterSeconds": s.RetryAfterSeconds = value is null ? null : Int(value, name); break;
                    case "resetSeconds": s.ResetSeconds = value is null ? 1 : Int(value, name); break;
                    case "applyToIngest": s.ApplyToIngest = value is not null && Bool(value, name); break;
                    case "seed": s.Seed = value is null ? null : Int(value, name); break;
                    default: throw new FormatException($"unknown field '{name}'");
                }
            }
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            error = e.Message;
            return null;
        }

        error = s.Validate();
        return error is null ? s : null;
    }

    private static void ReadFailNext(FaultSettings s, JsonNode? value)
    {
        if (value is null) return;
        if (value is not JsonObject fn) throw new FormatException("failNext must be an object {\"count\":N,\"kind\":\"429\"}");
        foreach (var (name, v) in fn)
        {
            switch (name)
            {
                case "count":
                    s.FailNextCount = v is null ? 0 : Int(v, "failNext.count");
                    break;
                case "kind":
                    var text = v is null ? "429" : Str(v, "failNext.kind");
                    if (!TryParseKind(text, out var kind, out var status))
                        throw new FormatException($"failNext.kind must be one of {string.Join("|", FailNextKinds)}");
                    s.FailNextKind = kind;
                    s.FailNextStatus = status;
                    break;
                default:
                    throw new FormatException($"unknown field 'failNext.{name}'");
            }
        }
    }

    private static int Int(JsonNode? v, string name)
    {
        if (v is null) return 0;
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number && jv.TryGetValue<int>(out var i)) return i;
        throw new FormatException($"{name} must be an integer");
    }

    private static double Double(JsonNode? v, string name)
    {
        if (v is null) return 0;
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number && jv.TryGetValue<double>(out var d)) return d;
        throw new FormatException($"{name} must be a number");
    }

    private static string Str(JsonNode? v, string name)
    {
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String) return jv.GetValue<string>();
        throw new FormatException($"{name} must be a string");
    }

    private static bool Bool(JsonNode? v, string name)
    {
        if (v is JsonValue jv && jv.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return jv.GetValue<bool>();
        throw new FormatException($"{name} must be true or false");
    }

    private static string[] MethodList(JsonNode v)
    {
        if (v is not JsonArray array) throw new FormatException("methods must be an array of strings");
        return array.Select(m => Str(m, "methods[]").ToUpperInvariant()).ToArray();
    }
}

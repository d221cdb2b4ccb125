using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SentryRunbook.Sandbox.Faults;

/// <summary>What to do to one request: a delay, then at most one fault.</summary>
public readonly record struct FaultDecision(int DelayMs, FaultKind? Kind, int ServerErrorStatus, bool Ingest, FaultSettings Settings);

/// <summary>
/// Holds the live fault settings, the seeded Random every draw comes from, the "fail the next N"
/// counter and what was injected. One instance per sandbox, shared by the fault middleware and the
/// control endpoint. All state changes happen under one lock, so sequential requests replay exactly
/// for a given seed (concurrent ones draw in arrival order).
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private FaultSettings _settings = new();
    private Random _random = new();
    private int _failNextRemaining;
    private long _requests;
    private long _latency;
    private long _rateLimited;
    private long _serverError;
    private long _dropped;
    private long _truncated;

    public FaultInjector(FaultSettings? initial = null) => Replace(initial ?? new FaultSettings());

    /// <summary>A copy of the settings in force.</summary>
    public FaultSettings Current
    {
        get
        {
            lock (_gate) return _settings.Clone();
        }
    }

    /// <summary>Replaces every setting, re-seeds the Random, re-arms failNext and zeroes the stats.</summary>
    public void Replace(FaultSettings settings)
    {
        lock (_gate)
        {
            _settings = settings.Clone();
            _random = settings.Seed is { } seed ? new Random(seed) : new Random();
            _failNextRemaining = settings.FailNextCount;
            _requests = _latency = _rateLimited = _serverError = _dropped = _truncated = 0;
        }
    }

    /// <summary>Turns every fault off (and zeroes the stats).</summary>
    public void Reset() => Replace(new FaultSettings());

    public JsonObject SettingsJson()
    {
        lock (_gate) return _settings.ToJson(_failNextRemaining);
    }

    public JsonObject StatsJson()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["requests"] = _requests,
                ["injected"] = new JsonObject
                {
                    ["latency"] = _latency,
                    ["rateLimited"] = _rateLimited,
                    ["serverError"] = _serverError,
                    ["dropped"] = _dropped,
                    ["truncated"] = _truncated,
                },
            };
        }
    }

    /// <summary>The Sentry web API: `/api/0/...`.</summary>
    public static bool IsWebApi(string path) => path.StartsWith("/api/0/", StringComparison.Ordinal) || path == "/api/0";

    /// <summary>Ingest: `/api/{project_id}/envelope/`, `/store/` and any other `/api/{n}/...` with n ≥ 1.</summary>
    public static bool IsIngest(string path)
    {
        if (!path.StartsWith("/api/", StringComparison.Ordinal)) return false;
        var i = 5;
        if (i >= path.Length || path[i] is < '1' or > '9') return false;
        while (i < path.Length && char.IsAsciiDigit(path[i])) i++;
        return i < path.Length && path[i] == '/';
    }

    /// <summary>Returns null when the request is out of scope; otherwise the (possibly empty) decision, counted in the stats.</summary>
    public FaultDecision? Decide(string method, string path)
    {
        lock (_gate)
        {
            var s = _settings;
            var ingest = IsIngest(path);
            if (!IsWebApi(path) && !(ingest && s.ApplyToIngest)) return null;
            if (s.PathPrefix is { Length: > 0 } prefix && !path.StartsWith(prefix, StringComparison.Ordinal)) return null;
            if (s.Methods is { Count: > 0 } methods && !methods.Contains(method, StringComparer.OrdinalIgnoreCase)) return null;

            _requests++;
            var delay = s.LatencyMs + (s.LatencyJitterMs > 0 ? _random.Next(0, s.LatencyJitterMs + 1) : 0);
            if (delay > 0) _latency++;

            FaultKind? kind = null;
            var status = s.ServerErrorStatus;
            if (_failNextRemaining > 0)
            {
                _failNextRemaining--;
                kind = s.FailNextKind;
                status = s.FailNextStatus ?? s.ServerErrorStatus;
            }
            else if (s.FaultRate + s.RateLimitRate + s.ServerErrorRate + s.DropRate + s.TruncateRate > 0)
            {
                // One draw per request, cut into consecutive bands, so the faults are mutually exclusive
                // and each rate is exactly the fraction of requests that get that fault.
                var u = _random.NextDouble();
                var edge = s.RateLimitRate + s.FaultRate / 2;
                if (u < edge) kind = FaultKind.RateLimit;
                else if (u < (edge += s.ServerErrorRate + s.FaultRate / 2)) kind = FaultKind.ServerError;
                else if (u < (edge += s.DropRate)) kind = FaultKind.Drop;
                else if (u < edge + s.TruncateRate) kind = FaultKind.Truncate;
            }

            switch (kind)
            {
                case FaultKind.RateLimit: _rateLimited++; break;
                case FaultKind.ServerError: _serverError++; break;
                case FaultKind.Drop: _dropped++; break;
                case FaultKind.Truncate: _truncated++; break;
            }

            return new FaultDecision(delay, kind, status, ingest, s);
        }
    }

    public FaultDecision? Decide(HttpRequest request) => Decide(request.Method, request.Path.Value ?? "");
}

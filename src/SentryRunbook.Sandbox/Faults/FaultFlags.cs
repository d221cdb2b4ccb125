using System.Globalization;

namespace SentryRunbook.Sandbox.Faults;

/// <summary>Command-line flags that set the start-up fault settings (called from <see cref="SandboxOptions.Parse"/>).</summary>
public static class FaultFlags
{
    /// <summary>Printed by Program on bad arguments, after the main usage line.</summary>
    public const string Usage =
        "faults (web API /api/0/ only unless --fault-ingest; change at run time via GET|PUT|DELETE /sandbox/faults, GET /sandbox/faults/stats):\n" +
        "  [--latency-ms N] [--latency-jitter-ms N]        added delay: N ms plus uniform 0..jitter ms\n" +
        "  [--fault-rate F]                                fraction 0..1 answered 429 or 5xx (half each)\n" +
        "  [--rate-limit-rate F] [--server-error-rate F]   fraction answered 429 / 5xx\n" +
        "  [--server-error-status 500|502|503|504]         5xx status (500 JSON, others proxy HTML; default 500)\n" +
        "  [--drop-rate F] [--truncate-rate F]             fraction of aborted connections / cut-off bodies\n" +
        "  [--fail-next N[:KIND]]                          the next N requests fail; KIND 429|5xx|500|502|503|504|drop|truncate (default 429)\n" +
        "  [--retry-after] [--rate-limit-reset N]          send Retry-After on 429s; Reset = now + N s (default 1)\n" +
        "  [--fault-path PREFIX] [--fault-methods GET,PUT] only fault matching requests\n" +
        "  [--fault-ingest] [--fault-seed N]               also fault /api/{project_id}/envelope/; seed the fault Random";

    /// <summary>
    /// Applies <paramref name="arg"/> to <paramref name="target"/> when it is a fault flag (returns true;
    /// <paramref name="error"/> set on a bad value). <paramref name="value"/> consumes the next argument.
    /// </summary>
    public static bool TryApply(string arg, Func<string?> value, FaultSettings target, out string? error)
    {
        error = null;
        switch (arg)
        {
            case "--latency-ms":
                if (Int(value(), out var latency)) target.LatencyMs = latency;
                else error = "--latency-ms needs a whole number of milliseconds";
                break;
            case "--latency-jitter-ms":
                if (Int(value(), out var jitter)) target.LatencyJitterMs = jitter;
                else error = "--latency-jitter-ms needs a whole number of milliseconds";
                break;
            case "--fault-rate":
                if (Rate(value(), out var faultRate)) target.FaultRate = faultRate;
                else error = "--fault-rate needs a fraction 0..1";
                break;
            case "--rate-limit-rate":
                if (Rate(value(), out var rateLimitRate)) target.RateLimitRate = rateLimitRate;
                else error = "--rate-limit-rate needs a fraction 0..1";
                break;
            case "--server-error-rate":
                if (Rate(value(), out var serverErrorRate)) target.ServerErrorRate = serverErrorRate;
                else error = "--server-error-rate needs a fraction 0..1";
                break;
            case "--server-error-status":
                if (Int(value(), out var status) && FaultSettings.ServerErrorStatuses.Contains(status)) target.ServerErrorStatus = status;
                else error = "--server-error-status needs 500, 502, 503 or 504";
                break;
            case "--drop-rate":
                if (Rate(value(), out var dropRate)) target.DropRate = dropRate;
                else error = "--drop-rate needs a fraction 0..1";
                break;
            case "--truncate-rate":
                if (Rate(value(), out var truncateRate)) target.TruncateRate = truncateRate;
                else error = "--truncate-rate needs a fraction 0..1";
                break;
            case "--fault-seed":
                if (int.TryParse(value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)) target.Seed = seed;
                else error = "--fault-seed needs an integer";
                break;
            case "--retry-after":
                // Retry-After carries the same delay as X-Sentry-Rate-Limit-Reset.
                target.RetryAfterSeconds = target.ResetSeconds;
                break;
            case "--rate-limit-reset":
                if (Int(value(), out var reset))
                {
                    target.ResetSeconds = reset;
                    if (target.RetryAfterSeconds is not null) target.RetryAfterSeconds = reset;
                }
                else error = "--rate-limit-reset needs a whole number of seconds";
                break;
            case "--fail-next":
                var spec = value() ?? "";
                var colon = spec.IndexOf(':', StringComparison.Ordinal);
                var countText = colon < 0 ? spec : spec[..colon];
                var kindText = colon < 0 ? "429" : spec[(colon + 1)..];
                if (Int(countText, out var count) && FaultSettings.TryParseKind(kindText, out var kind, out var kindStatus))
                {
                    target.FailNextCount = count;
                    target.FailNextKind = kind;
                    target.FailNextStatus = kindStatus;
                }
                else error = $"--fail-next needs N or N:KIND with KIND one of {string.Join("|", FaultSettings.FailNextKinds)}";
                break;
            case "--fault-path":
                var prefix = value();
                if (string.IsNullOrEmpty(prefix) || prefix[0] != '/') error = "--fault-path needs a path prefix starting with /";
                else target.PathPrefix = prefix;
                break;
            case "--fault-methods":
                var methods = (value() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (methods.Length == 0) error = "--fault-methods needs a comma-separated list such as GET,PUT";
                else target.Methods = methods.Select(m => m.ToUpperInvariant()).ToArray();
                break;
            case "--fault-ingest":
                target.ApplyToIngest = true;
                break;
            default:
                return false;
        }

        error ??= target.Validate();
        return true;
    }

    private static bool Int(string? text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool Rate(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value is >= 0 and <= 1;
}

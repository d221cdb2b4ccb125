using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SentryRunbook.Sandbox.Ingest;

/// <summary>
/// Finds the DSN public key of an ingest request the ways Relay accepts it: the `X-Sentry-Auth`
/// header (`Sentry sentry_key=…, sentry_version=7, …`), an `Authorization: Sentry …` header, the
/// `sentry_key` query parameter, or the `dsn` in the envelope header.
/// </summary>
public static class IngestAuth
{
    public const string Missing = "missing authorization information";
    public const string Invalid = "invalid api key";

    public static string? KeyFromRequest(HttpRequest request)
    {
        foreach (var header in new[] { request.Headers["X-Sentry-Auth"].ToString(), request.Headers.Authorization.ToString() })
        {
            if (!header.StartsWith("Sentry ", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var part in header["Sentry ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && part[..eq].Trim() == "sentry_key") return part[(eq + 1)..].Trim();
            }
        }
        var query = request.Query["sentry_key"].ToString();
        return query.Length > 0 ? query : null;
    }

    /// <summary>The user part of the envelope header's `dsn` (`https://KEY@host/1`).</summary>
    public static string? KeyFromEnvelope(JsonElement header) =>
        ProtocolJson.Str(header, "dsn") is { } dsn && Uri.TryCreate(dsn, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? uri.UserInfo.Split(':')[0]
            : null;
}

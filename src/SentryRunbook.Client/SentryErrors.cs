using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using SentryRunbook.Errors;

namespace SentryRunbook.Client
{
    /// <summary>Turns a failed response into a typed exception that says what went wrong and what to do.</summary>
    internal static class SentryErrors
    {
        public const string AllScopes = "event:read, event:write, project:read, project:releases, org:read";

        public const string EvidenceMissId = "SentryEvidenceMiss";

        /// <summary>Replaying saved evidence, a request the bundle holds no answer to: not Sentry's 404, a gap in the bundle.</summary>
        public static SentryApiException EvidenceMiss(HttpMethod method, Uri uri) =>
            new SentryApiException(
                SentryErrorKind.NotFound,
                EvidenceMissId,
                $"The evidence bundle holds no answer to {method.Method} {uri.PathAndQuery}: the run that saved it did not ask this.",
                "Save the evidence again with this version of SentryRunbook (Save-IncidentEvidence), or run the command against Sentry.",
                null, "not in the evidence bundle", method.Method, uri);

        public static SentryApiException FromResponse(HttpMethod method, Uri uri, int status, string body, string requiredScope, int attempts)
        {
            (string? detail, string? sentryErrorId) = ReadDetail(body);
            string call = $"{method.Method} {uri.GetLeftPart(UriPartial.Path)}";
            string said = detail is null ? string.Empty : $": {detail}";
            SentryApiException error;

            switch (status)
            {
                case 401:
                    bool expired = detail != null && detail.IndexOf("expired", StringComparison.OrdinalIgnoreCase) >= 0;
                    error = new SentryApiException(
                        SentryErrorKind.Authentication,
                        "SentryAuthenticationFailed",
                        expired
                            ? $"Sentry says the token has expired (401{said}) for {call}."
                            : $"Sentry rejected the token (401{said}) for {call}: it is missing, revoked, expired, or belongs to another Sentry host.",
                        $"Create a token (an internal integration or a user auth token) with the scopes {AllScopes}, then run Connect-Sentry -Token (Read-Host -AsSecureString) or set SENTRY_AUTH_TOKEN.",
                        status, detail, method.Method, uri);
                    break;
                case 403:
                    error = new SentryApiException(
                        SentryErrorKind.Permission,
                        "SentryPermissionDenied",
                        $"Sentry refused {call} (403{said}). The token works but may not do this: it needs the scope {requiredScope}, membership of the project's team, and a user or integration behind it (organization tokens, sntrys_..., can only upload releases).",
                        $"Give the token the scope {requiredScope} (all SentryRunbook needs: {AllScopes}), or use an internal integration token.",
                        status, detail, method.Method, uri);
                    break;
                case 404:
                    error = new SentryApiException(
                        SentryErrorKind.NotFound,
                        "SentryResourceNotFound",
                        $"Sentry has no such resource (404{said}) at {call}.",
                        "Check the organization slug and the id. An organization in the EU region is only served by https://de.sentry.io (Connect-Sentry -Region de).",
                        status, detail, method.Method, uri);
                    break;
                case 410:
                    error = new SentryApiException(
                        SentryErrorKind.Gone,
                        "SentryRouteGone",
                        $"Sentry answered 410 Gone{said} for {call}: the route is retired or in a deprecation brownout.",
                        "Use the organization-scoped route (/api/0/organizations/{org}/...). If this came from SentryRunbook itself, report it.",
                        status, detail, method.Method, uri);
                    break;
                case 429:
                    error = new SentryApiException(
                        SentryErrorKind.RateLimited,
                        "SentryRateLimited",
                        $"Sentry is still rate-limiting {call} (429{said}) after {attempts} attempts.",
                        "Wait a minute and run the command again, or reduce parallel work; Sentry limits requests per caller, so another token of the same user does not help.",
                        status, detail, method.Method, uri);
                    break;
                default:
                    if (status >= 500)
                    {
                        error = new SentryApiException(
                            SentryErrorKind.Server,
                            "SentryServerError",
                            $"Sentry failed with {status}{said} for {call} after {attempts} attempts.",
                            "Sentry or a proxy in front of it is failing; check https://status.sentry.io or your self-hosted server's logs, then run the command again.",
                            status, detail, method.Method, uri);
                    }
                    else
                    {
                        error = new SentryApiException(
                            SentryErrorKind.InvalidRequest,
                            "SentryBadRequest",
                            $"Sentry refused the request ({status}{said}) for {call}.",
                            "Check the parameters (query syntax, period such as 24h or 14d, ids); Sentry's detail above names the problem.",
                            status, detail, method.Method, uri);
                    }

                    break;
            }

            error.SentryErrorId = sentryErrorId;
            error.Attempts = attempts;
            return error;
        }

        public static SentryApiException Transport(HttpMethod method, Uri uri, Exception exception, int attempts) =>
            new SentryApiException(
                SentryErrorKind.Transport,
                "SentryUnreachable",
                $"Could not reach Sentry for {method.Method} {uri.GetLeftPart(UriPartial.Path)} after {attempts} attempts: {exception.GetBaseException().Message}",
                "Check the address (-BaseUri), DNS, proxy and firewall; for sentry.io check https://status.sentry.io.",
                null, null, method.Method, uri, exception) { Attempts = attempts };

        public static SentryApiException InvalidResponse(Uri uri, string what, Exception? inner = null) =>
            new SentryApiException(
                SentryErrorKind.InvalidResponse,
                "SentryResponseInvalid",
                $"Sentry's answer from {uri.GetLeftPart(UriPartial.Path)} could not be read: {what}.",
                "Check that -BaseUri points at Sentry itself and not at a login page or proxy; if it does, report the response to the SentryRunbook maintainers.",
                null, null, "GET", uri, inner);

        /// <summary>
        /// Sentry's error bodies vary: <c>{"detail": "..."}</c>, <c>{"detail": ["..."]}</c>, field maps,
        /// <c>{"message": "..."}</c> (410), a bare JSON string (429), or HTML from a proxy.
        /// </summary>
        internal static (string? Detail, string? ErrorId) ReadDetail(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return (null, null);
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                switch (root.ValueKind)
                {
                    case JsonValueKind.String:
                        return (root.GetString(), null);
                    case JsonValueKind.Object:
                        string? errorId = root.TryGetProperty("errorId", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                        foreach (string key in new[] { "detail", "message", "error" })
                        {
                            if (root.TryGetProperty(key, out JsonElement value))
                            {
                                return (Flatten(value), errorId);
                            }
                        }

                        string fields = string.Join("; ", root.EnumerateObject().Select(p => p.Name + ": " + Flatten(p.Value)));
                        return (fields.Length == 0 ? null : fields, errorId);
                    case JsonValueKind.Array:
                        return (Flatten(root), null);
                }
            }
            catch (JsonException)
            {
                // Not JSON (an HTML page from a proxy): show that it was not Sentry talking.
            }

            return ("non-JSON response" + (body.TrimStart().StartsWith("<", StringComparison.Ordinal) ? " (an HTML page, probably from a proxy)" : string.Empty), null);
        }

        private static string Flatten(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? string.Empty,
            JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(Flatten)),
            JsonValueKind.Object => string.Join("; ", value.EnumerateObject().Select(p => p.Name + ": " + Flatten(p.Value))),
            _ => value.GetRawText(),
        };
    }
}

using System;

namespace SentryRunbook.Errors
{
    /// <summary>What kind of failure a Sentry call met; the cmdlets map it to a PowerShell error category.</summary>
    public enum SentryErrorKind
    {
        Authentication,
        Permission,
        NotFound,
        Gone,
        RateLimited,
        InvalidRequest,
        Server,
        Transport,
        InvalidResponse,
        Configuration,
    }

    /// <summary>
    /// A failed Sentry call: the HTTP status, Sentry's own detail, and what the user can do about it.
    /// Messages never contain the token.
    /// </summary>
    public class SentryApiException : Exception
    {
        public SentryApiException(
            SentryErrorKind kind,
            string errorId,
            string message,
            string recommendedAction,
            int? statusCode = null,
            string? detail = null,
            string? method = null,
            Uri? requestUri = null,
            Exception? innerException = null)
            : base(message, innerException)
        {
            Kind = kind;
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
            StatusCode = statusCode;
            Detail = detail;
            Method = method;
            RequestUri = requestUri;
        }

        public SentryErrorKind Kind { get; }
        /// <summary>A stable id, used as the PowerShell error id (e.g. <c>SentryAuthenticationFailed</c>).</summary>
        public string ErrorId { get; }
        public string RecommendedAction { get; }
        public int? StatusCode { get; }
        /// <summary>Sentry's <c>detail</c> (or <c>message</c>) text, when the response had one.</summary>
        public string? Detail { get; }
        public string? Method { get; }
        public Uri? RequestUri { get; }
        /// <summary>Sentry's <c>errorId</c> for 500s, to quote to Sentry support.</summary>
        public string? SentryErrorId { get; set; }
        /// <summary>How many attempts were made before giving up.</summary>
        public int Attempts { get; set; } = 1;

        /// <summary>
        /// The one rule for "nothing else can work either" (no connection, bad token, bad configuration): such a
        /// failure stops a command, while any other failure of an optional read becomes a missing signal.
        /// </summary>
        public bool IsFatal => Kind == SentryErrorKind.Authentication || Kind == SentryErrorKind.Configuration || Kind == SentryErrorKind.Transport;
    }
}

using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;

namespace SentryRunbook.Client
{
    /// <summary>A call to make: what, where, and the scopes it needs (for a useful 401/403 message).</summary>
    internal sealed class SentryRequest
    {
        public SentryRequest(HttpMethod method, Uri uri, string requiredScope, string? jsonBody = null, bool safeToRepeat = false)
        {
            Method = method;
            Uri = uri;
            RequiredScope = requiredScope;
            JsonBody = jsonBody;
            SafeToRepeat = safeToRepeat || method != HttpMethod.Post;
        }

        /// <summary>
        /// Whether sending it again after an answer is harmless: every method but POST, and a POST that only reads
        /// (Seer's summarize). A POST that creates something (a note, a deploy) is repeated only when it never left.
        /// </summary>
        public bool SafeToRepeat { get; }

        public HttpMethod Method { get; }
        public Uri Uri { get; }
        public string RequiredScope { get; }
        public string? JsonBody { get; }
    }

    /// <summary>A successful response, read whole (Sentry pages are at most 100 rows).</summary>
    internal sealed class SentryResponse
    {
        public SentryResponse(HttpStatusCode statusCode, Uri requestUri, string body, IReadOnlyDictionary<string, string> headers)
        {
            StatusCode = statusCode;
            RequestUri = requestUri;
            Body = body;
            Headers = headers;
        }

        public HttpStatusCode StatusCode { get; }
        public Uri RequestUri { get; }
        public string Body { get; }
        /// <summary>Response headers by case-insensitive name; repeated headers joined with ", ".</summary>
        public IReadOnlyDictionary<string, string> Headers { get; }

        public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
    }
}

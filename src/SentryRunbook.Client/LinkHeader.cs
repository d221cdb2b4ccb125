using System;
using System.Collections.Generic;

namespace SentryRunbook.Client
{
    /// <summary>One entry of Sentry's Link header: <c>&lt;url&gt;; rel="next"; results="true"; cursor="0:100:0"</c>.</summary>
    internal sealed class LinkEntry
    {
        public LinkEntry(Uri uri, string? rel, bool results, string? cursor)
        {
            Uri = uri;
            Rel = rel;
            Results = results;
            Cursor = cursor;
        }

        public Uri Uri { get; }
        public string? Rel { get; }
        /// <summary>Sentry always sends both links; only <c>results="true"</c> means that page exists.</summary>
        public bool Results { get; }
        public string? Cursor { get; }
    }

    internal static class LinkHeader
    {
        /// <summary>
        /// The next page, or null when there is none (no header, no next entry, or results="false").
        /// Sentry writes Link URLs with its own configured URL prefix, which need not be the host the client
        /// called (a self-hosted server reached by another name, a region behind the control host). So the
        /// cursor is taken as opaque and put on the URL that was requested; the link's own URL is used only
        /// when it carries no cursor and is on the same origin.
        /// </summary>
        public static Uri? NextPage(string? header, Uri requestUri)
        {
            foreach (LinkEntry entry in Parse(header, requestUri))
            {
                if (!string.Equals(entry.Rel, "next", StringComparison.OrdinalIgnoreCase)) continue;
                if (!entry.Results) return null;
                if (!string.IsNullOrEmpty(entry.Cursor)) return WithCursor(requestUri, entry.Cursor!);
                return SentryHosts.IsSameOrigin(entry.Uri, requestUri) ? entry.Uri : null;
            }

            return null;
        }

        /// <summary>The request URI with its <c>cursor</c> parameter set to <paramref name="cursor"/>, other parameters kept in order.</summary>
        internal static Uri WithCursor(Uri uri, string cursor)
        {
            string query = uri.Query.TrimStart('?');
            var parts = new List<string>();
            foreach (string part in query.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!part.StartsWith("cursor=", StringComparison.Ordinal)) parts.Add(part);
            }

            parts.Add("cursor=" + Uri.EscapeDataString(cursor));
            return new Uri(uri.GetLeftPart(UriPartial.Path) + "?" + string.Join("&", parts));
        }

        /// <summary>
        /// Parses RFC 8288 links. URLs are read between angle brackets so a comma inside one cannot split it;
        /// a missing <c>results</c> parameter counts as true (plain RFC links from proxies).
        /// </summary>
        public static IReadOnlyList<LinkEntry> Parse(string? header, Uri requestUri)
        {
            var entries = new List<LinkEntry>();
            if (string.IsNullOrWhiteSpace(header)) return entries;

            string text = header!;
            int position = 0;
            while (true)
            {
                int open = text.IndexOf('<', position);
                if (open < 0) break;
                int close = text.IndexOf('>', open + 1);
                if (close < 0) break;

                string target = text.Substring(open + 1, close - open - 1).Trim();
                int nextOpen = text.IndexOf('<', close + 1);
                string parameters = nextOpen < 0 ? text.Substring(close + 1) : text.Substring(close + 1, nextOpen - close - 1);
                position = nextOpen < 0 ? text.Length : nextOpen;

                if (!Uri.TryCreate(requestUri, target, out Uri? uri)) continue;

                string? rel = null, results = null, cursor = null;
                foreach (string part in parameters.Split(';'))
                {
                    int eq = part.IndexOf('=');
                    if (eq < 0) continue;
                    string name = part.Substring(0, eq).Trim().ToLowerInvariant();
                    string value = part.Substring(eq + 1).Trim().TrimEnd(',').Trim().Trim('"');
                    if (name == "rel") rel = value;
                    else if (name == "results") results = value;
                    else if (name == "cursor") cursor = value;
                }

                bool hasResults = results is null || results.Equals("true", StringComparison.OrdinalIgnoreCase) || results == "1";
                entries.Add(new LinkEntry(uri, rel, hasResults, cursor));
            }

            return entries;
        }
    }
}

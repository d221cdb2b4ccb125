using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using SentryRunbook.Models;

namespace SentryRunbook.Analysis
{
    /// <summary>
    /// The external hosts an event shows failing: HTTP breadcrumbs answered 5xx, 429 or 408 or that timed out, and
    /// host-valued tags (upstream.host, server.address, url, ...) when the error itself is a 5xx or a timeout. The
    /// application's own hosts (policy ApplicationDomains) never count.
    /// </summary>
    public static class UpstreamHosts
    {
        private static readonly Regex Timeout = new Regex(@"\b(timed? ?out|timeout|time-out|deadline exceeded|connect(ion)? ?timeout\w*|read ?timeout)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex ServerFailure = new Regex(@"\b(5\d\d|unavailable|bad gateway|gateway timeout|timed? ?out|timeout\w*|connection (refused|reset)|max retries)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex HostName = new Regex(@"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>Each failing host with what shows it (e.g. "2 breadcrumbs POST https://… -> 503; tag upstream.host").</summary>
        public static IReadOnlyDictionary<string, string> Failing(SentryEvent ev, IncidentPolicy policy)
        {
            var found = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (SentryBreadcrumb crumb in ev.Breadcrumbs)
            {
                string? url = Value(crumb, "url") ?? FirstUrl(crumb.Message);
                string? host = External(HostOf(url), ev, policy);
                if (host is null) continue;
                string? status = Value(crumb, "status_code");
                string? failure = null;
                if (status != null && IsFailingStatus(status)) failure = status;
                else if (status is null && (Timeout.IsMatch(crumb.Message ?? string.Empty) || Timeout.IsMatch(Value(crumb, "reason") ?? string.Empty))) failure = "timeout";
                if (failure is null) continue;
                Add(found, host, $"{Value(crumb, "method") ?? "call"} {Path(url!)} -> {failure}");
            }

            string raised = (ev.Exceptions.LastOrDefault()?.ToString() ?? string.Empty) + " " + (ev.Title ?? string.Empty);
            bool errorIsUpstream = ServerFailure.IsMatch(raised);
            foreach (KeyValuePair<string, string> tag in ev.Tags)
            {
                string key = tag.Key.ToLowerInvariant();
                if (!(key.Contains("host") || key.Contains("upstream") || key.Contains("url") || key.Contains("server.address") || key.Contains("peer"))) continue;
                string? host = External(HostOf(tag.Value) ?? (HostName.IsMatch(tag.Value) ? tag.Value.ToLowerInvariant() : null), ev, policy);
                if (host is null) continue;
                // A tag names a host; only a failing call or a 5xx/timeout error makes it the failing one.
                if (found.ContainsKey(host) || errorIsUpstream) Add(found, host, $"tag {tag.Key}={tag.Value}");
            }

            return found.ToDictionary(p => p.Key, p => Summarize(p.Value), StringComparer.OrdinalIgnoreCase);
        }

        private static string Summarize(List<string> evidence) =>
            string.Join("; ", evidence.GroupBy(e => e, StringComparer.Ordinal).Select(g => g.Count() > 1 ? $"{g.Count()}x {g.Key}" : g.Key));

        private static void Add(Dictionary<string, List<string>> found, string host, string evidence)
        {
            if (!found.TryGetValue(host, out List<string>? list)) found[host] = list = new List<string>();
            list.Add(evidence);
        }

        /// <summary>
        /// The host when it is another's: not one of the policy's ApplicationDomains and not the host the event's own
        /// request went to. Null otherwise. The one rule for "external" (failing hosts here, third-party failures in PatternFinder).
        /// </summary>
        internal static string? External(string? host, SentryEvent ev, IncidentPolicy policy) =>
            host is null || policy.IsApplicationHost(host) || string.Equals(host, HostOf(ev.Request?.Url), StringComparison.OrdinalIgnoreCase) ? null : host;

        /// <summary>An HTTP status that says the other side failed (5xx), refused for load (429) or gave up waiting (408).</summary>
        internal static bool IsFailingStatus(string status) =>
            int.TryParse(status, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code) && (code >= 500 || code == 429 || code == 408);

        internal static string? Value(SentryBreadcrumb crumb, string key) => crumb.Data.TryGetValue(key, out string? value) ? value : null;

        private static string? FirstUrl(string? text)
        {
            if (text is null) return null;
            Match m = Regex.Match(text, @"https?://[^\s'""<>]+", RegexOptions.CultureInvariant);
            return m.Success ? m.Value : null;
        }

        internal static string? HostOf(string? url) =>
            url != null && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri.Host.ToLowerInvariant() : null;

        private static string Path(string url) => Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri.Host + uri.AbsolutePath : url;
    }
}

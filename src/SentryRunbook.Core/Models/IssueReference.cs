using System;
using System.Text.RegularExpressions;

namespace SentryRunbook.Models
{
    /// <summary>
    /// What a user may type to name an issue: a numeric id, a short id (<c>WEB-1A</c>), or an issue URL
    /// from the web UI or the API, on sentry.io, a customer domain or a self-hosted host.
    /// </summary>
    public sealed class IssueReference
    {
        private static readonly Regex Numeric = new Regex(@"^\d{1,19}$", RegexOptions.CultureInvariant);
        private static readonly Regex ShortId = new Regex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*-[0-9A-Za-z]+$", RegexOptions.CultureInvariant);
        private static readonly Regex OrganizationPath = new Regex(@"/organizations/(?<org>[^/]+)/issues/(?<id>[^/?#]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex CustomerDomainPath = new Regex(@"^/issues/(?<id>[^/?#]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private IssueReference(string id, string? organization, string input, string? host = null)
        {
            Id = id;
            Organization = organization;
            Input = input;
            Host = host;
        }

        /// <summary>The numeric id or the short id (upper case), as the org-scoped issue route accepts it.</summary>
        public string Id { get; }
        /// <summary>The organization named by a URL, when the input was one.</summary>
        public string? Organization { get; }
        public string Input { get; }
        /// <summary>The host named by a URL, when the input was one.</summary>
        public string? Host { get; }

        /// <summary>Longer input is cut in messages: an error names what was typed, not five thousand characters of it.</summary>
        public const int EchoLength = 120;

        /// <summary>The input as an error message may echo it.</summary>
        public static string Echo(string text) => text.Length <= EchoLength ? text : text.Substring(0, EchoLength) + "… (" + text.Length + " characters)";

        /// <summary>
        /// Whether an issue URL's host is the Sentry connected to: the same host, or both within sentry.io (an
        /// organization's own domain, acme.sentry.io, and the region hosts serve the same organization).
        /// </summary>
        public static bool IsSameSentry(string urlHost, Uri connected)
        {
            string a = urlHost.ToLowerInvariant(), b = connected.Host.ToLowerInvariant();
            return a == b || (IsSentryIo(a) && IsSentryIo(b));
        }

        private static bool IsSentryIo(string host) => host == "sentry.io" || host.EndsWith(".sentry.io", StringComparison.Ordinal);

        public static bool TryParse(string? input, out IssueReference? reference, out string? problem)
        {
            reference = null;
            problem = null;
            string text = (input ?? string.Empty).Trim();
            if (text.Length == 0)
            {
                problem = "the issue id is empty";
                return false;
            }

            if (Numeric.IsMatch(text))
            {
                reference = new IssueReference(text, null, text);
                return true;
            }

            if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                return TryParseUrl(uri, text, out reference, out problem);
            }

            if (ShortId.IsMatch(text))
            {
                reference = new IssueReference(text.ToUpperInvariant(), null, text);
                return true;
            }

            problem = $"'{Echo(text)}' is not an issue id: expected a number (4123), a short id (WEB-1A) or an issue URL";
            return false;
        }

        private static bool TryParseUrl(Uri uri, string text, out IssueReference? reference, out string? problem)
        {
            reference = null;
            problem = null;
            string? organization = null;
            string? id = null;

            Match match = OrganizationPath.Match(uri.AbsolutePath);
            if (match.Success)
            {
                organization = Uri.UnescapeDataString(match.Groups["org"].Value);
                id = Uri.UnescapeDataString(match.Groups["id"].Value);
            }
            else
            {
                // Customer domains put the organization in the host: https://acme.sentry.io/issues/4123/.
                match = CustomerDomainPath.Match(uri.AbsolutePath);
                if (match.Success)
                {
                    id = Uri.UnescapeDataString(match.Groups["id"].Value);
                    string host = uri.Host.ToLowerInvariant();
                    if (host.EndsWith(".sentry.io", StringComparison.Ordinal))
                    {
                        string label = host.Substring(0, host.Length - ".sentry.io".Length);
                        if (label != "us" && label != "de" && label.IndexOf('.') < 0) organization = label;
                    }
                }
            }

            if (id is null || !(Numeric.IsMatch(id) || ShortId.IsMatch(id)))
            {
                problem = $"'{Echo(text)}' is not a Sentry issue URL: expected .../organizations/<org>/issues/<id>/ or https://<org>.sentry.io/issues/<id>/";
                return false;
            }

            reference = new IssueReference(Numeric.IsMatch(id) ? id : id.ToUpperInvariant(), organization, text, uri.Host);
            return true;
        }

        public override string ToString() => Id;
    }
}

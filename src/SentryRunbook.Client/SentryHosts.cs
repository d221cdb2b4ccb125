using System;
using SentryRunbook.Errors;

namespace SentryRunbook.Client
{
    /// <summary>Sentry's hosts: sentry.io, its us/de region hosts, customer domains, and self-hosted servers.</summary>
    public static class SentryHosts
    {
        public static readonly Uri SaaS = new Uri("https://sentry.io/");

        /// <summary>
        /// Turns what a user typed into the API host: absolute http(s), no query, and without a trailing
        /// <c>/api/0/</c> (people paste it). A self-hosted path prefix such as <c>/sentry</c> is kept.
        /// </summary>
        public static Uri NormalizeBaseUri(string? value)
        {
            string text = string.IsNullOrWhiteSpace(value) ? SaaS.ToString() : value!.Trim();
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                throw new SentryApiException(
                    SentryErrorKind.Configuration,
                    "SentryBaseUriInvalid",
                    $"'{text}' is not a Sentry URL: it must be an absolute http or https address.",
                    "Pass the address of your Sentry, for example -BaseUri https://sentry.io, https://de.sentry.io or https://sentry.example.com.");
            }

            if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new SentryApiException(
                    SentryErrorKind.Configuration,
                    "SentryBaseUriInvalid",
                    $"'{uri.GetLeftPart(UriPartial.Path)}' has a query, fragment or user name; the Sentry URL is only scheme, host and optional path.",
                    "Pass just the host, for example -BaseUri https://sentry.example.com.");
            }

            string path = uri.AbsolutePath.TrimEnd('/');
            if (path.EndsWith("/api/0", StringComparison.OrdinalIgnoreCase))
            {
                path = path.Substring(0, path.Length - "/api/0".Length);
            }

            return new Uri(uri.GetLeftPart(UriPartial.Authority) + path + "/");
        }

        /// <summary>The region host (<c>https://us.sentry.io/</c>) for a region name.</summary>
        public static Uri ForRegion(string region)
        {
            string name = (region ?? string.Empty).Trim().ToLowerInvariant();
            if (name != "us" && name != "de")
            {
                throw new SentryApiException(
                    SentryErrorKind.Configuration,
                    "SentryRegionInvalid",
                    $"'{region}' is not a sentry.io region.",
                    "Use -Region us or -Region de, or -BaseUri for self-hosted Sentry.");
            }

            return new Uri($"https://{name}.sentry.io/");
        }

        /// <summary>True for sentry.io and its subdomains (regions and customer domains).</summary>
        public static bool IsSaaS(Uri uri) =>
            uri.Host.Equals("sentry.io", StringComparison.OrdinalIgnoreCase)
            || uri.Host.EndsWith(".sentry.io", StringComparison.OrdinalIgnoreCase);

        /// <summary><c>us</c> or <c>de</c> for a region host; null for anything else.</summary>
        public static string? RegionOf(Uri uri)
        {
            string host = uri.Host.ToLowerInvariant();
            if (host == "us.sentry.io") return "us";
            if (host == "de.sentry.io") return "de";
            return null;
        }

        /// <summary>
        /// The region host to use instead of <paramref name="configured"/>, or null to stay: only when the user
        /// connected to sentry.io itself (or a customer domain) and the organization names another sentry.io
        /// host as its region. The token never moves to a host outside sentry.io this way.
        /// </summary>
        public static Uri? RegionHostToUse(Uri configured, Uri? organizationRegionUrl)
        {
            if (organizationRegionUrl is null || !IsSaaS(configured) || !IsSaaS(organizationRegionUrl)) return null;
            if (RegionOf(configured) != null || organizationRegionUrl.Scheme != Uri.UriSchemeHttps) return null;
            if (string.Equals(organizationRegionUrl.Host, configured.Host, StringComparison.OrdinalIgnoreCase)) return null;
            return NormalizeBaseUri(organizationRegionUrl.GetLeftPart(UriPartial.Authority));
        }

        /// <summary>The token may go only to the host it was configured for: same scheme, host and port.</summary>
        public static bool IsSameOrigin(Uri a, Uri b) =>
            Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
    }
}

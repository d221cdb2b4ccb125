using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Client.Json;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Client
{
    /// <summary>The Sentry web API over one HttpClient per connection. Only organization-scoped routes (REFERENCE.md §1.8).</summary>
    public sealed class SentryApiClient : ISentryApi
    {
        private readonly SentryClientOptions _options;
        private readonly SentryHttp _http;

        public SentryApiClient(SentryClientOptions options)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _http = new SentryHttp(options);
        }

        public Uri BaseUri => _options.BaseUri;
        public string Organization => _options.Organization;

        public async Task<SentryOrganization> GetOrganizationAsync(CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/", ("detailed", "0"));
            try
            {
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Get, uri, "org:read"), cancellationToken).ConfigureAwait(false);
                return Parse(response, root =>
                {
                    JsonElement? links = root.Property("links");
                    return new SentryOrganization(
                        root.String("id") ?? string.Empty,
                        root.String("slug") ?? Organization,
                        root.String("name") ?? Organization,
                        AbsoluteUri(links?.String("regionUrl")),
                        AbsoluteUri(links?.String("organizationUrl")));
                });
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw new SentryApiException(
                    SentryErrorKind.NotFound,
                    "SentryOrganizationNotFound",
                    $"Organization '{Organization}' was not found at {BaseUri.GetLeftPart(UriPartial.Authority)}, or the token cannot see it.",
                    "Check the slug in your Sentry URL (https://<slug>.sentry.io or /organizations/<slug>/). An EU organization lives on https://de.sentry.io: Connect-Sentry -Region de.",
                    ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
            }
        }

        public async Task<SentryIssue> GetIssueAsync(string issueId, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(issueId)) throw new ArgumentException("An issue id is required.", nameof(issueId));

            // The org-scoped detail route takes the numeric id or the short id (REFERENCE.md §1.4).
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId.Trim())}/");
            try
            {
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Get, uri, "event:read"), cancellationToken).ConfigureAwait(false);
                return Parse(response, IssueReader.Read);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw new SentryApiException(
                    SentryErrorKind.NotFound,
                    "SentryIssueNotFound",
                    $"Issue '{_http.Redact(issueId)}' was not found in organization '{Organization}' (it may be deleted, merged into another issue, or in a project the token cannot see).",
                    "Check the id or short id (for example WEB-1A) with Get-SentryIssue -Query, and that you are connected to the right organization.",
                    ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
            }
        }

        public async Task<SentryPage<SentryIssue>> GetIssuePageAsync(IssueQuery query, Uri? nextPage, CancellationToken cancellationToken)
        {
            if (query is null) throw new ArgumentNullException(nameof(query));
            Uri uri = nextPage ?? IssueSearchUri(query);
            SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Get, uri, "event:read"), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SentryIssue> items = Parse(response, root =>
            {
                if (root.ValueKind != JsonValueKind.Array) throw new JsonException("the issue list is not a JSON array");
                return (IReadOnlyList<SentryIssue>)root.EnumerateArray().Select(IssueReader.Read).ToList();
            });

            long? hits = long.TryParse(response.Header("X-Hits"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long h) ? h : (long?)null;
            return new SentryPage<SentryIssue>(items, LinkHeader.NextPage(response.Header("Link"), uri), hits);
        }

        internal Uri IssueSearchUri(IssueQuery query)
        {
            var parameters = new List<(string, string)>();

            // Absent query means Sentry's default, is:unresolved; an empty string means every status.
            if (query.Query != null) parameters.Add(("query", query.Query));
            parameters.AddRange(query.Projects.Select(p => ("project", p)));
            parameters.AddRange(query.Environments.Select(e => ("environment", e)));
            if (!string.IsNullOrEmpty(query.StatsPeriod)) parameters.Add(("statsPeriod", query.StatsPeriod!));
            if (!string.IsNullOrEmpty(query.Sort)) parameters.Add(("sort", query.Sort!));
            parameters.Add(("groupStatsPeriod", "24h"));
            parameters.Add(("limit", Math.Max(1, Math.Min(100, query.Limit)).ToString(CultureInfo.InvariantCulture)));
            return ApiUri($"organizations/{Segment(Organization)}/issues/", parameters.ToArray());
        }

        internal Uri ApiUri(string path, params (string Name, string Value)[] query)
        {
            var builder = new StringBuilder(_options.BaseUri.ToString()).Append("api/0/").Append(path);
            for (int i = 0; i < query.Length; i++)
            {
                builder.Append(i == 0 ? '?' : '&')
                    .Append(Uri.EscapeDataString(query[i].Name)).Append('=')
                    .Append(Uri.EscapeDataString(query[i].Value));
            }

            return new Uri(builder.ToString());
        }

        private static string Segment(string value) => Uri.EscapeDataString(value);

        private static Uri? AbsoluteUri(string? text) =>
            text != null && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) ? uri : null;

        private static T Parse<T>(SentryResponse response, Func<JsonElement, T> read)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(response.Body);
                return read(document.RootElement);
            }
            catch (JsonException ex)
            {
                throw SentryErrors.InvalidResponse(response.RequestUri, ex.Message, ex);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement throws this for a value of an unexpected kind.
                throw SentryErrors.InvalidResponse(response.RequestUri, ex.Message, ex);
            }
        }

        public void Dispose() => _http.Dispose();
    }
}

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

        /// <summary>
        /// A client on the same host, organization and token whose answers are recorded for an evidence bundle.
        /// Recorded bodies have the token redacted, in case a proxy ever echoes it.
        /// </summary>
        public SentryApiClient CreateRecording(out Func<IReadOnlyList<RecordedExchange>> recorded)
        {
            var inner = new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate };
            var recording = new RecordingHandler(_options.BaseUri, inner);
            var options = new SentryClientOptions(_options.BaseUri, _options.Organization, _options.Token)
            {
                Handler = recording,
                Log = _options.Log,
                MaxConcurrency = _options.MaxConcurrency,
                MaxRetries = _options.MaxRetries,
            };
            var http = _http;
            recorded = () => recording.Exchanges.Select(e => new RecordedExchange(e.Method, e.PathAndQuery, e.Status, e.Headers, http.Redact(e.Body))).ToList();
            return new SentryApiClient(options);
        }

        /// <summary>A client that answers from an evidence bundle, offline; it can change nothing.</summary>
        public static SentryApiClient CreateReplay(IncidentEvidence evidence, Action<string>? log)
        {
            Uri baseUri = SentryHosts.NormalizeBaseUri(evidence.SentryHost);
            var options = new SentryClientOptions(baseUri, evidence.Organization, "offline-evidence")
            {
                Handler = new ReplayHandler(baseUri, evidence.Exchanges),
                Log = log,
                MaxRetries = 0,
            };
            return new SentryApiClient(options);
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
                throw IssueNotFound(issueId, ex);
            }
        }

        public async Task<SentryPage<SentryIssue>> GetIssuePageAsync(IssueQuery query, Uri? nextPage, CancellationToken cancellationToken)
        {
            if (query is null) throw new ArgumentNullException(nameof(query));
            Uri uri = nextPage ?? IssueSearchUri(query);
            return Page(await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false), uri, IssueReader.Read);
        }

        public async Task<SentryEvent> GetIssueEventAsync(string issueId, string eventId, IReadOnlyList<string> environments, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/events/{Segment(eventId)}/", (environments ?? Array.Empty<string>()).Select(e => ("environment", e)).ToArray());
            try
            {
                return Parse(await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false), EventReader.Read);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw new SentryApiException(
                    SentryErrorKind.NotFound,
                    "SentryEventNotFound",
                    $"Issue '{_http.Redact(issueId)}' has no event '{_http.Redact(eventId)}'" + (environments?.Count > 0 ? $" in {string.Join(", ", environments)}" : string.Empty) + " (the issue may not exist, the event may belong to another issue, or it is past retention).",
                    "Check the issue id with Get-SentryIssue, and the event id with Get-SentryEvent -IssueId <id> -First 10.",
                    ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
            }
        }

        public async Task<SentryPage<SentryEvent>> GetIssueEventPageAsync(string issueId, int perPage, Uri? nextPage, CancellationToken cancellationToken)
        {
            Uri uri = nextPage ?? ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/events/", ("full", "true"), ("per_page", PageSize(perPage)));
            try
            {
                SentryResponse response = await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false);
                return Page(response, uri, EventReader.Read);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw IssueNotFound(issueId, ex);
            }
        }

        public async Task<IReadOnlyList<SentryIssueTag>> GetIssueTagsAsync(string issueId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/tags/", (keys ?? Array.Empty<string>()).Select(k => ("key", k)).ToArray());
            try
            {
                return Parse(await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false), root => (IReadOnlyList<SentryIssueTag>)Elements(root).Select(t => DetailReaders.Tag(issueId, t)).ToList());
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw IssueNotFound(issueId, ex);
            }
        }

        public async Task<IReadOnlyList<SentryActivity>> GetIssueActivityAsync(string issueId, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/activities/");
            try
            {
                return Parse(await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false), root => Activities(issueId, root));
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                // The activities route is private and missing on some servers; the issue detail carries the newest 100 too.
                Uri detail = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/");
                try
                {
                    return Parse(await GetAsync(detail, "event:read", cancellationToken).ConfigureAwait(false), root => Activities(issueId, root));
                }
                catch (SentryApiException inner) when (inner.Kind == SentryErrorKind.NotFound)
                {
                    throw IssueNotFound(issueId, inner);
                }
            }
        }

        private static IReadOnlyList<SentryActivity> Activities(string issueId, JsonElement root) =>
            root.Property("activity") is JsonElement list && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(a => DetailReaders.Activity(issueId, a)).ToList()
                : (IReadOnlyList<SentryActivity>)new List<SentryActivity>();

        public async Task<IReadOnlyList<SuspectCommit>> GetSuspectCommitsAsync(string project, string eventId, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"projects/{Segment(Organization)}/{Segment(project)}/events/{Segment(eventId)}/committers/");
            try
            {
                return Parse(await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false), DetailReaders.Committers);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                // "No committers found", "Release not found", "No Commits found for Release": all mean no suspects (REFERENCE.md §6).
                return new List<SuspectCommit>();
            }
        }

        public async Task<SentryPage<SentryRelease>> GetReleasePageAsync(string? project, string? query, Uri? nextPage, CancellationToken cancellationToken)
        {
            var parameters = new List<(string, string)>();
            if (!string.IsNullOrEmpty(project)) parameters.Add(("project", project!));
            if (!string.IsNullOrEmpty(query)) parameters.Add(("query", query!));
            parameters.Add(("per_page", "100"));
            Uri uri = nextPage ?? ApiUri($"organizations/{Segment(Organization)}/releases/", parameters.ToArray());
            return Page(await GetAsync(uri, "project:releases", cancellationToken).ConfigureAwait(false), uri, DetailReaders.Release);
        }

        public async Task<SentryRelease> GetReleaseAsync(string version, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/releases/{Segment(version)}/");
            try
            {
                return Parse(await GetAsync(uri, "project:releases", cancellationToken).ConfigureAwait(false), DetailReaders.Release);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw ReleaseNotFound(version, ex);
            }
        }

        public async Task<IReadOnlyList<SentryDeploy>> GetDeploysAsync(string version, CancellationToken cancellationToken)
        {
            var deploys = new List<SentryDeploy>();
            Uri? uri = ApiUri($"organizations/{Segment(Organization)}/releases/{Segment(version)}/deploys/", ("per_page", "100"));
            try
            {
                while (uri != null)
                {
                    SentryPage<SentryDeploy> page = Page(await GetAsync(uri, "project:releases", cancellationToken).ConfigureAwait(false), uri, d => DetailReaders.Deploy(version, d));
                    deploys.AddRange(page.Items);
                    uri = page.Next;
                }
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw ReleaseNotFound(version, ex);
            }

            return deploys;
        }

        public async Task<SentryTable> QueryEventsAsync(DiscoverQuery query, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/events/", Tuples(query.ToParameters()));
            return Parse(await GetAsync(uri, "org:read", cancellationToken).ConfigureAwait(false), QueryReaders.Table);
        }

        public async Task<IReadOnlyList<SentryTimeSeries>> GetEventsStatsAsync(StatsQuery query, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/events-stats/", Tuples(query.ToParameters()));
            return Parse(await GetAsync(uri, "org:read", cancellationToken).ConfigureAwait(false), root => QueryReaders.Stats(root, query.YAxes));
        }

        public async Task<SentrySessionStats> GetSessionsAsync(SessionsQuery query, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/sessions/", Tuples(query.ToParameters()));
            return Parse(await GetAsync(uri, "org:read", cancellationToken).ConfigureAwait(false), QueryReaders.Sessions);
        }

        private static (string, string)[] Tuples(IReadOnlyList<KeyValuePair<string, string>> parameters) =>
            parameters.Select(p => (p.Key, p.Value)).ToArray();

        /// <summary>Sentry's issue list takes any number of group= ids; 100 keeps each answer at most one page's size.</summary>
        public const int IssuesPerRead = 100;

        /// <summary>
        /// A URL longer than this risks a 414 from a proxy in front of Sentry (8 KiB is a common default for a request
        /// line); bulk changes put as many ids in a request as fit.
        /// </summary>
        public const int MaxUrlLength = 8000;

        public async Task<IReadOnlyList<SentryIssue>> GetIssuesAsync(IReadOnlyList<string> issueIds, CancellationToken cancellationToken)
        {
            var ids = (issueIds ?? Array.Empty<string>()).Select(i => i.Trim()).Distinct(StringComparer.Ordinal).ToList();
            foreach (string id in ids)
            {
                if (id.Length == 0 || !id.All(c => c >= '0' && c <= '9')) throw new ArgumentException($"'{_http.Redact(id)}' is not a numeric issue id; read short ids one at a time.", nameof(issueIds));
            }

            var chunks = new List<List<string>>();
            for (int i = 0; i < ids.Count; i += IssuesPerRead) chunks.Add(ids.GetRange(i, Math.Min(IssuesPerRead, ids.Count - i)));
            IReadOnlyList<SentryIssue>[] pages = await Task.WhenAll(chunks.Select(async chunk =>
            {
                // group= names the issues exactly; Sentry ignores the query then (REFERENCE.md §2.3).
                var parameters = chunk.Select(id => ("group", id)).Append(("groupStatsPeriod", "24h")).ToArray();
                Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/", parameters);
                SentryResponse response = await GetAsync(uri, "event:read", cancellationToken).ConfigureAwait(false);
                return Parse(response, root => (IReadOnlyList<SentryIssue>)Elements(root).Select(IssueReader.Read).ToList());
            })).ConfigureAwait(false);
            return pages.SelectMany(p => p).ToList();
        }

        public Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssueStatusesAsync(string projectId, IReadOnlyList<string> issueIds, StatusChange change, CancellationToken cancellationToken) =>
            UpdateInBulkAsync(projectId, issueIds, RequestBodies.StatusChange(change), cancellationToken);

        public Task<IReadOnlyList<BulkChangeOutcome>> UpdateIssuesAsync(string projectId, IReadOnlyList<string> issueIds, IssueChange change, CancellationToken cancellationToken) =>
            UpdateInBulkAsync(projectId, issueIds, RequestBodies.IssueChange(change), cancellationToken, AssigneeRejected);

        /// <summary>Any bulk change: the same body for every request, each request guarded (see <see cref="BulkChangeUris"/>).</summary>
        private async Task<IReadOnlyList<BulkChangeOutcome>> UpdateInBulkAsync(string projectId, IReadOnlyList<string> issueIds, string body, CancellationToken cancellationToken, Func<SentryApiException, SentryApiException>? explain = null)
        {
            if (string.IsNullOrWhiteSpace(projectId)) throw new ArgumentException("A project id is required: a bulk change is sent one project at a time.", nameof(projectId));
            IReadOnlyList<Uri> requests = BulkChangeUris(projectId, issueIds);
            return await Task.WhenAll(requests.Select(async uri =>
            {
                IReadOnlyList<string> named = BulkIds(uri);
                try
                {
                    // PUT is idempotent, so the client may retry it. 200: some or all matched; 204: none did.
                    SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Put, uri, "event:write", body), cancellationToken).ConfigureAwait(false);
                    return new BulkChangeOutcome(named, response.StatusCode == System.Net.HttpStatusCode.OK, null);
                }
                catch (SentryApiException ex) when (!ex.IsFatal)
                {
                    return new BulkChangeOutcome(named, false, explain is null ? ex : explain(ex));
                }
            })).ConfigureAwait(false);
        }

        public async Task<SentryIssue> UpdateIssueAsync(string issueId, IssueChange change, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/");
            try
            {
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Put, uri, "event:write", RequestBodies.IssueChange(change)), cancellationToken).ConfigureAwait(false);
                return Parse(response, IssueReader.Read);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw IssueNotFound(issueId, ex);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.InvalidRequest)
            {
                throw AssigneeRejected(ex);
            }
        }

        /// <summary>
        /// Sentry's field errors for <c>assignedTo</c> (REFERENCE.md §2.4): a non-member, a deactivated member, a team
        /// without access to the project, an actor it cannot parse or find. Its words are kept; the id says what kind.
        /// </summary>
        private static SentryApiException AssigneeRejected(SentryApiException ex)
        {
            string? detail = ex.Detail;
            if (ex.Kind != SentryErrorKind.InvalidRequest || detail is null || detail.IndexOf("assignedTo", StringComparison.Ordinal) < 0) return ex;
            string said = detail.Substring(detail.IndexOf("assignedTo", StringComparison.Ordinal)).Replace("assignedTo: ", string.Empty);
            (string id, string fix) = said.IndexOf("team without access", StringComparison.OrdinalIgnoreCase) >= 0
                ? ("SentryAssigneeTeamNoAccess", "Give the team access to the issue's project in Sentry (Project Settings > Teams), or assign another team.")
                : said.IndexOf("non-team member", StringComparison.OrdinalIgnoreCase) >= 0 || said.IndexOf("not a member", StringComparison.OrdinalIgnoreCase) >= 0
                    ? ("SentryAssigneeNotMember", "Assign someone on a team of the issue's project, or add the user to one of its teams.")
                    : said.IndexOf("deactivated", StringComparison.OrdinalIgnoreCase) >= 0
                        ? ("SentryAssigneeDeactivated", "Assign an active member.")
                        : ("SentryAssigneeInvalid", "Use an e-mail, user:<id>, team:<slug> or me; list teams with Get-SentryIssue ... | Select-Object AssignedTo, or in Sentry's Settings > Teams.");
            return new SentryApiException(SentryErrorKind.InvalidRequest, id, $"Sentry refused the assignee: {said}", fix, ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
        }

        public async Task<SentryIssueSummary> GetIssueSummaryAsync(string issueId, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/summarize/");
            try
            {
                // A POST, but it only reads: Sentry returns the cached summary or makes one.
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Post, uri, "event:read", "{}", safeToRepeat: true), cancellationToken).ConfigureAwait(false);
                return Parse(response, root =>
                {
                    JsonElement? scores = root.Property("scores");
                    return new SentryIssueSummary(
                        root.String("groupId") ?? issueId,
                        root.String("headline") ?? string.Empty,
                        root.String("whatsWrong"),
                        root.String("trace"),
                        root.String("possibleCause"),
                        Fraction(scores?.Property("possibleCauseConfidence")),
                        Fraction(scores?.Property("fixabilityScore")));
                });
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.Permission || ex.Kind == SentryErrorKind.NotFound || ex.Kind == SentryErrorKind.RateLimited || ex.Kind == SentryErrorKind.InvalidRequest || ex.Kind == SentryErrorKind.Gone)
            {
                string why = ex.Kind switch
                {
                    SentryErrorKind.Permission => "the organization has no Seer (Generative AI features off, no Seer plan or consent), or the token may not use it",
                    SentryErrorKind.NotFound => "the issue was not found, or this Sentry has no Seer (self-hosted Sentry has none)",
                    SentryErrorKind.RateLimited => "Seer's rate limit (10 summaries a minute per user) was hit",
                    _ => "Sentry refused the request",
                };
                throw new SentryApiException(
                    ex.Kind,
                    "SentrySeerUnavailable",
                    $"Seer's summary of issue '{_http.Redact(issueId)}' is not available: {why} ({ex.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? ex.Kind.ToString()}{(ex.Detail is null ? string.Empty : ": " + ex.Detail)}).",
                    ex.Kind == SentryErrorKind.RateLimited ? "Wait a minute and ask again." : "Turn on Generative AI features and Seer in the organization's settings on sentry.io, or triage without it.",
                    ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
            }
        }

        public async Task<SentryMonitor> GetCronMonitorAsync(string monitorSlug, int checkIns, CancellationToken cancellationToken)
        {
            string path = $"organizations/{Segment(Organization)}/monitors/{Segment(monitorSlug)}/";
            Task<SentryResponse> monitor = GetAsync(ApiUri(path), "org:read", cancellationToken);
            Task<SentryResponse> recent = GetAsync(ApiUri(path + "checkins/", ("per_page", PageSize(checkIns))), "org:read", cancellationToken);
            await Task.WhenAll(monitor, recent).ConfigureAwait(false);
            IReadOnlyList<SentryCheckIn> read = Parse(recent.Result, root => (IReadOnlyList<SentryCheckIn>)Elements(root).Select(MonitorReader.CheckIn).ToList());
            return Parse(monitor.Result, root => MonitorReader.Cron(root, read));
        }

        public async Task<SentryMonitor> GetUptimeMonitorAsync(string project, string monitorId, int checks, CancellationToken cancellationToken)
        {
            string path = $"projects/{Segment(Organization)}/{Segment(project)}/uptime/{Segment(monitorId)}/";
            Task<SentryResponse> monitor = GetAsync(ApiUri(path), "project:read", cancellationToken);
            Task<SentryResponse> recent = GetAsync(ApiUri(path + "checks/", ("per_page", PageSize(checks))), "project:read", cancellationToken);
            await Task.WhenAll(monitor, recent).ConfigureAwait(false);
            IReadOnlyList<SentryCheckIn> read = Parse(recent.Result, root => (IReadOnlyList<SentryCheckIn>)Elements(root).Select(MonitorReader.UptimeCheck).ToList());
            return Parse(monitor.Result, root => MonitorReader.Uptime(root, read));
        }

        private static double? Fraction(JsonElement? value) =>
            value is JsonElement v && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) ? d : (double?)null;

        public async Task<IReadOnlyList<SentryActor>> GetTeamsAsync(CancellationToken cancellationToken)
        {
            var teams = new List<SentryActor>();
            Uri? next = ApiUri($"organizations/{Segment(Organization)}/teams/", ("per_page", "100"));
            // Teams are few; the cap only stops a server whose cursor never ends.
            for (int page = 0; next != null && page < 50; page++)
            {
                SentryResponse response = await GetAsync(next, "team:read", cancellationToken).ConfigureAwait(false);
                SentryPage<SentryActor> read = Page(response, next, t => new SentryActor("team", t.String("id"), t.String("slug"), null));
                teams.AddRange(read.Items);
                next = read.Next;
            }

            return teams;
        }

        public async Task<SentryActor> GetCurrentUserAsync(CancellationToken cancellationToken)
        {
            Uri uri = ApiUri("auth/");
            try
            {
                SentryResponse response = await GetAsync(uri, "org:read", cancellationToken).ConfigureAwait(false);
                return Parse(response, u => new SentryActor("user", u.String("id"), u.String("name"), u.String("email")));
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.InvalidRequest)
            {
                throw new SentryApiException(
                    SentryErrorKind.InvalidRequest,
                    "SentryTokenHasNoUser",
                    $"'me' needs a token that belongs to a user; this one does not (an organization or integration token): {ex.Detail}",
                    "Assign by e-mail or user:<id> instead, or connect with a personal token.",
                    ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
            }
        }

        /// <summary>
        /// The bulk requests for the ids, each with the guard <c>query=issue.id:[…]</c> that matches only its own ids:
        /// Sentry searches with that query when none of the ids exists (REFERENCE.md §2.4), and then finds nothing.
        /// A server whose search does not know <c>issue.id</c> treats it as a tag, which no issue has: nothing again.
        /// </summary>
        internal IReadOnlyList<Uri> BulkChangeUris(string projectId, IReadOnlyList<string> issueIds)
        {
            var ids = issueIds.Select(i => i.Trim()).Distinct(StringComparer.Ordinal).ToList();
            foreach (string id in ids)
            {
                if (id.Length == 0 || !id.All(c => c >= '0' && c <= '9')) throw new ArgumentException($"'{_http.Redact(id)}' is not a numeric issue id.", nameof(issueIds));
            }

            // Each id costs its digits twice: "&id=N" and "N" plus an escaped comma in the guard's list.
            int empty = BulkChangeUri(projectId, Array.Empty<string>()).OriginalString.Length;
            var uris = new List<Uri>();
            var chunk = new List<string>();
            int length = empty;
            foreach (string id in ids)
            {
                int cost = "&id=".Length + (2 * id.Length) + (chunk.Count == 0 ? 0 : "%2C".Length);
                if (chunk.Count > 0 && length + cost > MaxUrlLength)
                {
                    uris.Add(BulkChangeUri(projectId, chunk));
                    chunk = new List<string>();
                    length = empty;
                    cost = "&id=".Length + (2 * id.Length);
                }

                chunk.Add(id);
                length += cost;
            }

            if (chunk.Count > 0) uris.Add(BulkChangeUri(projectId, chunk));
            return uris;
        }

        private Uri BulkChangeUri(string projectId, IReadOnlyList<string> ids) =>
            ApiUri(
                $"organizations/{Segment(Organization)}/issues/",
                new[] { ("project", projectId), ("query", "issue.id:[" + string.Join(",", ids) + "]") }.Concat(ids.Select(id => ("id", id))).ToArray());

        private static IReadOnlyList<string> BulkIds(Uri uri) =>
            uri.Query.TrimStart('?').Split('&').Select(p => p.Split(new[] { '=' }, 2)).Where(p => p.Length == 2 && p[0] == "id").Select(p => Uri.UnescapeDataString(p[1])).ToList();

        public async Task<SentryIssue> UpdateIssueStatusAsync(string issueId, StatusChange change, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/");
            try
            {
                // PUT is idempotent, so the client may retry it; the single-issue route returns the whole issue.
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Put, uri, "event:write", RequestBodies.StatusChange(change)), cancellationToken).ConfigureAwait(false);
                return Parse(response, IssueReader.Read);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw IssueNotFound(issueId, ex);
            }
        }

        /// <summary>
        /// Posts a note once: when the POST's outcome is unknown, or Sentry calls it a duplicate, the issue's activity
        /// says whether it is there already (a note with the same text since the call began, within the clock skew).
        /// </summary>
        public Task<SentryActivity> AddNoteAsync(string issueId, string text, CancellationToken cancellationToken)
        {
            // Only a note written since this call began can be this call's note; an older one with the same text is another's.
            DateTimeOffset since = _options.TimeProvider.GetUtcNow() - WrittenOnce.ClockSkew;
            return WrittenOnce.WriteAsync(
                $"The note on {_http.Redact(issueId)}",
                ct => PostNoteAsync(issueId, text, ct),
                async (ex, ct) =>
                {
                    // Sentry itself refuses a duplicate within the hour: then the earlier note is the one to return.
                    bool duplicate = ex.ErrorId == "SentryNoteDuplicate";
                    return (await GetIssueActivityAsync(issueId, ct).ConfigureAwait(false))
                        .FirstOrDefault(a => a.Type == "note" && a.Text == text && (duplicate || (a.DateCreated is DateTimeOffset created && created >= since)));
                },
                ex => ex.ErrorId == "SentryNoteDuplicate",
                _options.TimeProvider,
                Verbose,
                cancellationToken);
        }

        /// <summary>Records a deploy once: a deploy is recognised by its environment, name and finish time, which the caller always sets.</summary>
        public Task<SentryDeploy> CreateDeployAsync(string version, DeployRequest deploy, CancellationToken cancellationToken)
        {
            if (deploy.DateFinished is null) throw new ArgumentException("Set DateFinished so that a stored deploy can be recognised.", nameof(deploy));
            return WrittenOnce.WriteAsync(
                $"The deploy of {version} to {deploy.Environment}",
                ct => PostDeployAsync(version, deploy, ct),
                async (_, ct) => (await GetDeploysAsync(version, ct).ConfigureAwait(false)).FirstOrDefault(d => SameDeploy(d, deploy)),
                _ => false,
                _options.TimeProvider,
                Verbose,
                cancellationToken);
        }

        private static bool SameDeploy(SentryDeploy stored, DeployRequest wanted) =>
            string.Equals(stored.Environment, wanted.Environment, StringComparison.Ordinal)
            && string.Equals(stored.Name ?? string.Empty, wanted.Name ?? string.Empty, StringComparison.Ordinal)
            && stored.DateFinished is DateTimeOffset finished
            && Math.Abs((finished - wanted.DateFinished!.Value).TotalSeconds) < 1;

        private void Verbose(string line) => _options.Log?.Invoke(_http.Redact(line));

        private async Task<SentryActivity> PostNoteAsync(string issueId, string text, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/issues/{Segment(issueId)}/comments/");
            try
            {
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Post, uri, "event:write", RequestBodies.Note(text)), cancellationToken).ConfigureAwait(false);
                return Parse(response, root => DetailReaders.Activity(issueId, root));
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw IssueNotFound(issueId, ex);
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.InvalidRequest && ex.Detail != null && ex.Detail.IndexOf("already posted", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                throw new SentryApiException(
                    SentryErrorKind.InvalidRequest,
                    "SentryNoteDuplicate",
                    $"Sentry refused the note on issue '{_http.Redact(issueId)}': the same text was posted within the last hour ({ex.Detail}).",
                    "Make the note unique, for example with a time stamp, or leave it: it is already there.",
                    ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);
            }
        }

        private async Task<SentryDeploy> PostDeployAsync(string version, DeployRequest deploy, CancellationToken cancellationToken)
        {
            Uri uri = ApiUri($"organizations/{Segment(Organization)}/releases/{Segment(version)}/deploys/");
            try
            {
                SentryResponse response = await _http.SendAsync(new SentryRequest(HttpMethod.Post, uri, "project:releases", RequestBodies.Deploy(deploy)), cancellationToken).ConfigureAwait(false);
                return Parse(response, root => DetailReaders.Deploy(version, root));
            }
            catch (SentryApiException ex) when (ex.Kind == SentryErrorKind.NotFound)
            {
                throw ReleaseNotFound(version, ex);
            }
        }

        private Task<SentryResponse> GetAsync(Uri uri, string scope, CancellationToken cancellationToken) =>
            _http.SendAsync(new SentryRequest(HttpMethod.Get, uri, scope), cancellationToken);

        private static string PageSize(int perPage) => Math.Max(1, Math.Min(100, perPage)).ToString(CultureInfo.InvariantCulture);

        private static JsonElement.ArrayEnumerator Elements(JsonElement root) =>
            root.ValueKind == JsonValueKind.Array ? root.EnumerateArray() : throw new JsonException("expected a JSON array");

        private static SentryPage<T> Page<T>(SentryResponse response, Uri uri, Func<JsonElement, T> read)
        {
            IReadOnlyList<T> items = Parse(response, root => (IReadOnlyList<T>)Elements(root).Select(read).ToList());
            long? hits = long.TryParse(response.Header("X-Hits"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long h) ? h : (long?)null;
            return new SentryPage<T>(items, LinkHeader.NextPage(response.Header("Link"), uri), hits);
        }

        private SentryApiException IssueNotFound(string issueId, SentryApiException ex) =>
            ex.ErrorId == SentryErrors.EvidenceMissId ? ex : new SentryApiException(
                SentryErrorKind.NotFound,
                "SentryIssueNotFound",
                $"Issue '{_http.Redact(issueId)}' was not found in organization '{Organization}' (it may be deleted, merged into another issue, or in a project the token cannot see).",
                "Check the id or short id (for example WEB-1A) with Get-SentryIssue -Query, and that you are connected to the right organization.",
                ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);

        private SentryApiException ReleaseNotFound(string version, SentryApiException ex) =>
            ex.ErrorId == SentryErrors.EvidenceMissId ? ex : new SentryApiException(
                SentryErrorKind.NotFound,
                "SentryReleaseNotFound",
                $"Release '{_http.Redact(version)}' was not found in organization '{Organization}'.",
                "List the releases with Get-SentryRelease; versions are exact, including any package prefix such as app@.",
                ex.StatusCode, ex.Detail, ex.Method, ex.RequestUri, ex);

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

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Models;

namespace SentryRunbook.Client
{
    /// <summary>
    /// The key an evidence bundle answers by: the method, the path and the parameters sorted by name then value
    /// (each decoded and encoded the same way), so a later version that orders or encodes its parameters
    /// differently still finds the answer to the same request.
    /// </summary>
    public static class EvidenceKeys
    {
        public static string Canonical(string method, string pathAndQuery)
        {
            int question = pathAndQuery.IndexOf('?');
            string path = question < 0 ? pathAndQuery : pathAndQuery.Substring(0, question);
            string query = question < 0 ? string.Empty : pathAndQuery.Substring(question + 1);
            var parameters = query.Split(new[] { '&' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(pair =>
                {
                    int equals = pair.IndexOf('=');
                    string key = equals < 0 ? pair : pair.Substring(0, equals);
                    string value = equals < 0 ? string.Empty : pair.Substring(equals + 1);
                    return (Key: Decode(key), Value: Decode(value));
                })
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value));
            string sorted = string.Join("&", parameters);
            return method.ToUpperInvariant() + " " + Uri.UnescapeDataString(path).TrimStart('/') + (sorted.Length == 0 ? string.Empty : "?" + sorted);
        }

        private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
    }

    /// <summary>Records what Sentry answered, under the client's retries, for an evidence bundle.</summary>
    internal sealed class RecordingHandler : DelegatingHandler
    {
        private static readonly string[] KeptHeaders = { "Link", "X-Hits" };
        private readonly Uri _baseUri;
        private readonly ConcurrentDictionary<string, RecordedExchange> _exchanges = new ConcurrentDictionary<string, RecordedExchange>(StringComparer.Ordinal);

        public RecordingHandler(Uri baseUri, HttpMessageHandler inner)
            : base(inner)
        {
            _baseUri = baseUri;
        }

        public IReadOnlyList<RecordedExchange> Exchanges => _exchanges.Values.OrderBy(e => e.PathAndQuery, StringComparer.Ordinal).ToList();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;

            // Successful answers and 404s (a 404 from committers means "no suspects") are the data; 429s and 5xx are noise the retries absorb.
            if (request.Method == HttpMethod.Get && ((status >= 200 && status < 300) || status == 404) && request.RequestUri != null)
            {
                await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string name in KeptHeaders)
                {
                    if (response.Headers.TryGetValues(name, out IEnumerable<string>? values)) headers[name] = string.Join(", ", values);
                }

                string path = Relative(_baseUri, request.RequestUri);
                _exchanges[EvidenceKeys.Canonical("GET", path)] = new RecordedExchange("GET", path, status, headers, body);
            }

            return response;
        }

        internal static string Relative(Uri baseUri, Uri uri) =>
            uri.PathAndQuery.StartsWith(baseUri.AbsolutePath, StringComparison.Ordinal)
                ? uri.PathAndQuery.Substring(baseUri.AbsolutePath.Length)
                : uri.PathAndQuery.TrimStart('/');
    }

    /// <summary>
    /// Answers from an evidence bundle instead of Sentry: the same requests (by <see cref="EvidenceKeys.Canonical"/>) get
    /// the same answers, offline. A request the bundle has no answer to is marked with <see cref="MissHeader"/>, which
    /// the client reports as its own error (SentryEvidenceMiss), never as Sentry saying "not found".
    /// </summary>
    internal sealed class ReplayHandler : HttpMessageHandler
    {
        public const string MissHeader = "X-SentryRunbook-Evidence-Miss";

        private readonly Uri _baseUri;
        private readonly Dictionary<string, RecordedExchange> _exchanges;

        public ReplayHandler(Uri baseUri, IReadOnlyList<RecordedExchange> exchanges)
        {
            _baseUri = baseUri;
            _exchanges = exchanges.GroupBy(e => EvidenceKeys.Canonical(e.Method, e.PathAndQuery), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string path = request.RequestUri is null ? string.Empty : RecordingHandler.Relative(_baseUri, request.RequestUri);
            string key = EvidenceKeys.Canonical(request.Method.Method, path);
            HttpResponseMessage response;
            if (request.Method == HttpMethod.Get && _exchanges.TryGetValue(key, out RecordedExchange? exchange))
            {
                response = new HttpResponseMessage((HttpStatusCode)exchange.Status) { Content = new StringContent(exchange.Body, Encoding.UTF8, "application/json") };
                foreach (KeyValuePair<string, string> header in exchange.Headers) response.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            else
            {
                // Offline there is nothing else to ask; a change is impossible by construction.
                response = new HttpResponseMessage(request.Method == HttpMethod.Get ? HttpStatusCode.NotFound : HttpStatusCode.MethodNotAllowed)
                {
                    Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { ["detail"] = $"Not in the evidence bundle: {key}" }), Encoding.UTF8, "application/json"),
                };
                response.Headers.TryAddWithoutValidation(MissHeader, "1");
            }

            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }

    /// <summary>Reads and writes evidence bundles: JSON with a SHA-256 over the canonical content.</summary>
    public static class EvidenceStore
    {
        private static readonly JsonWriterOptions Indented = new JsonWriterOptions { Indented = true };

        public static string Serialize(IncidentEvidence evidence, out string sha256)
        {
            string content = Content(evidence);
            sha256 = Hash(content);
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, Indented))
            {
                writer.WriteStartObject();
                writer.WriteString("sha256", sha256);
                using JsonDocument parsed = JsonDocument.Parse(content);
                foreach (JsonProperty property in parsed.RootElement.EnumerateObject()) property.WriteTo(writer);
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>Parses a bundle; <see cref="IncidentEvidence.Verified"/> is false when its content no longer matches its hash.</summary>
        public static IncidentEvidence Deserialize(string json, string? path)
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            int version = root.GetProperty("schemaVersion").GetInt32();
            if (version > IncidentEvidence.CurrentSchemaVersion)
            {
                throw new InvalidDataException($"The bundle has schema version {version}; this SentryRunbook reads up to {IncidentEvidence.CurrentSchemaVersion}.");
            }

            var exchanges = new List<RecordedExchange>();
            foreach (JsonElement e in root.GetProperty("exchanges").EnumerateArray())
            {
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (e.TryGetProperty("headers", out JsonElement h))
                {
                    foreach (JsonProperty header in h.EnumerateObject()) headers[header.Name] = header.Value.GetString() ?? string.Empty;
                }

                exchanges.Add(new RecordedExchange(e.GetProperty("method").GetString()!, e.GetProperty("path").GetString()!, e.GetProperty("status").GetInt32(), headers, e.GetProperty("body").GetString() ?? string.Empty));
            }

            var evidence = new IncidentEvidence(
                version,
                root.GetProperty("sentryHost").GetString()!,
                root.GetProperty("organization").GetString()!,
                root.GetProperty("issueId").GetString()!,
                root.TryGetProperty("shortId", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null,
                DateTimeOffset.Parse(root.GetProperty("fetchedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime(),
                root.GetProperty("statsPeriod").GetString()!,
                exchanges,
                string.Empty,
                false,
                path,
                root.TryGetProperty("incident", out JsonElement incident) && incident.ValueKind == JsonValueKind.Object ? ReadIncident(incident) : null);
            string recorded = root.TryGetProperty("sha256", out JsonElement hash) ? hash.GetString() ?? string.Empty : string.Empty;
            bool verified = string.Equals(recorded, Hash(Content(evidence)), StringComparison.OrdinalIgnoreCase);
            return new IncidentEvidence(version, evidence.SentryHost, evidence.Organization, evidence.IssueId, evidence.ShortId, evidence.FetchedAt, evidence.StatsPeriod, exchanges, recorded, verified, path, evidence.Incident);
        }

        private static IncidentRecord ReadIncident(JsonElement e)
        {
            string? Text(string name) => e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            IReadOnlyList<string> Strings(JsonElement parent, string name) =>
                parent.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToList() : (IReadOnlyList<string>)Array.Empty<string>();
            var reasons = e.TryGetProperty("reasons", out JsonElement r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(x => new IncidentMemberReason(x.GetProperty("issueId").GetString()!, x.GetProperty("shortId").GetString() ?? string.Empty, Strings(x, "kinds"), Strings(x, "evidence"))).ToList()
                : new List<IncidentMemberReason>();
            return new IncidentRecord(Text("id")!, Text("title") ?? string.Empty, Strings(e, "issueIds"), Text("primaryIssueId")!, Text("severity"), Text("severityIssue"), Text("severityReason"), Text("pattern"),
                Strings(e, "releases"), Strings(e, "environments"), reasons);
        }

        private static void WriteIncident(Utf8JsonWriter writer, IncidentRecord incident)
        {
            void Strings(string name, IEnumerable<string> values)
            {
                writer.WriteStartArray(name);
                foreach (string value in values) writer.WriteStringValue(value);
                writer.WriteEndArray();
            }

            void Optional(string name, string? value)
            {
                if (value != null) writer.WriteString(name, value);
            }

            writer.WriteStartObject("incident");
            writer.WriteString("id", incident.Id);
            writer.WriteString("title", incident.Title);
            Strings("issueIds", incident.IssueIds);
            writer.WriteString("primaryIssueId", incident.PrimaryIssueId);
            Optional("severity", incident.Severity);
            Optional("severityIssue", incident.SeverityIssue);
            Optional("severityReason", incident.SeverityReason);
            Optional("pattern", incident.Pattern);
            Strings("releases", incident.Releases);
            Strings("environments", incident.Environments);
            writer.WriteStartArray("reasons");
            foreach (IncidentMemberReason reason in incident.Reasons)
            {
                writer.WriteStartObject();
                writer.WriteString("issueId", reason.IssueId);
                writer.WriteString("shortId", reason.ShortId);
                Strings("kinds", reason.Kinds);
                Strings("evidence", reason.Evidence);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        /// <summary>The canonical content the hash covers: every field but the hash, in a fixed order.</summary>
        private static string Content(IncidentEvidence evidence)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteNumber("schemaVersion", evidence.SchemaVersion);
                writer.WriteString("sentryHost", evidence.SentryHost);
                writer.WriteString("organization", evidence.Organization);
                writer.WriteString("issueId", evidence.IssueId);
                if (evidence.ShortId != null) writer.WriteString("shortId", evidence.ShortId);
                if (evidence.Incident != null) WriteIncident(writer, evidence.Incident);
                writer.WriteString("fetchedAt", evidence.FetchedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteString("statsPeriod", evidence.StatsPeriod);
                writer.WriteStartArray("exchanges");
                foreach (RecordedExchange e in evidence.Exchanges.OrderBy(x => x.PathAndQuery, StringComparer.Ordinal))
                {
                    writer.WriteStartObject();
                    writer.WriteString("method", e.Method);
                    writer.WriteString("path", e.PathAndQuery);
                    writer.WriteNumber("status", e.Status);
                    writer.WriteStartObject("headers");
                    foreach (KeyValuePair<string, string> header in e.Headers.OrderBy(x => x.Key, StringComparer.OrdinalIgnoreCase)) writer.WriteString(header.Key, header.Value);
                    writer.WriteEndObject();
                    writer.WriteString("body", e.Body);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }

        private static string Hash(string content)
        {
            using var sha = SHA256.Create();
            byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(content));
            return string.Concat(digest.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}

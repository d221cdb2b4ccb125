using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Posts envelopes and events to a sandbox like an SDK would, and finds the shared SDK captures.</summary>
public static class IngestClient
{
    private static readonly HttpClient Http = new();

    public static string Key(SandboxHost host) => new Uri(host.Dsn).UserInfo;

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> Post(
        SandboxHost host, string path, byte[] body, string? key = "dsn", string? encoding = null, bool chunked = false, string projectId = "1")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{host.BaseUri}/api/{projectId}/{path}/");
        HttpContent content = chunked ? new StreamContent(new MemoryStream(Encode(body, encoding))) : new ByteArrayContent(Encode(body, encoding));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-sentry-envelope");
        if (encoding is not null) content.Headers.ContentEncoding.Add(encoding == "deflate-raw" ? "deflate" : encoding);
        request.Content = content;
        if (chunked) request.Headers.TransferEncodingChunked = true;
        if (key is not null)
            request.Headers.TryAddWithoutValidation("X-Sentry-Auth", $"Sentry sentry_key={(key == "dsn" ? Key(host) : key)}, sentry_version=7, sentry_client=sandbox-tests/1.0");
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response, doc.RootElement.Clone());
    }

    public static Task<(HttpResponseMessage Response, JsonElement Body)> Envelope(SandboxHost host, string envelope, string? key = "dsn", string? encoding = null) =>
        Post(host, "envelope", Encoding.UTF8.GetBytes(envelope), key, encoding);

    private static byte[] Encode(byte[] body, string? encoding)
    {
        if (encoding is null) return body;
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate-raw" => new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => throw new ArgumentException(encoding),
        })
        {
            compressor.Write(body);
        }
        return output.ToArray();
    }

    /// <summary>shared/sdk-envelopes beside the repo clone (found like the OpenAPI schema).</summary>
    public static string EnvelopeFolder() =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(OpenApiValidator.LocateSchema()))!, "sdk-envelopes");

    /// <summary>A single-event envelope with an explicit item length or none.</summary>
    public static string EventEnvelope(string eventJson, bool withLength, bool trailingNewline = true)
    {
        var header = withLength ? $"{{\"type\":\"event\",\"length\":{Encoding.UTF8.GetByteCount(eventJson)}}}" : "{\"type\":\"event\"}";
        return "{}\n" + header + "\n" + eventJson + (trailingNewline ? "\n" : "");
    }
}

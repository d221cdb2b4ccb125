using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Ingest;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Relay's ingest endpoints: `POST /api/{project_id}/envelope/` and the older `/store/` (one event
/// JSON). Authenticated by the project's DSN key, not by a bearer token; answers `{"id": …}`.
/// </summary>
public static class IngestRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        var processor = new IngestProcessor(state.Store);
        app.MapPost("/api/{projectId}/envelope/", context => Handle(context, state, processor, envelope: true));
        app.MapPost("/api/{projectId}/store/", context => Handle(context, state, processor, envelope: false));
    }

    private static async Task Handle(HttpContext context, SandboxState state, IngestProcessor processor, bool envelope)
    {
        byte[] body;
        try
        {
            body = await ReadBody(context.Request);
        }
        catch (InvalidDataException)
        {
            await JsonOut.Detail(context, StatusCodes.Status400BadRequest, "invalid body encoding");
            return;
        }

        var clientIp = context.Connection.RemoteIpAddress?.ToString();
        var key = IngestAuth.KeyFromRequest(context.Request);
        Envelope? parsed = null;
        try
        {
            if (envelope)
            {
                parsed = EnvelopeReader.Parse(body);
                key ??= IngestAuth.KeyFromEnvelope(parsed.Header);
            }
            if (key is null)
            {
                await JsonOut.Detail(context, StatusCodes.Status401Unauthorized, IngestAuth.Missing);
                return;
            }
            var project = state.Store.FindProject(OrganizationRoutes.Route(context, "projectId"));
            if (project is null || !string.Equals(project.PublicKey, key, StringComparison.Ordinal))
            {
                await JsonOut.Detail(context, StatusCodes.Status401Unauthorized, IngestAuth.Invalid);
                return;
            }

            string? eventId;
            if (parsed is not null)
            {
                eventId = processor.Process(parsed, IngestProcessor.Context(project, clientIp, parsed.Header));
            }
            else
            {
                var root = IngestProcessor.Parse(body);
                eventId = processor.StoreEvent(root, IngestProcessor.Context(project, clientIp, null), body.Length);
            }
            await JsonOut.Write(context, eventId is null ? new JsonObject() : new JsonObject { ["id"] = eventId });
        }
        catch (FormatException ex)
        {
            await JsonOut.Detail(context, StatusCodes.Status400BadRequest, (envelope ? "invalid envelope: " : "invalid event: ") + ex.Message);
        }
    }

    /// <summary>Reads the whole body, undoing `Content-Encoding: gzip` or `deflate` (zlib-wrapped or raw).</summary>
    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var raw = new MemoryStream();
        await request.Body.CopyToAsync(raw);
        var bytes = raw.ToArray();
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        return encoding switch
        {
            "gzip" or "x-gzip" => await Decompress(new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress)),
            // HTTP `deflate` is zlib-wrapped by the RFC, but many clients send raw deflate: the zlib header tells them apart.
            "deflate" => await Decompress(IsZlib(bytes)
                ? new ZLibStream(new MemoryStream(bytes), CompressionMode.Decompress)
                : new DeflateStream(new MemoryStream(bytes), CompressionMode.Decompress)),
            "br" => await Decompress(new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress)),
            _ => bytes,
        };
    }

    private static bool IsZlib(byte[] b) => b.Length >= 2 && (b[0] & 0x0F) == 8 && ((b[0] << 8) | b[1]) % 31 == 0;

    private static async Task<byte[]> Decompress(Stream stream)
    {
        await using (stream)
        {
            using var output = new MemoryStream();
            await stream.CopyToAsync(output);
            return output.ToArray();
        }
    }
}

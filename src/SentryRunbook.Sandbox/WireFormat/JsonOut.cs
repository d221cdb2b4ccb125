using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>Writes JSON bodies the way Sentry (Python json) does: no escaping of quotes/apostrophes/non-ASCII.</summary>
public static class JsonOut
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static Task Write(HttpContext context, JsonNode? body, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Serialize(body));
    }

    /// <summary>DRF-style error body `{"detail": "..."}`.</summary>
    public static Task Detail(HttpContext context, int status, string detail) =>
        Write(context, new JsonObject { ["detail"] = detail }, status);

    public static Task NotFound(HttpContext context) => Detail(context, StatusCodes.Status404NotFound, Messages.NotFound);

    public static JsonArray Array(IEnumerable<JsonNode?> items)
    {
        var array = new JsonArray();
        foreach (var item in items) array.Add(item);
        return array;
    }

    public static JsonArray Strings(IEnumerable<string> items) => Array(items.Select(s => (JsonNode?)JsonValue.Create(s)));
}

/// <summary>Error strings copied verbatim from Sentry/DRF; clients match on some of them.</summary>
public static class Messages
{
    public const string NotFound = "The requested resource does not exist";
    public const string NoCredentials = "Authentication credentials were not provided.";
    public const string InvalidToken = "Invalid token";
    public const string EmptyBearer = "Invalid token header. No credentials provided.";
    public const string Forbidden = "You do not have permission to perform this action.";
    public const string InvalidCursor = "Invalid cursor parameter.";
    public const string InvalidPerPage = "Invalid per_page parameter.";
    public const string PerPageTooLarge = "Invalid per_page value. Cannot exceed 100.";
    public const string InvalidStatsPeriod = "Invalid stats_period. Valid choices are '', '24h', '14d', and 'auto'";
    public const string Gone = "This API no longer exists.";
}

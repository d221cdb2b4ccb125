using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Http;

/// <summary>
/// Django-like URL rules: every route ends with `/` (ASP.NET routing would otherwise match without
/// it), and anything unrouted is a JSON 404, or a DRF-style 405 for a known path with another method.
/// </summary>
public sealed class PathRules(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var endpoint = context.GetEndpoint();
        if (!path.EndsWith('/') || endpoint is null) return JsonOut.NotFound(context);
        if (endpoint.Metadata.GetMetadata<RequiredScope>() is null && endpoint.DisplayName?.StartsWith("405", StringComparison.Ordinal) == true)
            return JsonOut.Detail(context, StatusCodes.Status405MethodNotAllowed, $"Method \"{context.Request.Method}\" not allowed.");
        return next(context);
    }
}

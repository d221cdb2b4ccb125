using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Http;

/// <summary>
/// Bearer-token check with Sentry/DRF's exact 401/403 bodies. Runs after routing so unknown paths
/// stay 404 without credentials, like Django's URL resolver answering before DRF authenticates.
/// </summary>
public sealed class AuthMiddleware(RequestDelegate next, SandboxState state)
{
    public Task InvokeAsync(HttpContext context)
    {
        var (caller, failure) = Identify(context.Request, state.Options.Token);
        context.Items[Caller.ItemKey] = caller;
        var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>();
        if (required is null) return next(context);
        if (failure is not null) return JsonOut.Detail(context, StatusCodes.Status401Unauthorized, failure);
        if (caller.Kind == TokenKind.Organization && context.GetEndpoint()?.Metadata.GetMetadata<UserOnly>() is { } userOnly)
            return JsonOut.Detail(context, StatusCodes.Status403Forbidden, userOnly.Detail);
        // Org tokens cannot read or change issues (their only scope is org:ci); org metadata and releases stay open to them.
        if (caller.Kind == TokenKind.Organization && (required == RequiredScope.EventRead || required == RequiredScope.EventWrite || required == RequiredScope.EventAdmin))
            return JsonOut.Detail(context, StatusCodes.Status403Forbidden, Messages.Forbidden);
        return next(context);
    }

    /// <summary>Returns the caller, or an anonymous caller plus the 401 detail to send if the route needs auth.</summary>
    public static (Caller Caller, string? Failure) Identify(HttpRequest request, string configuredToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0) return (Caller.Anonymous, Messages.NoCredentials);
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? header : header[..space];
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return (Caller.Anonymous, Messages.NoCredentials);
        var token = space < 0 ? "" : header[(space + 1)..].Trim();
        if (token.Length == 0) return (Caller.Anonymous, Messages.EmptyBearer);
        if (!string.Equals(token, configuredToken, StringComparison.Ordinal)) return (Caller.Anonymous, Messages.InvalidToken);
        return (token.StartsWith("sntrys_", StringComparison.Ordinal) ? Caller.OrgToken : Caller.User, null);
    }
}

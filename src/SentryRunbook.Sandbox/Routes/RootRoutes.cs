using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>`GET /api/0/`: the token probe sentry-cli's `info` uses. Never 401: auth and user are null instead.</summary>
public static class RootRoutes
{
    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/", context =>
        {
            var caller = context.Items[Caller.ItemKey] as Caller ?? Caller.Anonymous;
            JsonNode? user = caller.Kind == TokenKind.User
                ? new JsonObject { ["id"] = "1", ["name"] = "Sandbox User", ["email"] = "sandbox@example.com", ["username"] = "sandbox" }
                : null;
            return JsonOut.Write(context, new JsonObject
            {
                ["version"] = "0",
                ["auth"] = caller.Kind == TokenKind.None ? null : new JsonObject { ["scopes"] = JsonOut.Strings(caller.Scopes) },
                ["user"] = user,
            });
        });
    }
}

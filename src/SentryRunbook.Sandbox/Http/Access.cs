namespace SentryRunbook.Sandbox.Http;

/// <summary>Endpoint metadata: the scope a route needs. Routes without it are public (404s, `GET /api/0/`).</summary>
public sealed record RequiredScope(string Scope)
{
    public static readonly RequiredScope EventRead = new("event:read");
    public static readonly RequiredScope OrgRead = new("org:read");
    public static readonly RequiredScope EventWrite = new("event:write");
    public static readonly RequiredScope EventAdmin = new("event:admin");
    /// <summary>Releases and deploys: `project:releases`, also granted to org tokens (`org:ci`).</summary>
    public static readonly RequiredScope ProjectReleases = new("project:releases");
}

/// <summary>Endpoint metadata: refuse callers without a user (org tokens) with this 403 detail, before any scope check.</summary>
public sealed record UserOnly(string Detail);

public enum TokenKind
{
    None,
    User,
    Organization,
}

/// <summary>Who is calling; stored in HttpContext.Items by the auth middleware.</summary>
public sealed record Caller(TokenKind Kind, IReadOnlyList<string> Scopes)
{
    public const string ItemKey = "sandbox.caller";

    public static readonly Caller Anonymous = new(TokenKind.None, []);

    /// <summary>User tokens get what SentryRunbook asks users to grant.</summary>
    public static readonly Caller User = new(TokenKind.User,
        ["event:admin", "event:read", "event:write", "org:read", "project:read", "project:releases", "team:read", "member:read"]);

    /// <summary>Org auth tokens (`sntrys_`) carry only `org:ci`; the sandbox still lets them read org metadata.</summary>
    public static readonly Caller OrgToken = new(TokenKind.Organization, ["org:ci"]);
}

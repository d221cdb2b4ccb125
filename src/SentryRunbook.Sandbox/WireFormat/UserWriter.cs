using System.Globalization;
using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>Sentry's UserSerializer shape (statusDetails.actor, activity `user`, note authors, committers).</summary>
public static class UserWriter
{
    /// <summary>The sandbox's members joined with the organization; one fixed instant keeps bodies stable.</summary>
    public static JsonObject? Full(Assignee? user, DateTimeOffset joined)
    {
        if (user is null || user.Type != "user") return null;
        var username = user.Email is { } email ? email[..email.IndexOf('@', StringComparison.Ordinal)] : user.Name;
        return new JsonObject
        {
            ["id"] = user.Id,
            ["name"] = user.Name,
            ["username"] = username,
            ["email"] = user.Email ?? "",
            ["avatarUrl"] = "https://gravatar.com/avatar/" + user.Id + "?s=32&d=mm",
            ["isActive"] = true,
            ["hasPasswordAuth"] = true,
            ["isManaged"] = false,
            ["dateJoined"] = Dates.Iso(joined),
            ["lastLogin"] = Dates.Iso(joined),
            ["has2fa"] = false,
            ["lastActive"] = Dates.Iso(joined),
            ["isSuperuser"] = false,
            ["isStaff"] = false,
            ["isSuspended"] = false,
            ["experiments"] = new JsonObject(),
            ["emails"] = new JsonArray(new JsonObject { ["id"] = user.Id, ["email"] = user.Email ?? "", ["is_verified"] = true }),
            ["avatar"] = new JsonObject { ["avatarType"] = "letter_avatar", ["avatarUuid"] = null, ["avatarUrl"] = null },
        };
    }
}

/// <summary>Activity items (issue detail, /activities/, /comments/): `{id, type, user, data, dateCreated}`.</summary>
public static class ActivityWriter
{
    // Sentry stores these as numbers (set_ignored / set_escalating data) and booleans.
    private static readonly HashSet<string> Numbers = new(StringComparer.Ordinal)
        { "ignoreCount", "ignoreDuration", "ignoreUserCount", "ignoreUserWindow", "ignoreWindow" };
    private static readonly HashSet<string> Booleans = new(StringComparer.Ordinal) { "ignoreUntilEscalating" };

    public static JsonObject Item(Activity a, DateTimeOffset joined) => new()
    {
        ["id"] = a.Id.ToString(CultureInfo.InvariantCulture),
        ["type"] = a.Type,
        ["user"] = UserWriter.Full(a.User, joined),
        ["data"] = Data(a.Data),
        ["dateCreated"] = Dates.Iso(a.DateCreated),
    };

    public static JsonObject Data(IReadOnlyDictionary<string, string?> data)
    {
        var o = new JsonObject();
        foreach (var (key, value) in data)
        {
            if (value is not null && Numbers.Contains(key) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) o[key] = n;
            else if (value is not null && Booleans.Contains(key)) o[key] = value == "true";
            else o[key] = value;
        }
        return o;
    }
}

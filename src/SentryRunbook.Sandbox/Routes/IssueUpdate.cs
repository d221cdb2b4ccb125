using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// The validated body of an issue PUT (Sentry's GroupValidator + StatusDetailValidator, REFERENCE.md
/// §2.4): only the keys sent are set. Errors come back as DRF field maps, nested for statusDetails.
/// </summary>
public sealed class IssueUpdate
{
    public const int MaxWindow = 7 * 24 * 60;

    private static readonly string[] Statuses = ["resolved", "unresolved", "ignored", "resolvedInNextRelease", "muted"];
    public static readonly string[] Substatuses =
        ["archived_until_escalating", "archived_until_condition_met", "archived_forever", "escalating", "ongoing", "regressed", "new"];
    private static readonly string[] Priorities = ["low", "medium", "high"];

    /// <summary>resolved, unresolved or ignored (aliases normalised); null when not sent.</summary>
    public string? Status { get; private set; }
    public bool SubstatusSent { get; private set; }
    public string? Substatus { get; private set; }

    // statusDetails (or the legacy top-level keys)
    public bool InNextRelease { get; private set; }
    public string? InRelease { get; private set; }
    public (string Commit, string Repository)? InCommit { get; private set; }
    public int? IgnoreDuration { get; private set; }
    public int? IgnoreCount { get; private set; }
    public int? IgnoreWindow { get; private set; }
    public int? IgnoreUserCount { get; private set; }
    public int? IgnoreUserWindow { get; private set; }
    public bool IgnoreUntilEscalating { get; private set; }

    public bool AssignedToSent { get; private set; }
    /// <summary>The raw actor string; "" or null unassigns.</summary>
    public string? AssignedTo { get; private set; }
    public string? Priority { get; private set; }
    public bool? HasSeen { get; private set; }
    public bool? IsBookmarked { get; private set; }
    public bool? IsSubscribed { get; private set; }
    public bool? IsPublic { get; private set; }
    public bool? Inbox { get; private set; }

    public bool HasIgnoreCondition => IgnoreDuration is not null || IgnoreCount is not null || IgnoreUserCount is not null;
    public bool IsReleaseResolution => Status == "resolved" && (InNextRelease || InRelease is not null || InCommit is not null);

    /// <summary>Parses and validates; returns null with `errors` (a DRF field map or `{detail}`) on failure.</summary>
    public static IssueUpdate? Parse(string text, out JsonObject? errors)
    {
        errors = null;
        var u = new IssueUpdate();
        if (string.IsNullOrWhiteSpace(text)) return u;
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            errors = new JsonObject { ["detail"] = "JSON parse error - " + ex.Message };
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors = new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary, but got " + PythonType(root) + ".") };
            return null;
        }

        var e = new JsonObject();
        if (root.TryGetProperty("status", out var status))
        {
            var value = status.ValueKind == JsonValueKind.String ? status.GetString()! : status.ToString();
            if (status.ValueKind != JsonValueKind.String || !Statuses.Contains(value)) Add(e, "status", $"\"{value}\" is not a valid choice.");
            else if (value == "resolvedInNextRelease")
            {
                u.Status = "resolved";
                u.InNextRelease = true;
            }
            else u.Status = value == "muted" ? "ignored" : value;
        }
        if (root.TryGetProperty("substatus", out var substatus))
        {
            u.SubstatusSent = true;
            if (substatus.ValueKind == JsonValueKind.Null) u.Substatus = null;
            else if (substatus.ValueKind == JsonValueKind.String && Substatuses.Contains(substatus.GetString())) u.Substatus = substatus.GetString();
            else Add(e, "substatus", $"\"{substatus}\" is not a valid choice.");
        }

        // statusDetails wins; without it Sentry reads the same keys from the top level (plus snoozeDuration).
        if (root.TryGetProperty("statusDetails", out var details) && details.ValueKind != JsonValueKind.Null)
        {
            if (details.ValueKind != JsonValueKind.Object) Add(e, "statusDetails", "Invalid data. Expected a dictionary, but got " + PythonType(details) + ".");
            else
            {
                var nested = new JsonObject();
                ReadDetails(u, details, nested);
                if (nested.Count > 0) e["statusDetails"] = nested;
            }
        }
        else
        {
            ReadIgnoreKeys(u, root, e);
            if (root.TryGetProperty("snoozeDuration", out var snooze) && snooze.ValueKind != JsonValueKind.Null && u.IgnoreDuration is null)
                u.IgnoreDuration = IntValue(snooze, "snoozeDuration", e, null);
        }

        if (root.TryGetProperty("assignedTo", out var assigned))
        {
            u.AssignedToSent = true;
            if (assigned.ValueKind is JsonValueKind.String or JsonValueKind.Null) u.AssignedTo = assigned.ValueKind == JsonValueKind.Null ? null : assigned.GetString();
            else if (assigned.ValueKind == JsonValueKind.Number) u.AssignedTo = assigned.GetRawText();
            else Add(e, "assignedTo", "Unknown actor input");
        }
        if (root.TryGetProperty("priority", out var priority))
        {
            if (priority.ValueKind == JsonValueKind.String && Priorities.Contains(priority.GetString())) u.Priority = priority.GetString();
            else Add(e, "priority", $"\"{priority}\" is not a valid choice.");
        }
        u.HasSeen = Bool(root, "hasSeen", e);
        u.IsBookmarked = Bool(root, "isBookmarked", e);
        u.IsSubscribed = Bool(root, "isSubscribed", e);
        u.IsPublic = Bool(root, "isPublic", e);
        u.Inbox = Bool(root, "inbox", e);

        if (e.Count == 0 && u.SubstatusSent && u.Substatus is { } sub)
        {
            var family = sub.StartsWith("archived_", StringComparison.Ordinal) ? "ignored" : "unresolved";
            if (u.Status is null) u.Status = family;
            else if (u.Status != family) Add(e, "substatus", $"Invalid substatus \"{sub}\" for status \"{u.Status}\".");
        }
        if (u.Status == "ignored" && u.Substatus == "archived_until_escalating") u.IgnoreUntilEscalating = true;

        if (e.Count > 0)
        {
            errors = e;
            return null;
        }
        return u;
    }

    private static void ReadDetails(IssueUpdate u, JsonElement d, JsonObject e)
    {
        if (d.TryGetProperty("inNextRelease", out var next))
        {
            var value = BoolValue(next, "inNextRelease", e);
            if (value == true) u.InNextRelease = true;
        }
        if (d.TryGetProperty("inRelease", out var release) && release.ValueKind != JsonValueKind.Null)
        {
            if (release.ValueKind == JsonValueKind.String && release.GetString()!.Length > 0) u.InRelease = release.GetString();
            else Add(e, "inRelease", "This field may not be blank.");
        }
        if (d.TryGetProperty("inCommit", out var commit) && commit.ValueKind != JsonValueKind.Null)
        {
            var inner = new JsonObject();
            if (commit.ValueKind != JsonValueKind.Object) Add(e, "inCommit", "Invalid data. Expected a dictionary, but got " + PythonType(commit) + ".");
            else
            {
                var sha = Str(commit, "commit", inner);
                var repo = Str(commit, "repository", inner);
                if (inner.Count > 0) e["inCommit"] = inner;
                else u.InCommit = (sha!, repo!);
            }
        }
        ReadIgnoreKeys(u, d, e);
        if (d.TryGetProperty("ignoreUntilEscalating", out var escalating) && BoolValue(escalating, "ignoreUntilEscalating", e) == true) u.IgnoreUntilEscalating = true;
    }

    private static void ReadIgnoreKeys(IssueUpdate u, JsonElement d, JsonObject e)
    {
        u.IgnoreDuration = Int(d, "ignoreDuration", e, null) ?? u.IgnoreDuration;
        u.IgnoreCount = Int(d, "ignoreCount", e, null);
        u.IgnoreWindow = Int(d, "ignoreWindow", e, MaxWindow);
        u.IgnoreUserCount = Int(d, "ignoreUserCount", e, null);
        u.IgnoreUserWindow = Int(d, "ignoreUserWindow", e, MaxWindow);
    }

    private static int? Int(JsonElement d, string name, JsonObject e, int? max)
    {
        if (!d.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return IntValue(v, name, e, max);
    }

    /// <summary>DRF IntegerField: a whole JSON number or a numeric string.</summary>
    private static int? IntValue(JsonElement v, string name, JsonObject e, int? max)
    {
        int n;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out n)) { }
        else if (v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n)) { }
        else
        {
            Add(e, name, "A valid integer is required.");
            return null;
        }
        if (max is { } m && n > m)
        {
            Add(e, name, $"Ensure this value is less than or equal to {m}.");
            return null;
        }
        return n;
    }

    private static bool? Bool(JsonElement root, string name, JsonObject e) =>
        root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? BoolValue(v, name, e) : null;

    /// <summary>DRF BooleanField: true/false, 1/0 and their string forms.</summary>
    private static bool? BoolValue(JsonElement v, string name, JsonObject e)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number when v.GetRawText() is "1" or "0": return v.GetRawText() == "1";
            case JsonValueKind.String when v.GetString()!.ToLowerInvariant() is "true" or "1" or "yes" or "on": return true;
            case JsonValueKind.String when v.GetString()!.ToLowerInvariant() is "false" or "0" or "no" or "off": return false;
            default:
                Add(e, name, "Must be a valid boolean.");
                return null;
        }
    }

    private static string? Str(JsonElement o, string name, JsonObject e)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            Add(e, name, "This field is required.");
            return null;
        }
        if (v.ValueKind != JsonValueKind.String || v.GetString()!.Length == 0)
        {
            Add(e, name, "This field may not be blank.");
            return null;
        }
        return v.GetString();
    }

    public static void Add(JsonObject errors, string field, string message)
    {
        if (errors[field] is JsonArray list) list.Add(message);
        else errors[field] = new JsonArray(message);
    }

    private static string PythonType(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Array => "list",
        JsonValueKind.String => "str",
        JsonValueKind.Number => v.GetRawText().Contains('.') ? "float" : "int",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "NoneType",
    };
}

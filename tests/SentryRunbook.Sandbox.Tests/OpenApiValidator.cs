using System.Text.Json;
using System.Text.RegularExpressions;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// Minimal validator over Sentry's dereferenced OpenAPI schema: required properties, JSON types,
/// `nullable`, `enum`, `date-time` format, items and additionalProperties. Enough to catch the
/// wire-format mistakes that matter to clients (a count as a number, a missing required field, …).
/// </summary>
public static partial class OpenApiValidator
{
    private static readonly Lazy<JsonDocument> Schema = new(() => JsonDocument.Parse(File.ReadAllBytes(LocateSchema())));

    /// <summary>The shared folder sits beside the repo clone (`/work/main` and `/work/shared`); walk up to find it.</summary>
    public static string LocateSchema()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "sentry-api", "openapi-derefed.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("shared/sentry-api/openapi-derefed.json not found above " + AppContext.BaseDirectory);
    }

    public static JsonElement ResponseSchema(string operationId, string status = "200")
    {
        foreach (var path in Schema.Value.RootElement.GetProperty("paths").EnumerateObject())
        foreach (var op in path.Value.EnumerateObject())
        {
            if (op.Value.ValueKind == JsonValueKind.Object && op.Value.TryGetProperty("operationId", out var id) && id.GetString() == operationId)
                return op.Value.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");
        }
        throw new ArgumentException("unknown operation " + operationId);
    }

    public static List<string> Validate(string operationId, JsonElement value, string status = "200")
    {
        var errors = new List<string>();
        Check(ResponseSchema(operationId, status), value, "$", errors);
        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            var nullable = schema.TryGetProperty("nullable", out var n) && n.GetBoolean();
            if (!nullable && schema.TryGetProperty("type", out _)) errors.Add($"{path}: null but not nullable");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && value.ValueKind == JsonValueKind.String
            && !allowed.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == value.GetString()))
            errors.Add($"{path}: '{value.GetString()}' not in enum");

        // Alternatives: the value must satisfy at least one of them.
        if (schema.TryGetProperty("anyOf", out var alternatives) || schema.TryGetProperty("oneOf", out alternatives))
        {
            var branches = alternatives.EnumerateArray().Select(branch =>
            {
                var branchErrors = new List<string>();
                Check(branch, value, path, branchErrors);
                return branchErrors;
            }).ToList();
            if (branches.Count > 0 && branches.All(b => b.Count > 0))
                errors.Add($"{path}: matches none of {branches.Count} alternatives; closest: {string.Join("; ", branches.MinBy(b => b.Count)!.Take(3))}");
        }

        if (!schema.TryGetProperty("type", out var typeElement)) return;
        var type = typeElement.GetString();
        var ok = type switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" => value.ValueKind == JsonValueKind.Array,
            "object" => value.ValueKind == JsonValueKind.Object,
            _ => true,
        };
        if (!ok)
        {
            errors.Add($"{path}: expected {type}, got {value.ValueKind}");
            return;
        }

        if (type == "string" && schema.TryGetProperty("format", out var format) && format.GetString() == "date-time"
            && !SentryDate().IsMatch(value.GetString()!))
            errors.Add($"{path}: '{value.GetString()}' is not an ISO-8601 UTC date");

        if (type == "array" && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray()) Check(items, item, $"{path}[{i++}]", errors);
        }

        if (type != "object") return;
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                if (!value.TryGetProperty(name, out _)) errors.Add($"{path}: missing required '{name}'");

        schema.TryGetProperty("properties", out var properties);
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var sub))
                Check(sub, property.Value, $"{path}.{property.Name}", errors);
            else if (additional.ValueKind == JsonValueKind.Object)
                Check(additional, property.Value, $"{path}.{property.Name}", errors);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?Z$")]
    private static partial Regex SentryDate();
}

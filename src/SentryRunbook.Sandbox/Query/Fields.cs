using System.Globalization;
using System.Text.RegularExpressions;

namespace SentryRunbook.Sandbox.Query;

/// <summary>The Discover datasets the sandbox emulates (REFERENCE.md §8).</summary>
public enum Dataset
{
    Errors,
    Transactions,
    Spans,
    Discover,
}

public static class Datasets
{
    public static string Name(Dataset d) => d switch
    {
        Dataset.Errors => "errors",
        Dataset.Transactions => "transactions",
        Dataset.Spans => "spans",
        _ => "discover",
    };

    public static Dataset? Parse(string name) => name switch
    {
        "errors" => Dataset.Errors,
        "transactions" => Dataset.Transactions,
        "spans" => Dataset.Spans,
        "discover" => Dataset.Discover,
        _ => null,
    };

    /// <summary>The duration column of a dataset: what `p95()` means without an argument.</summary>
    public static string? DurationField(Dataset d) => d switch
    {
        Dataset.Spans => "span.duration",
        Dataset.Transactions or Dataset.Discover => "transaction.duration",
        _ => null,
    };

    /// <summary>Datasets real Sentry knows that the sandbox does not emulate (a distinct 400 message).</summary>
    public static readonly IReadOnlySet<string> KnownButNotEmulated = new HashSet<string>(StringComparer.Ordinal)
    {
        "logs", "ourlogs", "profiles", "profileFunctions", "profile_functions", "issuePlatform", "metrics", "metricsEnhanced",
        "spansIndexed", "spansMetrics", "uptimeChecks", "uptime_results", "tracemetrics",
    };
}

/// <summary>Plain (non-function) columns per dataset and their `meta.fields` types.</summary>
public static class FieldCatalog
{
    private static readonly string[] Common =
    [
        "id", "project", "project.name", "project.id", "release", "environment", "timestamp", "platform", "user", "user.id",
        "user.email", "user.username", "user.ip", "user.display", "event.type", "title", "message", "transaction", "trace",
    ];

    private static readonly string[] ErrorFields = ["issue", "issue.id", "level", "culprit", "location", "error.type", "error.value", "error.unhandled"];
    private static readonly string[] TransactionFields = ["transaction.duration", "transaction.op", "transaction.status"];
    private static readonly string[] SpanFields = ["span.duration", "span.op", "span.description", "span.status", "span_id", "is_transaction"];

    private static readonly Dictionary<Dataset, HashSet<string>> ByDataset = new()
    {
        [Dataset.Errors] = [.. Common, .. ErrorFields],
        [Dataset.Transactions] = [.. Common, .. TransactionFields],
        [Dataset.Spans] = [.. Common, .. SpanFields],
        [Dataset.Discover] = [.. Common, .. ErrorFields, .. TransactionFields],
    };

    public static bool IsKnown(Dataset d, string field) => ByDataset[d].Contains(field);

    /// <summary>A field some dataset knows (used to tell "wrong dataset" from "a tag key").</summary>
    public static bool IsAnyField(string field) => ByDataset.Values.Any(s => s.Contains(field));

    public static string Type(string field) => field switch
    {
        "issue.id" or "project.id" => "integer",
        "timestamp" => "date",
        "transaction.duration" or "span.duration" => "duration",
        "error.unhandled" or "is_transaction" => "boolean",
        _ => "string",
    };

    public static bool IsDuration(string field) => field is "transaction.duration" or "span.duration";
}

public enum FieldKind
{
    Plain,
    Tag,
    Function,
}

/// <summary>One `field=` of a Discover or events-stats request, resolved against a dataset.</summary>
public sealed partial record FieldSpec(string Raw, FieldKind Kind, string Name, string? Argument, double Quantile, string Type, string? Unit)
{
    public bool IsFunction => Kind == FieldKind.Function;

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$")]
    private static partial Regex FunctionSyntax();

    [GeneratedRegex(@"^tags?\[([^\],]+)(,\s*(string|number))?\]$")]
    private static partial Regex TagSyntax();

    private static readonly Dictionary<string, double> Percentiles = new(StringComparer.Ordinal)
    {
        ["p50"] = 0.5, ["p75"] = 0.75, ["p90"] = 0.9, ["p95"] = 0.95, ["p99"] = 0.99, ["p100"] = 1.0, ["median"] = 0.5,
    };

    /// <summary>Parses a field; returns null with Sentry-like detail text when it is not valid for the dataset.</summary>
    public static FieldSpec? Parse(string raw, Dataset dataset, Func<string, bool> isTagKey, out string? error)
    {
        error = null;
        var text = raw.Trim();
        var function = FunctionSyntax().Match(text);
        if (function.Success) return ParseFunction(raw, function.Groups[1].Value, function.Groups[2].Value.Trim(), dataset, isTagKey, out error);

        var tag = TagSyntax().Match(text);
        if (tag.Success) return new FieldSpec(raw, FieldKind.Tag, tag.Groups[1].Value.Trim(), null, 0, "string", null);
        if (FieldCatalog.IsKnown(dataset, text)) return new FieldSpec(raw, FieldKind.Plain, text, null, 0, FieldCatalog.Type(text), FieldCatalog.IsDuration(text) ? "millisecond" : null);
        if (!FieldCatalog.IsAnyField(text) && IsTagKeySyntax(text) && isTagKey(text)) return new FieldSpec(raw, FieldKind.Tag, text, null, 0, "string", null);
        error = FieldCatalog.IsAnyField(text)
            ? $"{text} is not a valid field for the {Datasets.Name(dataset)} dataset"
            : $"Unknown field: {text} (neither a {Datasets.Name(dataset)} field nor a tag key seen in this organization; use tag[{text}] for a tag)";
        return null;
    }

    private static bool IsTagKeySyntax(string text) => text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or ':' or '@');

    private static FieldSpec? ParseFunction(string raw, string name, string argument, Dataset dataset, Func<string, bool> isTagKey, out string? error)
    {
        error = null;
        var durationField = Datasets.DurationField(dataset);
        switch (name)
        {
            case "count":
                return new FieldSpec(raw, FieldKind.Function, "count", argument.Length == 0 ? null : argument, 0, "integer", null);
            case "count_unique":
                if (argument.Length == 0)
                {
                    error = "count_unique: expected 1 argument(s) but got 0 argument(s)";
                    return null;
                }
                if (Parse(argument, dataset, isTagKey, out var inner) is not { IsFunction: false } column)
                {
                    error = $"count_unique: column argument invalid: {inner ?? argument + " is not a column"}";
                    return null;
                }
                return new FieldSpec(raw, FieldKind.Function, "count_unique", column.Kind == FieldKind.Tag ? "tag:" + column.Name : column.Name, 0, "integer", null);
            case "failure_rate" or "failure_count":
                if (durationField is null || dataset == Dataset.Errors)
                {
                    error = $"{name}() is not supported by the errors dataset";
                    return null;
                }
                return name == "failure_rate"
                    ? new FieldSpec(raw, FieldKind.Function, name, null, 0, "percentage", null)
                    : new FieldSpec(raw, FieldKind.Function, name, null, 0, "integer", null);
            case "epm" or "tpm":
                return new FieldSpec(raw, FieldKind.Function, "epm", null, 0, "rate", "1/minute");
            case "eps" or "tps":
                return new FieldSpec(raw, FieldKind.Function, "eps", null, 0, "rate", "1/second");
            case "last_seen" or "first_seen":
                return new FieldSpec(raw, FieldKind.Function, name, null, 0, "date", null);
        }

        var quantile = 0.0;
        string column2;
        if (name == "percentile")
        {
            var parts = argument.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out quantile) || quantile is < 0 or > 1)
            {
                error = "percentile: expected a column and a number between 0 and 1, e.g. percentile(span.duration, 0.95)";
                return null;
            }
            column2 = parts[0];
        }
        else if (Percentiles.TryGetValue(name, out quantile) || name is "avg" or "sum" or "min" or "max")
        {
            column2 = argument;
        }
        else
        {
            error = $"{name} is not a valid function";
            return null;
        }

        if (column2.Length == 0) column2 = durationField ?? "";
        if (column2.Length == 0 || !FieldCatalog.IsDuration(column2) || !FieldCatalog.IsKnown(dataset, column2))
        {
            error = column2.Length == 0
                ? $"{name}: the {Datasets.Name(dataset)} dataset has no duration column"
                : $"{name}: column argument invalid: {column2} is not a numeric column of the {Datasets.Name(dataset)} dataset";
            return null;
        }
        var kind = name is "avg" or "sum" or "min" or "max" ? name : "percentile";
        return new FieldSpec(raw, FieldKind.Function, kind, column2, quantile, "duration", "millisecond");
    }
}

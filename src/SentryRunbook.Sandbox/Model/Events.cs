namespace SentryRunbook.Sandbox.Model;

/// <summary>A stack frame in SDK protocol terms (snake_case in, camelCase out).</summary>
public sealed record Frame(
    string? Filename,
    string? AbsPath,
    string? Function,
    string? Module,
    int? LineNo,
    int? ColNo,
    bool? InApp,
    string? ContextLine = null,
    IReadOnlyList<string>? PreContext = null,
    IReadOnlyList<string>? PostContext = null,
    string? Package = null);

public sealed record Mechanism(string? Type, bool? Handled);

/// <summary>One exception of `exception.values`; frames oldest first, the crashing frame last.</summary>
public sealed record ExceptionValue(string? Type, string? Value, string? Module, Mechanism? Mechanism, IReadOnlyList<Frame> Frames)
{
    /// <summary>The innermost in-app frame: what grouping, culprit and "failing frame" use.</summary>
    public Frame? InnermostInApp => Frames.LastOrDefault(f => f.InApp == true);
}

/// <summary>`DataJson` keeps the crumb's `data` object as raw JSON text: arbitrary shape, printed back as-is.</summary>
public sealed record Breadcrumb(DateTimeOffset Timestamp, string? Type, string? Category, string? Level, string? Message, string? DataJson);

public sealed record EventUser(string? Id, string? Email, string? Username, string? IpAddress, string? Name, string? DataJson)
{
    /// <summary>The `user` tag value and the distinct-user key: id, else email, else username, else ip (like Sentry's EventUser).</summary>
    public string? Tag =>
        Id is not null ? "id:" + Id
        : Email is not null ? "email:" + Email
        : Username is not null ? "username:" + Username
        : IpAddress is not null ? "ip:" + IpAddress
        : null;
}

public sealed record EventRequest(
    string? Url,
    string? Method,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Cookies,
    string? DataJson);

public sealed record SdkPackage(string Name, string Version);

public sealed record SdkInfo(string? Name, string? Version, IReadOnlyList<SdkPackage> Packages);

/// <summary>
/// An error (or message) event as stored: the SDK payload normalised, plus what the store derives
/// (issue, full tag list, grouping hash). Input fields are immutable after ingest so sub-objects may be
/// shared between events (the scenario shares frames and contexts to stay small at 100k events).
/// </summary>
public sealed class ErrorEvent
{
    public required string EventId { get; init; }
    public required Project Project { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required DateTimeOffset Received { get; init; }
    public string Level { get; init; } = "error";
    public string Platform { get; init; } = "other";
    public string? Release { get; init; }
    public string? Dist { get; init; }
    public string? Environment { get; init; }
    /// <summary>The formatted message (logentry.formatted, else logentry.message, else `message`).</summary>
    public string? Message { get; init; }
    /// <summary>The raw message template when it differs from the formatted one (`logentry.message` with params).</summary>
    public string? MessageTemplate { get; init; }
    public IReadOnlyList<string> MessageParams { get; init; } = [];
    public string? Logger { get; init; }
    public string? Transaction { get; init; }
    public string? ServerName { get; init; }
    public IReadOnlyList<ExceptionValue> Exceptions { get; init; } = [];
    public IReadOnlyList<Breadcrumb> Breadcrumbs { get; init; } = [];
    public EventUser? User { get; init; }
    /// <summary>Tags the SDK sent, in its order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SdkTags { get; init; } = [];
    /// <summary>The `contexts` object as raw JSON text (os, browser, device, runtime, trace, custom ones).</summary>
    public string? ContextsJson { get; init; }
    public string? TraceId { get; init; }
    public string? SpanId { get; init; }
    /// <summary>Context-derived tag values (`browser`, `os`, `runtime`, `device`…) extracted at normalisation.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ContextTags { get; init; } = [];
    public EventRequest? Request { get; init; }
    public SdkInfo? Sdk { get; init; }
    public IReadOnlyList<string>? Fingerprint { get; init; }
    /// <summary>`extra` as raw JSON text (the API's `context`).</summary>
    public string? ExtraJson { get; init; }
    /// <summary>`modules` as raw JSON text (the API's `packages`).</summary>
    public string? ModulesJson { get; init; }
    public int Size { get; init; }
    /// <summary>Set for an issue-platform occurrence (a cron or uptime outage): it names its issue type and title itself.</summary>
    public Occurrence? Occurrence { get; init; }

    // Set by the store during ingest.
    public Issue Issue { get; internal set; } = null!;
    public string Hash { get; internal set; } = "";
    /// <summary>Every tag of the event, sorted by key: SDK tags plus environment, level, release, user, … as Sentry indexes them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; internal set; } = [];

    /// <summary>The raised exception: the last of a chain.</summary>
    public ExceptionValue? MainException => Exceptions.Count == 0 ? null : Exceptions[^1];

    public bool IsUnhandled => Exceptions.Any(e => e.Mechanism?.Handled == false);

    /// <summary>`error` when it carries an exception, `default` for a plain message.</summary>
    public string Type => Occurrence is not null ? "generic" : Exceptions.Count > 0 ? "error" : "default";

    public string Title
    {
        get
        {
            if (Occurrence is { } o) return o.Title;
            if (MainException is { } e)
            {
                var type = e.Type ?? "Error";
                return string.IsNullOrEmpty(e.Value) ? type : $"{type}: {FirstLine(e.Value)}";
            }
            return Message is { Length: > 0 } m ? FirstLine(m) : "<unlabeled event>";
        }
    }

    /// <summary>The transaction when set, else the innermost in-app frame as "module in function".</summary>
    public string? Culprit
    {
        get
        {
            // Sentry's cron and uptime occurrences send an empty culprit.
            if (Occurrence is not null) return "";
            if (!string.IsNullOrEmpty(Transaction)) return Transaction;
            var frame = MainException?.InnermostInApp;
            if (frame is null) return null;
            var where = frame.Module ?? frame.Filename;
            return where is null ? frame.Function : frame.Function is null ? where : $"{where} in {frame.Function}";
        }
    }

    public IssueMetadata Metadata
    {
        get
        {
            if (Occurrence is { } o) return new IssueMetadata(null, o.Subtitle, null, null, Title);
            if (MainException is { } e)
            {
                var frame = e.InnermostInApp;
                return new IssueMetadata(e.Type ?? "Error", e.Value ?? "", frame?.Filename, frame?.Function, Title);
            }
            return new IssueMetadata(null, null, null, null, Title);
        }
    }

    internal static string FirstLine(string text)
    {
        var newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }
}

/// <summary>
/// An issue-platform occurrence as Sentry's monitors produce one (monitors/logic/incident_occurrence.py,
/// uptime/issue_platform.py): the group type's slug and category, its title and subtitle, and the evidence
/// lines Sentry shows (failure reason, environment, last successful check-in).
/// </summary>
public sealed record Occurrence(string IssueType, string IssueCategory, string Title, string Subtitle, IReadOnlyList<KeyValuePair<string, string>> Evidence);

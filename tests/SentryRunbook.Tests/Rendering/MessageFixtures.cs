using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Rendering;

/// <summary>Fixed inputs for the message tests: one P0 checkout incident, told plainly and told with hostile event text.</summary>
internal static class MessageFixtures
{
    public static readonly DateTimeOffset Started = new(2026, 11, 28, 11, 40, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset InitialAt = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset UpdateAt = new(2026, 11, 28, 12, 30, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ResolvedAt = new(2026, 11, 28, 13, 5, 0, TimeSpan.Zero);

    public static readonly string[] Kinds = { "Initial", "Update", "Resolution" };

    public static MessageRequest Plain(string kind) => new()
    {
        Kind = kind,
        Service = "checkout",
        Severity = "P0",
        IssueId = "4504",
        ShortId = "WEB-1",
        Title = "PaymentProcessingError: Stripe webhook payload could not be parsed",
        IssueUrl = "https://acme.sentry.io/issues/4504/",
        Started = Started,
        Impact = "320 users hit errors (900 events in the last 24 h), peaking at 52 errors/min; crash-free sessions at 90.6%",
        IncidentLead = "alice",
        Organization = "acme",
        Environment = "production",
        Progress = kind == "Update" ? "Rolling back web@2.4.2 to web@2.3.9; error rate falling" : null,
        RootCause = kind == "Resolution" ? "Deployment regression: web@2.4.2 deployed 20 minutes before first seen" : null,
        FixApplied = kind == "Resolution" ? "Rolled back to web@2.3.9" : null,
        PostmortemUrl = kind == "Resolution" ? "https://wiki.example.com/postmortems/2026-11-28-checkout" : null,
        Now = At(kind),
    };

    // Hostile strings, as an exception message or a tag value could carry them.
    public const string Channel = "<!channel>";
    public const string HereLink = "<!here|here>";
    public const string UserMention = "<@U123ABC>";
    public const string Script = "<script>alert(1)</script>";
    public const string EvilLink = "[click](http://evil.example)";
    public const string SlackLink = "<http://evil.example|Click here>";

    public static MessageRequest Hostile(string kind) => new()
    {
        Kind = kind,
        Service = "checkout " + Channel,
        Status = kind == "Update" ? "Mitigated @channel" : null,
        Severity = "p1",
        IssueId = "4504",
        ShortId = "WEB-1",
        Title = Channel + " *URGENT* `rm -rf /` " + Script + " " + EvilLink + " @here | " + UserMention + "\r\nsecond line",
        IssueUrl = "https://acme.sentry.io/issues/4504/?q=a)b|c>d",
        Started = Started,
        Impact = "@channel _everyone_ ~gone~ **bold** # heading " + HereLink + " <at>Alice</at> & @everyone",
        IncidentLead = "@here",
        Organization = "Acme Corp",
        Environment = "prod <!channel>",
        Progress = kind == "Update" ? SlackLink + " & <!everyone>\n- list item\n> quote" : null,
        RootCause = kind == "Resolution" ? "`code` ![img](http://evil.example/x.png) {curly} + - . ! \\ backslash" : null,
        FixApplied = kind == "Resolution" ? "<img src=x onerror=alert(1)>\u0007bell\u202Eevil\ttab" : null,
        PostmortemUrl = kind == "Resolution" ? "javascript:alert(1)" : null,
        Now = At(kind),
    };

    public static DateTimeOffset At(string kind) => kind switch
    {
        "Initial" => InitialAt,
        "Update" => UpdateAt,
        _ => ResolvedAt,
    };

    public static IncidentMessage Build(string set, string kind) =>
        IncidentMessages.Build(set == "hostile" ? Hostile(kind) : Plain(kind));

    /// <summary>Every hostile input, for the escaping tests.</summary>
    public static IEnumerable<IncidentMessage> HostileMessages() => Kinds.Select(k => Build("hostile", k));
}

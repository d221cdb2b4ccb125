using System.Globalization;

namespace SentryRunbook.Sandbox.Webhooks;

/// <summary>
/// The sandbox's internal integration: where deliveries go, the client secret they are signed with, the
/// resources it subscribes to, and its issue-alert rules (a new issue, a regression, more than N events in a
/// window). Set by flags at start-up or by PUT /sandbox/webhooks at run time.
/// </summary>
public sealed class WebhookSettings
{
    public const string Usage = "webhooks: [--webhook-url URL --webhook-secret SECRET] [--webhook-resources issue,comment,error] [--webhook-threshold N] [--webhook-window 1m|5m|15m|1h|1d] [--webhook-retry-delay-ms 1000]";

    public static readonly string[] KnownResources = ["issue", "comment", "error"];

    public Uri? Url { get; set; }
    public string? Secret { get; set; }
    /// <summary>Resource subscriptions (issue alerts come from the rules, not from a subscription). `error` is off by default: one delivery per event.</summary>
    public HashSet<string> Resources { get; set; } = new(StringComparer.Ordinal) { "issue", "comment" };
    /// <summary>The frequency rule fires when an issue has more than this many events in <see cref="ThresholdWindow"/>.</summary>
    public int ThresholdCount { get; set; } = 100;
    public TimeSpan ThresholdWindow { get; set; } = TimeSpan.FromHours(1);
    /// <summary>A rule fires at most once per issue in this interval (Sentry's "action interval", 30 min by default).</summary>
    public TimeSpan ActionInterval { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>Sentry counts an answer slower than 1 s as a failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Attempts in all for a 5xx or no answer; 4xx is final.</summary>
    public int MaxAttempts { get; set; } = 4;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public string InstallationUuid { get; set; } = Guid.NewGuid().ToString();

    public bool Enabled => Url is not null && !string.IsNullOrEmpty(Secret);

    public static string RuleFirstSeen => "A new issue is created";
    public static string RuleRegression => "The issue changes state from resolved to unresolved";
    public string RuleFrequency => $"The issue is seen more than {ThresholdCount} times in {Window(ThresholdWindow)}";

    public static string Window(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0}h"
        : $"{span.TotalMinutes:0}m";

    public static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = default;
        if (string.IsNullOrEmpty(text) || text.Length < 2) return false;
        if (!int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0) return false;
        switch (text[^1])
        {
            case 'm': window = TimeSpan.FromMinutes(n); return true;
            case 'h': window = TimeSpan.FromHours(n); return true;
            case 'd': window = TimeSpan.FromDays(n); return true;
            default: return false;
        }
    }

    public static bool TryParseResources(string? text, out HashSet<string> resources, out string? error)
    {
        resources = new HashSet<string>(StringComparer.Ordinal);
        error = null;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!KnownResources.Contains(part)) { error = $"unknown webhook resource '{part}' (use {string.Join(",", KnownResources)})"; return false; }
            resources.Add(part);
        }
        return true;
    }

    /// <summary>Applies one command-line flag; false when the flag is not a webhook flag. `error` is set on a bad value.</summary>
    public static bool TryApply(string arg, Func<string?> value, WebhookSettings settings, out string? error)
    {
        error = null;
        switch (arg)
        {
            case "--webhook-url":
                if (!Uri.TryCreate(value(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)) error = "--webhook-url needs an http(s) URL";
                else settings.Url = url;
                return true;
            case "--webhook-secret":
                var secret = value();
                if (string.IsNullOrEmpty(secret)) error = "--webhook-secret needs a value";
                else settings.Secret = secret;
                return true;
            case "--webhook-resources":
                if (TryParseResources(value(), out var resources, out var problem)) settings.Resources = resources;
                else error = "--webhook-resources: " + problem;
                return true;
            case "--webhook-threshold":
                if (!int.TryParse(value(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1) error = "--webhook-threshold needs a whole number of events, 1 or more";
                else settings.ThresholdCount = count;
                return true;
            case "--webhook-window":
                if (!TryParseWindow(value(), out var window)) error = "--webhook-window needs a window such as 1m, 5m, 15m, 1h or 1d";
                else settings.ThresholdWindow = window;
                return true;
            case "--webhook-retry-delay-ms":
                if (!int.TryParse(value(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)) error = "--webhook-retry-delay-ms needs a number of milliseconds";
                else settings.RetryDelay = TimeSpan.FromMilliseconds(ms);
                return true;
            default:
                return false;
        }
    }
}

using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>
/// The tags Sentry indexes for an event: what the SDK sent plus the ones it derives (environment,
/// level, release, dist, user, transaction, url, server_name, handled, mechanism, logger and the
/// context tags such as browser/os/runtime). Sorted by key, as the event API returns them.
/// </summary>
public static class EventTags
{
    public static IReadOnlyList<KeyValuePair<string, string>> Build(ErrorEvent e)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in e.SdkTags) tags[key] = value;
        foreach (var (key, value) in e.ContextTags) tags.TryAdd(key, value);
        tags["level"] = e.Level;
        Set(tags, "environment", e.Environment);
        Set(tags, "release", e.Release);
        Set(tags, "dist", e.Dist);
        Set(tags, "user", e.User?.Tag);
        Set(tags, "transaction", e.Transaction);
        Set(tags, "server_name", e.ServerName);
        Set(tags, "logger", e.Logger);
        Set(tags, "url", e.Request?.Url);
        if (e.MainException?.Mechanism is { } mechanism)
        {
            Set(tags, "mechanism", mechanism.Type);
            if (mechanism.Handled is { } handled) tags["handled"] = handled ? "yes" : "no";
        }
        return tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
    }

    private static void Set(Dictionary<string, string> tags, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value)) tags[key] = value;
    }
}

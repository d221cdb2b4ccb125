namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>The scenario's release history, registered oldest first so creation order matches dates.</summary>
public static class SeedReleases
{
    /// <summary>(version, project, age at start-up) of every release the background picks from.</summary>
    public static readonly (string Version, string Project, TimeSpan Age)[] History =
    [
        ("web@2.0.0", "web", TimeSpan.FromDays(30)), ("api@1.5.0", "api", TimeSpan.FromDays(30)), ("worker@3.1.0", "worker", TimeSpan.FromDays(30)),
        ("web@2.1.0", "web", TimeSpan.FromDays(24)), ("api@1.6.0", "api", TimeSpan.FromDays(21)), ("web@2.2.0", "web", TimeSpan.FromDays(18)),
        ("worker@3.2.0", "worker", TimeSpan.FromDays(15)), ("api@1.7.0", "api", TimeSpan.FromDays(14)), ("web@2.2.1", "web", TimeSpan.FromDays(12)),
        ("api@1.7.1", "api", TimeSpan.FromDays(8)), ("web@2.3.0", "web", TimeSpan.FromDays(7)), ("worker@3.3.0", "worker", TimeSpan.FromDays(5)),
        ("api@1.8.0", "api", TimeSpan.FromDays(3)), ("web@2.3.1", "web", TimeSpan.FromDays(3) - TimeSpan.FromHours(5)),
        ("api@1.8.1", "api", TimeSpan.FromHours(30)), ("web@2.3.2", "web", TimeSpan.FromHours(26)),
        ("api@1.8.2", "api", TimeSpan.FromMinutes(90)),
    ];

    public static void Register(ScenarioBuilder b)
    {
        foreach (var (version, project, age) in History) b.Release(version, project, Precision.Trim(b.Now - age, 6));
        // web@2.4.1 is registered by the cart regression at its first event; web@2.4.0 was cut just before its deploy.
        b.Release("web@2.4.0", "web", Precision.Trim(b.Now - SeedExamples.PaymentReleaseDeployedAgo - TimeSpan.FromMinutes(1), 6));
    }

    /// <summary>The newest release of a project created at or before `at` (what a running deployment would report).</summary>
    public static string? At(string project, DateTimeOffset at, DateTimeOffset now)
    {
        string? current = null;
        foreach (var (version, p, age) in History)
            if (p == project && now - age <= at) current = version;
        return current;
    }
}

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>The scenario's release history, registered oldest first so creation order matches dates.</summary>
public static class SeedReleases
{
    // Declared before History: static initializers run in text order.
    /// <summary>Releases are cut this long before their production deploy (SeedDeploys).</summary>
    public static readonly TimeSpan DeployLead = TimeSpan.FromMinutes(10);

    /// <summary>(version, project, age at start-up) of every release the background picks from.</summary>
    public static readonly (string Version, string Project, TimeSpan Age)[] History =
    [
        ("web@2.0.0", "web", TimeSpan.FromDays(30)), ("api@1.5.0", "api", TimeSpan.FromDays(30)), ("worker@3.1.0", "worker", TimeSpan.FromDays(30)),
        ("web@2.1.0", "web", TimeSpan.FromDays(24)), ("api@1.6.0", "api", TimeSpan.FromDays(21)), ("web@2.2.0", "web", TimeSpan.FromDays(18)),
        ("worker@3.2.0", "worker", TimeSpan.FromDays(15)), ("api@1.7.0", "api", TimeSpan.FromDays(14)), ("web@2.2.1", "web", TimeSpan.FromDays(12)),
        ("api@1.7.1", "api", TimeSpan.FromDays(8)), ("web@2.3.0", "web", TimeSpan.FromDays(7)), ("worker@3.3.0", "worker", TimeSpan.FromDays(5)),
        ("api@1.8.0", "api", TimeSpan.FromDays(3) + TimeSpan.FromHours(2)), ("web@2.3.9", "web", TimeSpan.FromDays(3) + DeployLead),
        ("api@1.8.1", "api", TimeSpan.FromDays(2) + DeployLead), ("api@1.8.2", "api", TimeSpan.FromHours(6) + DeployLead),
    ];

    /// <summary>The payment release: created after web@2.4.1 (45 min ago), deployed 20 minutes ago.</summary>
    public const string PaymentRelease = "web@2.4.2";

    public static void Register(ScenarioBuilder b)
    {
        foreach (var (version, project, age) in History) b.Release(version, project, Precision.Trim(b.Now - age, 6));
        // Versions increase with time: web@2.3.9 (3 days) → web@2.4.1 (45 min, registered by the cart regression at its
        // first event) → web@2.4.2 (cut just before its deploy 20 minutes ago: the payment incident).
        b.Release(PaymentRelease, "web", Precision.Trim(b.Now - SeedExamples.PaymentReleaseDeployedAgo - TimeSpan.FromMinutes(1), 6));
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

namespace SentryRunbook.Sandbox.Scenarios;

public static class ScenarioNames
{
    public const string SeedExamples = "seed-examples";
    public const string Empty = "empty";
    /// <summary>Release health cases (Scenarios/releases.json, embedded): healthy, crashing, thin, slow, a new issue, no sessions.</summary>
    public const string Releases = "releases";
    /// <summary>An incident storm (Scenarios/storm.json, embedded): a deploy raising 15 issues in 3 projects, an upstream outage behind 6 in 2, and background.</summary>
    public const string Storm = "storm";
    public static readonly IReadOnlyList<string> All = [SeedExamples, Empty, Releases, Storm];
}

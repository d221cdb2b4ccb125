namespace SentryRunbook.Sandbox.Scenarios;

public static class ScenarioNames
{
    public const string SeedExamples = "seed-examples";
    public const string Empty = "empty";
    /// <summary>Release health cases (Scenarios/releases.json, embedded): healthy, crashing, thin, slow, a new issue, no sessions.</summary>
    public const string Releases = "releases";
    public static readonly IReadOnlyList<string> All = [SeedExamples, Empty, Releases];
}

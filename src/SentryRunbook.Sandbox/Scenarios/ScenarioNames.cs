namespace SentryRunbook.Sandbox.Scenarios;

public static class ScenarioNames
{
    public const string SeedExamples = "seed-examples";
    public const string Empty = "empty";
    public static readonly IReadOnlyList<string> All = [SeedExamples, Empty];
}

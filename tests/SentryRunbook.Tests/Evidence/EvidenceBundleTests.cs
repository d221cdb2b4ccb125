using SentryRunbook.Analysis;
using SentryRunbook.Client;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Evidence;

/// <summary>
/// Bundles written by earlier versions stay readable: each checked-in bundle (written by Save-IncidentEvidence
/// against the sandbox's seed) is replayed offline into a dossier and a postmortem, with no request missing.
/// Add the bundle of each new schema or request change here; never rewrite an old one.
/// </summary>
public class EvidenceBundleTests
{
    public static TheoryData<string> Bundles => new() { "WEB-1.v1.evidence.json" };

    private static IncidentEvidence Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Evidence", name);
        return EvidenceStore.Deserialize(File.ReadAllText(path), path);
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public void The_bundle_is_intact(string name)
    {
        IncidentEvidence evidence = Load(name);
        Assert.True(evidence.Verified, "the bundle's SHA-256 matches its content");
        Assert.Equal("WEB-1", evidence.IssueId);
        Assert.DoesNotContain(evidence.Exchanges, e => e.Body.Contains("sntry", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task The_bundle_replays_into_the_same_dossier_with_no_request_missing(string name)
    {
        IncidentEvidence evidence = Load(name);
        using SentryApiClient replay = SentryApiClient.CreateReplay(evidence, null);
        var options = new TriageOptions { StatsPeriod = evidence.StatsPeriod, IncludeSeer = false };

        IncidentDossier dossier = await IncidentDossier.GatherAsync(replay, evidence.IssueId, null, options, evidence.FetchedAt, null, CancellationToken.None);

        Assert.Empty(dossier.MissingSignals);   // a miss would read "... [SentryEvidenceMiss]"
        Assert.Equal("WEB-1", dossier.Triage.ShortId);
        Assert.Equal("P0", dossier.Triage.Severity.Severity);
        Assert.Equal("CrashFreeRate", dossier.Triage.Severity.Rule);
        Assert.Equal(200, dossier.Triage.Impact!.Events);
        Assert.Equal(150, dossier.Triage.Impact.UniqueUsers);
        Assert.Equal(90.62, dossier.Triage.Impact.CrashFreeSessionRate);
        Assert.Equal(PatternNames.DeploymentRegression, dossier.Triage.Patterns[0].Pattern);
        Assert.Contains(dossier.Timeline.Entries, e => e.Kind == "deploy");
        Assert.Equal(200, dossier.EventRate.Sum(p => p.Value ?? 0));

        string markdown = Postmortems.Markdown(new PostmortemInput { Triage = dossier.Triage, Timeline = dossier.Timeline, EventRate = dossier.EventRate, Now = evidence.FetchedAt, MissingSignals = dossier.MissingSignals }).Content;
        Assert.Contains("Incident Postmortem", markdown);
        Assert.DoesNotContain("Could not be read from Sentry", markdown);
    }

    [Theory]
    [MemberData(nameof(Bundles))]
    public async Task A_request_the_bundle_never_saw_is_a_named_miss(string name)
    {
        IncidentEvidence evidence = Load(name);
        using SentryApiClient replay = SentryApiClient.CreateReplay(evidence, null);
        var options = new TriageOptions { StatsPeriod = "7d", IncludeSeer = false };   // another window than the one saved

        TriageReport triage = await new TriageRunner(replay).RunAsync(evidence.IssueId, null, options, evidence.FetchedAt, CancellationToken.None);

        Assert.Contains(triage.MissingSignals, m => m.EndsWith("[SentryEvidenceMiss]", StringComparison.Ordinal));
    }
}

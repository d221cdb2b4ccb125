using static SentryRunbook.Sandbox.Tests.StoreTestData;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Regression on new events, honouring resolve-in-next-release and resolve-in-release (Sentry's GroupResolution).</summary>
public sealed class RegressionTests
{
    private readonly StoreTestData _data = new();

    private Model.Issue Issue(string release) => _data.Ingest(_data.Error("E", "v", [InApp("f", "f.ts")], T0, release));

    private Model.Issue Event(string? release, int minutes) => _data.Ingest(_data.Error("E", "v", [InApp("f", "f.ts")], T0.AddMinutes(minutes), release));

    private void Releases(params string[] versions)
    {
        for (var i = 0; i < versions.Length; i++)
            _data.Store.Write(s => s.Releases.Ensure(versions[i], _data.Project, T0.AddDays(-10 + i)));
    }

    [Fact]
    public void PlainResolve_RegressesOnAnyEvent_WithActivity()
    {
        Releases("web@1.0", "web@1.1");
        var issue = Issue("web@1.1");
        _data.Store.Resolve(issue, T0.AddMinutes(1));
        Assert.Equal("resolved", issue.Status);
        Assert.Null(issue.Substatus);

        Event("web@1.0", 2);
        Assert.Equal("unresolved", issue.Status);
        Assert.Equal("regressed", issue.Substatus);
        var activity = issue.Activities[^1];
        Assert.Equal("set_regression", activity.Type);
        Assert.Equal("web@1.0", activity.Data["version"]);
        Assert.Equal(["first_seen", "set_resolved", "set_regression"], issue.Activities.Select(a => a.Type));
    }

    [Fact]
    public void ResolvedInNextRelease_IgnoresCurrentAndOlderReleases_RegressesOnNewer()
    {
        Releases("web@1.0", "web@1.1");
        var issue = Issue("web@1.1");
        _data.Store.Resolve(issue, T0.AddMinutes(1), inNextRelease: true);

        Event("web@1.1", 2);
        Event("web@1.0", 3);
        Event(null, 4);
        Assert.Equal("resolved", issue.Status);
        Assert.Equal(4, issue.Count);

        _data.Store.Write(s => s.Releases.Ensure("web@1.2", _data.Project, T0.AddMinutes(5)));
        Event("web@1.2", 6);
        Assert.Equal("unresolved", issue.Status);
        Assert.Equal("regressed", issue.Substatus);
        Assert.Equal("web@1.2", issue.Activities[^1].Data["version"]);
    }

    [Fact]
    public void ResolvedInRelease_RegressesOnlyForNewerReleases()
    {
        Releases("web@1.0", "web@1.1", "web@1.2", "web@1.3");
        var issue = Issue("web@1.0");
        _data.Store.Resolve(issue, T0.AddMinutes(1), inRelease: "web@1.2");

        Event("web@1.2", 2);
        Event("web@1.1", 3);
        Assert.Equal("resolved", issue.Status);

        Event("web@1.3", 4);
        Assert.Equal("unresolved", issue.Status);
        Assert.Equal("regressed", issue.Substatus);
    }

    [Fact]
    public void UnknownRelease_CountsAsNewest()
    {
        Releases("web@1.0");
        var issue = Issue("web@1.0");
        _data.Store.Resolve(issue, T0.AddMinutes(1), inNextRelease: true);
        Event("web@9.9", 2);
        Assert.Equal("regressed", issue.Substatus);
    }

    [Fact]
    public void IgnoredIssues_StayIgnored_AndUnresolveDerivesSubstatus()
    {
        var issue = Issue("web@1.0");
        _data.Store.Ignore(issue, "archived_forever", T0.AddMinutes(1));
        Event("web@1.0", 2);
        Assert.Equal("ignored", issue.Status);
        Assert.Equal("archived_forever", issue.Substatus);

        _data.Store.Unresolve(issue, T0.AddMinutes(3));
        Assert.Equal("unresolved", issue.Status);
        // First seen is T0 (a fixed past date): more than 7 days ago, so ongoing rather than new.
        Assert.Equal(DateTimeOffset.UtcNow - T0 > TimeSpan.FromDays(7) ? "ongoing" : "new", issue.Substatus);
        Assert.Equal("set_unresolved", issue.Activities[^1].Type);
    }
}

using System.Net;
using SentryRunbook.Sandbox.Model;
using static SentryRunbook.Sandbox.Tests.StoreTestData;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>Archive conditions on ingest (Sentry's GroupSnooze) and resolve-in-next-release regressions, end to end through the API.</summary>
public sealed class IgnoreConditionTests
{
    private static async Task<(SandboxHost, ActTestClient, Issue)> StartWithIssue(string message)
    {
        var host = await SandboxHost.StartAsync(new SandboxOptions { Scenario = "empty" });
        var api = new ActTestClient(host);
        await api.Ingest(message, release: "web@1.0.0", user: "first");
        return (host, api, host.State.Store.Issues.Single());
    }

    [Fact]
    public async Task IgnoreUntil100MoreEvents_ComesBackEscalatingOnThe100th()
    {
        var (host, api, issue) = await StartWithIssue("ignore me for a while");
        await using var _ = host;
        using var __ = api;
        var (response, _) = await api.Put($"/api/0/organizations/acme/issues/{issue.Id}/", """{"status":"ignored","statusDetails":{"ignoreCount":100,"ignoreWindow":60}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        for (var i = 0; i < 99; i++) await api.Ingest("ignore me for a while", release: "web@1.0.0");
        Assert.Equal(("ignored", "archived_until_condition_met"), (issue.Status, issue.Substatus));

        await api.Ingest("ignore me for a while", release: "web@1.0.0");
        Assert.Equal(("unresolved", "escalating"), (issue.Status, issue.Substatus));
        // Sentry raises an escalating issue's priority to high (its priority was not set by hand) after recording the escalation.
        Assert.Equal(("set_escalating", "set_priority"), (issue.Activities[^2].Type, issue.Activities[^1].Type));
        Assert.Equal(("high", "escalating"), (issue.Activities[^1].Data["priority"], issue.Activities[^1].Data["reason"]));
        Assert.Equal(101, issue.Count);
        var (_, detail) = await api.Get($"/api/0/organizations/acme/issues/{issue.Id}/");
        Assert.Equal("escalating", detail.GetProperty("substatus").GetString());
        Assert.Equal("high", detail.GetProperty("priority").GetString());
        Assert.Empty(detail.GetProperty("statusDetails").EnumerateObject());
    }

    [Fact]
    public async Task ResolveInNextRelease_ThenAnEventInALaterRelease_Regresses()
    {
        var (host, api, issue) = await StartWithIssue("fixed in the next release");
        await using var _ = host;
        using var __ = api;
        await api.Put($"/api/0/organizations/acme/issues/{issue.Id}/", """{"status":"resolvedInNextRelease"}""");

        await api.Ingest("fixed in the next release", release: "web@1.0.0");
        Assert.Equal("resolved", issue.Status); // the same release: still resolved

        var (created, release) = await api.Post("/api/0/organizations/acme/releases/", """{"version":"web@1.0.1","projects":["web"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("web@1.0.1", release.GetProperty("version").GetString());

        await api.Ingest("fixed in the next release", release: "web@1.0.1");
        Assert.Equal(("unresolved", "regressed"), (issue.Status, issue.Substatus));
        Assert.Equal(("set_regression", "web@1.0.1"), (issue.Activities[^1].Type, issue.Activities[^1].Data["version"]));
    }

    [Fact]
    public async Task IgnoreUntilNewUsers_CountsOnlyNewDistinctUsers()
    {
        var (host, api, issue) = await StartWithIssue("users matter");
        await using var _ = host;
        using var __ = api;
        await api.Put($"/api/0/organizations/acme/issues/{issue.Id}/", """{"status":"ignored","statusDetails":{"ignoreUserCount":2}}""");
        await api.Ingest("users matter", user: "first");
        await api.Ingest("users matter", user: "second");
        await api.Ingest("users matter", user: "second");
        Assert.Equal("ignored", issue.Status);
        await api.Ingest("users matter", user: "third");
        Assert.Equal(("unresolved", "escalating"), (issue.Status, issue.Substatus));
    }

    [Fact]
    public void IgnoreDuration_ExpiresOnRead_AndOnIngest()
    {
        var data = new StoreTestData();
        var issue = data.Ingest(data.Error("E", "v", [InApp("f", "f.ts")], T0));
        data.Store.Archive(issue, "archived_until_condition_met", new Snooze { At = T0, Duration = 30, Until = T0.AddMinutes(30) }, T0, null);
        data.Store.ExpireSnoozes(T0.AddMinutes(29));
        Assert.Equal("ignored", issue.Status);
        data.Store.ExpireSnoozes(T0.AddMinutes(31));
        Assert.Equal(("unresolved", "ongoing", "set_unresolved"), (issue.Status, issue.Substatus, issue.Activities[^1].Type));

        var other = data.Ingest(data.Error("F", "w", [InApp("g", "g.ts")], T0));
        data.Store.Archive(other, "archived_until_condition_met", new Snooze { At = T0, Duration = 10, Until = T0.AddMinutes(10) }, T0, null);
        data.Ingest(data.Error("F", "w", [InApp("g", "g.ts")], T0.AddMinutes(11)));
        Assert.Equal(("unresolved", "ongoing"), (other.Status, other.Substatus));
    }

    [Fact]
    public void UntilEscalating_EscalatesAboveTenTimesTheHourlyAverage()
    {
        var data = new StoreTestData();
        // A steady issue: one event an hour for the 10 hours before.
        Issue issue = null!;
        for (var h = 10; h >= 1; h--) issue = data.Ingest(data.Error("E", "v", [InApp("f", "f.ts")], T0.AddHours(-h).AddMinutes(10)));
        data.Store.Archive(issue, "archived_until_escalating", null, T0, null);

        // 10 events within the hour are not above 10× the average (≈1.07/h); the 11th tips it over.
        for (var i = 0; i < 10; i++) data.Ingest(data.Error("E", "v", [InApp("f", "f.ts")], T0.AddMinutes(1 + i)));
        Assert.Equal("archived_until_escalating", issue.Substatus);
        data.Ingest(data.Error("E", "v", [InApp("f", "f.ts")], T0.AddMinutes(30)));
        Assert.Equal(("unresolved", "escalating", "set_escalating"), (issue.Status, issue.Substatus, issue.Activities.Last(a => a.Type != "set_priority").Type));
    }

    [Fact]
    public void Escalation_RaisesPriorityToHigh_UnlessItWasSetByHand()
    {
        var data = new StoreTestData();
        Issue Escalated(string name, string? manualPriority)
        {
            Issue issue = null!;
            for (var h = 10; h >= 1; h--) issue = data.Ingest(data.Error(name, "v", [InApp("f", "f.ts")], T0.AddHours(-h).AddMinutes(10)));
            Assert.NotEqual("high", issue.Priority);
            if (manualPriority is not null) data.Store.ChangePriority(issue, manualPriority, T0, null);
            data.Store.Archive(issue, "archived_until_escalating", null, T0, null);
            for (var i = 0; i < 10; i++) data.Ingest(data.Error(name, "v", [InApp("f", "f.ts")], T0.AddMinutes(1 + i)));
            data.Ingest(data.Error(name, "v", [InApp("f", "f.ts")], T0.AddMinutes(30)));
            Assert.Equal("escalating", issue.Substatus);
            return issue;
        }

        var automatic = Escalated("Auto", null);
        Assert.Equal("high", automatic.Priority);
        Assert.Contains(automatic.Activities, a => a.Type == "set_priority" && a.Data["reason"] == "escalating");

        var locked = Escalated("Locked", "low");
        Assert.Equal("low", locked.Priority);
        Assert.DoesNotContain(locked.Activities, a => a.Type == "set_priority" && a.Data["reason"] == "escalating");
    }
}

using SentryRunbook.Sandbox.Model;
using static SentryRunbook.Sandbox.Tests.StoreTestData;

namespace SentryRunbook.Sandbox.Tests;

public sealed class GroupingTests
{
    private readonly StoreTestData _data = new();

    [Fact]
    public void SameTypeAndInnermostInAppFrame_IsOneIssue_WhateverTheValueAndSystemFrames()
    {
        var a = _data.Ingest(_data.Error("TypeError", "x is undefined", [InApp("main", "app.js"), InApp("render", "cart.ts")]));
        var b = _data.Ingest(_data.Error("TypeError", "y is undefined", [SystemFrame("tick"), InApp("other", "x.ts"), InApp("render", "cart.ts"), SystemFrame("inner")]));
        var c = _data.Ingest(_data.Error("TypeError", "x is undefined", [InApp("render", "summary.ts")]));
        var d = _data.Ingest(_data.Error("RangeError", "x is undefined", [InApp("render", "cart.ts")]));
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.NotSame(a, d);
        Assert.Equal(2, a.Count);
        Assert.Equal("WEB-1", a.ShortId);
        Assert.Equal("WEB-2", c.ShortId);
        Assert.Equal("TypeError: y is undefined", a.Title);
        Assert.Equal("cart.ts", a.Metadata.Filename);
        Assert.Equal("render", a.Metadata.Function);
    }

    [Fact]
    public void WithoutInAppFrames_GroupsByTypeAndValue()
    {
        var a = _data.Ingest(_data.Error("Error", "Something went wrong", [SystemFrame("a.b")]));
        var b = _data.Ingest(_data.Error("Error", "Something went wrong", [SystemFrame("c.d")]));
        var c = _data.Ingest(_data.Error("Error", "Something else", [SystemFrame("a.b")]));
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Null(a.Culprit);
    }

    [Fact]
    public void Messages_GroupByTheirFirstLine()
    {
        var a = _data.Ingest(_data.Message("Disk almost full\ndetails 1"));
        var b = _data.Ingest(_data.Message("Disk almost full\ndetails 2"));
        var c = _data.Ingest(_data.Message("Disk full"));
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Equal("Disk almost full", a.Title);
        Assert.Equal("default", a.Type);
        Assert.Equal("info", a.Level);
    }

    [Fact]
    public void ExplicitFingerprint_OverridesDefault_AndDefaultTokenExtendsIt()
    {
        Frame[] frames = [InApp("pay", "stripe.ts")];
        var byTenantA = _data.Ingest(_data.Error("HttpError", "502", frames, fingerprint: ["{{ default }}", "tenant-a"]));
        var byTenantB = _data.Ingest(_data.Error("HttpError", "503", frames, fingerprint: ["{{default}}", "tenant-b"]));
        var plain = _data.Ingest(_data.Error("HttpError", "504", frames));
        var customA = _data.Ingest(_data.Error("HttpError", "500", [InApp("x", "x.ts")], fingerprint: ["stripe-down"]));
        var customB = _data.Ingest(_data.Error("TimeoutError", "slow", [InApp("y", "y.ts")], fingerprint: ["stripe-down"]));
        Assert.NotSame(byTenantA, byTenantB);
        Assert.NotSame(byTenantA, plain);
        Assert.Same(customA, customB);
        Assert.Equal(2, customA.Count);
    }

    [Fact]
    public void Counters_FollowTheEvents()
    {
        var t = T0;
        var issue = _data.Ingest(_data.Error("E", "v", [InApp("f", "f.ts")], t, "web@1.0", user: "u1"));
        _data.Ingest(_data.Error("E", "v", [InApp("f", "f.ts")], t.AddMinutes(5), "web@1.1", user: "u2", handled: false));
        _data.Ingest(_data.Error("E", "v", [InApp("f", "f.ts")], t.AddMinutes(-5), "web@0.9", user: "u1"));
        Assert.Equal(3, issue.Count);
        Assert.Equal(2, issue.UserCount);
        Assert.True(issue.IsUnhandled);
        Assert.Equal(t.AddMinutes(-5), issue.FirstSeen);
        Assert.Equal(t.AddMinutes(5), issue.LastSeen);
        Assert.Equal("web@0.9", issue.FirstRelease);
        Assert.Equal("web@1.1", issue.LastRelease);
        Assert.Equal([t.AddMinutes(-5), t, t.AddMinutes(5)], issue.Events.Select(e => e.Timestamp));
        Assert.Equal(3, issue.MinuteCounts.Values.Sum());
        Assert.Equal(2, issue.TagValues["user"].Count);
        Assert.Equal("first_seen", issue.Activities[0].Type);
        Assert.Equal(1, _data.Store.Releases.Find("web@1.0")!.NewGroups);
    }

    [Fact]
    public void DuplicateEventId_IsStoredOnce()
    {
        var e = _data.Error("E", "v", [InApp("f", "f.ts")]);
        _data.Store.Ingest(e);
        var again = _data.Store.Ingest(new ErrorEvent { EventId = e.EventId, Project = e.Project, Timestamp = e.Timestamp, Received = e.Received, Message = "dup" });
        Assert.Same(e, again);
        Assert.Equal(1, e.Issue.Count);
    }
}

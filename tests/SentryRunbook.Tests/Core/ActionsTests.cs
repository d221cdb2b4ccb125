using SentryRunbook.Abstractions;
using SentryRunbook.Actions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class ActionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue(string shortId, string status = "unresolved", string? substatus = "ongoing", string project = "web", DateTimeOffset? lastSeen = null) =>
        new(shortId.GetHashCode().ToString(), shortId, "Error", null, "error", status, substatus, project, "1", "node", Now.AddDays(-1), lastSeen ?? Now.AddHours(-2), 10, 2, null, null, null, false, null, Array.Empty<IssueStatPoint>());

    public static TheoryData<StatusChange, string> InvalidChanges => new()
    {
        { new StatusChange { Status = "closed" }, "SentryStatusInvalid" },
        { new StatusChange { Status = "ignored", InNextRelease = true }, "SentryResolveOptionWithoutResolve" },
        { new StatusChange { Status = "resolved", InNextRelease = true, InRelease = "1.0" }, "SentryResolveOptionsConflict" },
        { new StatusChange { Status = "resolved", UntilEscalating = true }, "SentryIgnoreOptionWithoutIgnore" },
        { new StatusChange { Status = "ignored", IgnoreCount = 10, IgnoreDuration = 60 }, "SentryIgnoreConditionsConflict" },
        { new StatusChange { Status = "ignored", UntilEscalating = true, IgnoreUserCount = 5 }, "SentryIgnoreConditionsConflict" },
        { new StatusChange { Status = "ignored", IgnoreWindow = 60 }, "SentryIgnoreWindowWithoutCount" },
        { new StatusChange { Status = "ignored", IgnoreCount = 100, IgnoreWindow = 10081 }, "SentryIgnoreWindowOutOfRange" },
        { new StatusChange { Status = "ignored", IgnoreUserCount = 5, IgnoreUserWindow = 0 }, "SentryIgnoreWindowOutOfRange" },
        { new StatusChange { Status = "ignored", IgnoreCount = 0 }, "SentryIgnoreValueOutOfRange" },
        { new StatusChange { Status = "resolved", InRelease = " " }, "SentryReleaseEmpty" },
    };

    [Theory]
    [MemberData(nameof(InvalidChanges))]
    public void Invalid_changes_are_refused_before_sending(StatusChange change, string errorId) =>
        Assert.Contains(change.Validate(), e => e.ErrorId == errorId);

    [Fact]
    public void A_window_of_exactly_a_week_is_allowed() =>
        Assert.Empty(new StatusChange { Status = "ignored", IgnoreCount = 100, IgnoreWindow = 10080 }.Validate());

    [Fact]
    public void The_plan_skips_what_is_done_and_refuses_to_resolve_what_still_fires()
    {
        var issues = new[]
        {
            Issue("WEB-1", lastSeen: Now.AddMinutes(-3)),
            Issue("WEB-2", status: "resolved", substatus: null),
            Issue("WEB-3"),
        };
        var plan = StatusPlanner.Plan(issues, new StatusChange { Status = "resolved" }, Now, force: false);

        Assert.Equal(PlannedAction.Refused, plan[0].Action);
        Assert.Equal("SentryIssueStillFiring", plan[0].ErrorId);
        Assert.Contains("3 min ago", plan[0].Reason);
        Assert.Equal(PlannedAction.AlreadyDone, plan[1].Action);
        Assert.Equal(PlannedAction.Apply, plan[2].Action);
        Assert.Equal("Resolve WEB-3", plan[2].Reason);

        Assert.Equal(PlannedAction.Apply, StatusPlanner.Plan(issues, new StatusChange { Status = "resolved" }, Now, force: true)[0].Action);
        Assert.Equal(PlannedAction.Apply, StatusPlanner.Plan(issues, new StatusChange { Status = "resolved", InNextRelease = true }, Now, force: false)[1].Action);
    }

    [Fact]
    public void Release_resolutions_are_for_one_project_only()
    {
        var mixed = new[] { Issue("WEB-1"), Issue("API-1", project: "api") };
        Assert.Contains("web, api", StatusPlanner.CheckSingleProject(mixed, new StatusChange { Status = "resolved", InNextRelease = true }));
        Assert.Null(StatusPlanner.CheckSingleProject(mixed, new StatusChange { Status = "resolved" }));
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(11, false, true)]
    [InlineData(1, true, true)]
    public void High_impact_is_many_issues_or_archiving_forever(int count, bool forever, bool high) =>
        Assert.Equal(high, StatusPlanner.IsHighImpact(forever ? new StatusChange { Status = "ignored" } : new StatusChange { Status = "ignored", IgnoreCount = 5 }, count));

    [Theory]
    [InlineData("resolved", null, false, "resolve")]
    [InlineData("resolved", "latest", false, "resolve in release latest")]
    [InlineData("ignored", null, true, "archive until it escalates")]
    [InlineData("ignored", null, false, "archive forever")]
    [InlineData("unresolved", null, false, "unresolve")]
    public void Changes_describe_themselves_for_WhatIf(string status, string? inRelease, bool escalating, string text) =>
        Assert.Equal(text, new StatusChange { Status = status, InRelease = inRelease, UntilEscalating = escalating }.Describe());
}

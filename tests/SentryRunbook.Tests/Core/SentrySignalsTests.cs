using System.Collections;
using System.Text.Json;
using SentryRunbook.Analysis;
using SentryRunbook.Client.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

/// <summary>Sentry's own judgement (priority, substatus, category, unhandled, Seer's score) in the issue, severity and triage.</summary>
public class SentrySignalsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SeverityInputs Inputs(SentrySignals? sentry, bool edgeCase = false, string environment = "production", long users = 20) =>
        new(99.5, 10, users, new[] { environment }, false, null, edgeCase, sentry);

    private static SentrySignals Signals(string? priority = "medium", string? substatus = "ongoing", string? category = "error", bool? unhandled = false) =>
        new(priority, substatus, category, unhandled);

    public static TheoryData<string, SeverityInputs, string, string> Rules => new()
    {
        // name, inputs, expected severity, expected rule
        { "high priority raises an edge case to P2", Inputs(Signals("high"), edgeCase: true), "P2", "SentryPriority" },
        { "medium priority leaves an edge case at P3", Inputs(Signals("medium"), edgeCase: true), "P3", "EdgeCase" },
        { "low priority leaves an edge case at P3", Inputs(Signals("low"), edgeCase: true), "P3", "EdgeCase" },
        { "high priority does not lower a P1", Inputs(Signals("high"), users: 300), "P1", "UserImpact" },
        { "high priority is already P2 by default", Inputs(Signals("high")), "P2", "Minor" },
        { "high priority outside production stays P3", Inputs(Signals("high"), environment: "staging"), "P3", "NonProduction" },
        { "no priority sent: edge case stays P3", Inputs(Signals(priority: null), edgeCase: true), "P3", "EdgeCase" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Sentry_priority_is_a_floor_set_by_the_policy(string name, SeverityInputs inputs, string severity, string rule)
    {
        IncidentSeverity result = SeverityClassifier.Classify(inputs);
        Assert.True(severity == result.Severity && rule == result.Rule, $"{name}: expected {severity}/{rule}, got {result.Severity}/{result.Rule}: {string.Join("; ", result.Reasons)}");
    }

    [Theory]
    [InlineData("P1", "P1", "SentryPriority")]
    [InlineData("None", "P3", "EdgeCase")]
    [InlineData("p3", "P3", "EdgeCase")]
    public void The_policy_sets_or_turns_off_the_priority_floor(string floor, string severity, string rule)
    {
        IncidentPolicy policy = IncidentPolicy.FromOverrides(new Hashtable { ["SentryPriorityHighMinimum"] = floor });
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(Signals("high"), edgeCase: true), policy);
        Assert.Equal((severity, rule), (result.Severity, result.Rule));
    }

    [Fact]
    public void A_bad_priority_floor_names_the_setting()
    {
        var error = Assert.Throws<PolicyException>(() => IncidentPolicy.FromOverrides(new Hashtable { ["SentryPriorityHighMinimum"] = "P5" }));
        Assert.Equal("SentryPriorityHighMinimum", error.Key);
        Assert.Contains("P0, P1, P2, P3 or None", error.Message);
    }

    public static TheoryData<string, SentrySignals, string> Citations => new()
    {
        // name, signals, a reason that must be cited
        { "priority", Signals("high"), "Sentry rates the issue high priority" },
        { "escalating", Signals(substatus: "escalating"), "escalating (far more events than it forecast): counted as a spiking trend" },
        { "other substatus", Signals(substatus: "regressed"), "Sentry substatus: regressed" },
        { "unhandled", Signals(unhandled: true), "Unhandled: the application did not catch the error" },
        { "category", Signals(category: "cron"), "Sentry issue category: cron" },
    };

    [Theory]
    [MemberData(nameof(Citations))]
    public void Severity_reasons_cite_what_Sentry_says(string name, SentrySignals signals, string reason)
    {
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(signals));
        Assert.True(result.Reasons.Any(r => r.Contains(reason)), $"{name}: no reason contains '{reason}': {string.Join("; ", result.Reasons)}");
        Assert.DoesNotContain(result.MissingSignals, m => m.StartsWith("SentryPriority") || m.StartsWith("Substatus") || m.StartsWith("IssueCategory"));
    }

    [Theory]
    [InlineData(null, "ongoing", "error", "SentryPriority")]
    [InlineData("high", null, "error", "Substatus")]
    [InlineData("high", "ongoing", null, "IssueCategory")]
    public void A_signal_Sentry_did_not_send_is_a_missing_signal(string? priority, string? substatus, string? category, string missing)
    {
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(Signals(priority, substatus, category)));
        Assert.Single(result.MissingSignals, m => m.StartsWith(missing + ":"));
    }

    [Fact]
    public void Figures_without_an_issue_miss_no_Sentry_signal()
    {
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(null));
        Assert.DoesNotContain(result.MissingSignals, m => m.StartsWith("SentryPriority") || m.StartsWith("Substatus") || m.StartsWith("IssueCategory"));
    }

    [Fact]
    public void The_reader_takes_priority_category_and_Seer_score_and_leaves_absent_ones_null()
    {
        SentryIssue full = Read("""{"id":"1","priority":"high","substatus":"escalating","issueCategory":"cron","isUnhandled":true,"seerFixabilityScore":0.72}""");
        Assert.Equal(("high", "escalating", "cron", true, 0.72), (full.Priority, full.Substatus, full.IssueCategory, full.IsUnhandled, full.SeerFixabilityScore));

        SentryIssue bare = Read("""{"id":"2","priority":null}""");
        Assert.Null(bare.Priority);
        Assert.Null(bare.Substatus);
        Assert.Null(bare.IssueCategory);
        Assert.Null(bare.SeerFixabilityScore);
        Assert.Null(bare.WithReleases("a", "b").Priority);
        Assert.Equal("high", full.WithReleases("a", "b").Priority);
    }

    [Fact]
    public void Triage_of_an_escalating_high_priority_issue_says_so_in_trend_checklist_and_severity()
    {
        // A calm last hour by the histogram, but Sentry's forecast says escalating.
        var stats = Enumerable.Range(0, 24).Select(h => new IssueStatPoint(Now.AddHours(-24 + h), 10)).ToList();
        var issue = new SentryIssue("1", "WEB-1", "Boom", "handle", "error", "unresolved", "escalating", "web", "1", "node", Now.AddDays(-3), Now, 240, 30, null, "web@1", "web@1", true, null, stats,
            priority: "high", issueCategory: "error", seerFixabilityScore: 0.5);
        TriageReport report = TriageBuilder.Build(new TriageData(issue, Now));

        Assert.Equal("Spiking", report.Trend);
        Assert.True(report.IsEscalating);
        Assert.Equal(("high", "escalating", "error"), (report.Priority, report.Substatus, report.IssueCategory));
        Assert.Contains("Sentry marks it escalating", report.Checklist[0].Finding);
        Assert.Contains("reads Steady", report.Checklist[0].Finding);
        TriageStep signals = report.Checklist.Single(s => s.Step == "Sentry's own signals");
        Assert.True(signals.Done);
        Assert.Equal("priority high, substatus escalating, category error, unhandled, Seer fixability 0.50 (AI-generated estimate)", signals.Finding);
        Assert.Contains(report.Severity.Reasons, r => r.Contains("counted as a spiking trend"));
        Assert.Contains(report.Severity.Reasons, r => r.Contains("high priority"));
    }

    [Fact]
    public void Triage_of_an_issue_from_a_Sentry_without_priority_lists_the_missing_signals()
    {
        var issue = new SentryIssue("1", "WEB-1", "Boom", "handle", "error", "unresolved", null, "web", "1", "node", Now.AddDays(-3), Now, 240, 30, null, "web@1", "web@1", false, null, Array.Empty<IssueStatPoint>());
        TriageReport report = TriageBuilder.Build(new TriageData(issue, Now));
        Assert.False(report.Checklist.Single(s => s.Step == "Sentry's own signals").Done);
        Assert.Contains(report.Severity.MissingSignals, m => m.StartsWith("SentryPriority:"));
        Assert.Contains(report.Severity.MissingSignals, m => m.StartsWith("Substatus:"));
        Assert.False(report.IsEscalating);
    }

    private static SentryIssue Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return IssueReader.Read(document.RootElement);
    }
}

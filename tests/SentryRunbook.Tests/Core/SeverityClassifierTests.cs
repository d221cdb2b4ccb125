using System.Collections;
using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class SeverityClassifierTests
{
    private static SeverityInputs Inputs(double? crashFree = 99.5, double? perMinute = 10, long? users = 20, string[]? environments = null, bool workaround = false, bool? coreFlow = null, bool edgeCase = false) =>
        new(crashFree, perMinute, users, environments ?? new[] { "production" }, workaround, coreFlow, edgeCase);

    public static TheoryData<string, SeverityInputs, string, string> Rules => new()
    {
        // name, inputs, expected severity, expected rule
        { "crash-free below 95", Inputs(crashFree: 91), "P0", "CrashFreeRate" },
        { "crash-free just below 95", Inputs(crashFree: 94.99), "P0", "CrashFreeRate" },
        { "crash-free exactly 95 is not P0", Inputs(crashFree: 95), "P2", "Minor" },
        { "spike above 500/min", Inputs(perMinute: 500.5), "P0", "EventSpike" },
        { "exactly 500/min is not P0", Inputs(perMinute: 500), "P2", "Minor" },
        { "crash-free wins over spike", Inputs(crashFree: 90, perMinute: 900), "P0", "CrashFreeRate" },
        { "101 users/hour, no workaround", Inputs(users: 101), "P1", "UserImpact" },
        { "exactly 100 users/hour is not P1", Inputs(users: 100), "P2", "Minor" },
        { "many users on a core flow despite a workaround", Inputs(users: 320, workaround: true, coreFlow: true), "P1", "UserImpact" },
        { "many users, workaround, not a core flow", Inputs(users: 320, workaround: true, coreFlow: false), "P2", "Minor" },
        { "few users", Inputs(users: 40), "P2", "Minor" },
        { "few users with workaround", Inputs(users: 40, workaround: true), "P2", "Minor" },
        { "staging only", Inputs(crashFree: 50, perMinute: 900, users: 900, environments: new[] { "staging" }), "P3", "NonProduction" },
        { "staging and qa only", Inputs(users: 900, environments: new[] { "staging", "qa" }), "P3", "NonProduction" },
        { "an environment on neither list is production", Inputs(crashFree: 80, environments: new[] { "customer-a" }), "P0", "CrashFreeRate" },
        { "staging and an unknown environment", Inputs(users: 300, environments: new[] { "staging", "eu-1" }), "P1", "UserImpact" },
        { "staging and production", Inputs(crashFree: 91, environments: new[] { "staging", "production" }), "P0", "CrashFreeRate" },
        { "edge case", Inputs(users: 3, edgeCase: true), "P3", "EdgeCase" },
        { "edge case cannot hide a P1", Inputs(users: 300, edgeCase: true), "P1", "UserImpact" },
        { "edge case cannot hide a P0", Inputs(crashFree: 80, edgeCase: true), "P0", "CrashFreeRate" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Default_policy_rules_and_boundaries(string name, SeverityInputs inputs, string severity, string rule)
    {
        IncidentSeverity result = SeverityClassifier.Classify(inputs);
        Assert.True(severity == result.Severity && rule == result.Rule, $"{name}: expected {severity}/{rule}, got {result.Severity}/{result.Rule}: {string.Join("; ", result.Reasons)}");
        Assert.NotEmpty(result.Reasons);
        Assert.Same(inputs, result.Inputs);
    }

    [Theory]
    [InlineData("P0", 15, "PagerDuty page to on-call engineer")]
    [InlineData("P1", 60, "Slack #incidents channel, tag team lead")]
    [InlineData("P2", 480, "Slack #alerts-production")]
    [InlineData("P3", 20160, "Add to backlog, assign owner")]
    public void Each_level_carries_the_runbooks_response_and_escalation(string level, double minutes, string escalation)
    {
        SeverityInputs inputs = level switch
        {
            "P0" => Inputs(crashFree: 91),
            "P1" => Inputs(users: 320),
            "P2" => Inputs(users: 40),
            _ => Inputs(environments: new[] { "staging" }),
        };
        IncidentSeverity result = SeverityClassifier.Classify(inputs);
        Assert.Equal(level, result.Severity);
        Assert.Equal(TimeSpan.FromMinutes(minutes), result.ResponseTime);
        Assert.Equal(escalation, result.Escalation);
    }

    [Fact]
    public void Reasons_cite_the_inputs_and_thresholds()
    {
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(crashFree: 99.2, perMinute: 12, users: 320));
        Assert.Equal("320 unique users/hour is above 100, with no workaround", result.Reasons[0]);
        Assert.Contains("Crash-free session rate 99.2% is not below 95%", result.Reasons);
        Assert.Contains("Peak of 12 events/min is not above 500", result.Reasons);
    }

    [Fact]
    public void Missing_signals_are_listed_and_do_not_lower_a_level_silently()
    {
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(crashFree: null, perMinute: null, users: null, environments: Array.Empty<string>()));
        Assert.Equal("P2", result.Severity);
        Assert.Contains("by the signals at hand; CrashFreeSessionRate, PeakEventsPerMinute, PeakUsersPerHour, Environment unknown", result.Reasons[0]);
        Assert.Equal(4, result.MissingSignals.Count);
        Assert.Contains(result.MissingSignals, m => m.StartsWith("CrashFreeSessionRate:") && m.Contains("95%"));
        Assert.Contains(result.MissingSignals, m => m.StartsWith("PeakEventsPerMinute:"));
        Assert.Contains(result.MissingSignals, m => m.StartsWith("PeakUsersPerHour:"));
        Assert.Contains(result.MissingSignals, m => m.StartsWith("Environment:") && m.Contains("production"));
    }

    [Fact]
    public void A_missing_crash_free_rate_still_lets_the_spike_rule_fire()
    {
        IncidentSeverity result = SeverityClassifier.Classify(Inputs(crashFree: null, perMinute: 800));
        Assert.Equal("P0", result.Severity);
        Assert.Equal("EventSpike", result.Rule);
        Assert.Single(result.MissingSignals);
    }

    [Fact]
    public void Overrides_move_the_thresholds()
    {
        var policy = IncidentPolicy.FromOverrides(new Hashtable { ["CrashFreeRateBelow"] = 99, ["UsersPerHourAbove"] = 10, ["EventsPerMinuteAbove"] = "50" });
        Assert.Equal("CrashFreeRate", SeverityClassifier.Classify(Inputs(crashFree: 98.5), policy).Rule);
        Assert.Equal("EventSpike", SeverityClassifier.Classify(Inputs(perMinute: 51), policy).Rule);
        Assert.Equal("P1", SeverityClassifier.Classify(Inputs(users: 11), policy).Severity);
        Assert.Contains("above 10", SeverityClassifier.Classify(Inputs(users: 11), policy).Reasons[0]);
    }

    [Fact]
    public void Overrides_change_environments_core_flows_and_levels()
    {
        var policy = IncidentPolicy.FromOverrides(new Hashtable
        {
            ["ProductionEnvironments"] = new object[] { "prod-*" },
            ["NonProductionEnvironments"] = new object[] { "production-old" },
            ["CoreFlowTransactions"] = "/api/orders*",
            ["Levels"] = new Hashtable { ["p1"] = new Hashtable { ["ResponseMinutes"] = 30, ["Escalation"] = "Page the orders team" } },
        });
        Assert.Equal("NonProduction", SeverityClassifier.Classify(Inputs(environments: new[] { "production-old" }), policy).Rule);
        IncidentSeverity p1 = SeverityClassifier.Classify(Inputs(users: 200, environments: new[] { "prod-eu" }), policy);
        Assert.Equal("P1", p1.Severity);
        Assert.Equal(TimeSpan.FromMinutes(30), p1.ResponseTime);
        Assert.Equal("Page the orders team", p1.Escalation);
        Assert.Equal("30 minutes", policy.Level("P1").Response);
        Assert.Equal("PagerDuty page to on-call engineer", policy.Level("P0").Escalation);
        Assert.True(policy.IsCoreFlow(new[] { "/api/orders/42" }, Array.Empty<KeyValuePair<string, string>>()));
        Assert.False(policy.IsCoreFlow(new[] { "/checkout" }, Array.Empty<KeyValuePair<string, string>>()));
    }

    [Theory]
    [InlineData("CrashFreeRateBellow", 95, "CrashFreeRateBellow")]
    [InlineData("CrashFreeRateBelow", "ninety", "must be a number")]
    [InlineData("CrashFreeRateBelow", 120, "between 0 and 100")]
    [InlineData("ProductionEnvironments", 5, "string")]
    [InlineData("CoreFlowTags", "checkout", "key:value")]
    [InlineData("Levels", "P0", "table")]
    public void Bad_overrides_name_the_key_and_the_problem(string key, object value, string expected)
    {
        var error = Assert.Throws<PolicyException>(() => IncidentPolicy.FromOverrides(new Hashtable { [key] = value }));
        Assert.Contains(key, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Unknown_level_settings_are_refused()
    {
        var error = Assert.Throws<PolicyException>(() => IncidentPolicy.FromOverrides(new Hashtable { ["Levels"] = new Hashtable { ["P0"] = new Hashtable { ["Pager"] = "x" } } }));
        Assert.Equal("Levels.P0.Pager", error.Key);
    }

    [Theory]
    [InlineData("production", true)]
    [InlineData("Production", true)]
    [InlineData("prod", true)]
    [InlineData("staging", false)]
    [InlineData("production-canary", true)]
    [InlineData("prod-eu", true)]
    [InlineData("qa", false)]
    public void Production_environments(string environment, bool production) =>
        Assert.Equal(production, IncidentPolicy.Default.IsProduction(environment));

    [Fact]
    public void Core_flows_from_transactions_and_tags()
    {
        Assert.True(IncidentPolicy.Default.IsCoreFlow(new[] { "POST /api/checkout" }, Array.Empty<KeyValuePair<string, string>>()));
        Assert.True(IncidentPolicy.Default.IsCoreFlow(Array.Empty<string>(), new[] { new KeyValuePair<string, string>("flow", "payment") }));
        Assert.False(IncidentPolicy.Default.IsCoreFlow(new[] { "/v1/geocode" }, new[] { new KeyValuePair<string, string>("flow", "search") }));
    }
}

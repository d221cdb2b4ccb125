using System.Collections;
using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

/// <summary>Rules that used to be written more than once: each is asked of its one place here.</summary>
public class OneRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue(string? substatus = "ongoing") => new("7", "WEB-7", "TypeError", null, "error", "unresolved", substatus, "web", "1", "node",
        Now.AddDays(-30), Now, 50, 10, null, "web@1.0.0", "web@1.1.0", true, null, Array.Empty<IssueStatPoint>());

    private static SentryActivity Regression(TimeSpan ago) =>
        new("a1", "7", "set_regression", Now - ago, null, new Dictionary<string, string> { ["version"] = "web@1.1.0" });

    [Theory]
    [InlineData(60, 23.5, true)]
    [InlineData(60, 24.5, false)]
    [InlineData(120, 47, true)]     // a longer deploy window widens what counts as recent, for triage and patterns alike
    [InlineData(30, 13, false)]
    public void Triage_and_the_patterns_agree_on_a_recent_regression(double deployWindowMinutes, double hoursAgo, bool recent)
    {
        IncidentPolicy policy = IncidentPolicy.FromOverrides(new Hashtable { ["DeployWindowMinutes"] = deployWindowMinutes });
        var data = new TriageData(Issue(), Now) { Activity = new[] { Regression(TimeSpan.FromHours(hoursAgo)) } };

        TriageReport report = TriageBuilder.Build(data, policy);
        bool patternSaysRegression = report.Patterns.Any(p => p.Pattern == PatternNames.DeploymentRegression && p.Evidence.Any(e => e.StartsWith("Regressed after it was resolved", StringComparison.Ordinal)));

        Assert.Equal(recent, report.IsRegression);
        Assert.Equal(recent, patternSaysRegression);
        Assert.Equal(TimeSpan.FromMinutes(deployWindowMinutes * 24), policy.RecentRegressionWindow);
    }

    [Theory]
    [InlineData(SentryErrorKind.Authentication, true)]
    [InlineData(SentryErrorKind.Configuration, true)]
    [InlineData(SentryErrorKind.Transport, true)]
    [InlineData(SentryErrorKind.Server, false)]
    [InlineData(SentryErrorKind.NotFound, false)]
    [InlineData(SentryErrorKind.RateLimited, false)]
    [InlineData(SentryErrorKind.InvalidRequest, false)]
    public void Fatal_error_kinds_are_one_rule(SentryErrorKind kind, bool fatal) =>
        Assert.Equal(fatal, new SentryApiException(kind, "X", "m", "a").IsFatal);

    [Theory]
    [InlineData(24, 100, "1h")]
    [InlineData(96, 100, "1h")]      // 97 intervals x 100 releases = 9,700 points
    [InlineData(24 * 7, 100, "2h")]
    [InlineData(24 * 30, 100, "8h")]
    [InlineData(24 * 90, 100, "1d")]
    [InlineData(24 * 90, 1, "1h")]
    public void The_sessions_interval_follows_the_window(double hours, int groups, string interval)
    {
        string chosen = SessionsQuery.IntervalFor(TimeSpan.FromHours(hours), groups);
        Assert.Equal(interval, chosen);
        Assert.True(Periods.TryParse(chosen, out TimeSpan width));
        Assert.True((Math.Ceiling(hours / width.TotalHours) + 1) * groups <= SessionsQuery.MaxPoints);
        Assert.Equal(0, TimeSpan.FromDays(1).Ticks % width.Ticks);   // Sentry wants intervals that divide a day
    }

    [Theory]
    [InlineData("24h", "1h")]
    [InlineData("30d", "8h")]
    [InlineData("90d", "1d")]
    public async Task Impact_asks_sessions_at_an_interval_Sentry_can_answer_and_records_groupBy(string period, string interval)
    {
        SessionsQuery? asked = null;
        var api = new FakeSentryApi
        {
            Discover = _ => new SentryTable(new[] { (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["count()"] = 5.0, ["count_unique(user)"] = 2.0 } }, new Dictionary<string, string>(), new Dictionary<string, string?>()),
            Stats = _ => Array.Empty<SentryTimeSeries>(),
            Sessions = q => { asked = q; return new SentrySessionStats(Array.Empty<DateTimeOffset>(), Array.Empty<SentrySessionGroup>()); },
            Tags = _ => Array.Empty<SentryIssueTag>(),
        };
        var measurer = new ImpactMeasurer(api);
        IncidentImpact impact = await measurer.MeasureAsync(Issue(), period, Array.Empty<string>(), Now, CancellationToken.None);

        Assert.NotNull(asked);
        Assert.Equal(interval, asked!.Interval);
        ImpactQuery record = impact.Queries.Single(q => q.Figure.StartsWith("CrashFree", StringComparison.Ordinal));
        Assert.Equal(asked.ToParameters(), record.Parameters);
        Assert.Contains(new KeyValuePair<string, string>("groupBy", "release"), record.Parameters);
    }

    [Fact]
    public void A_null_hourly_rate_is_no_data_not_a_crash_free_hour()
    {
        // Two releases in one hour: 100 sessions at 80% crash-free, and 900 whose rate Sentry sent as null.
        SentrySessionGroup Group(string release, double? rate, double sessions) => new(
            new Dictionary<string, string> { ["release"] = release },
            new Dictionary<string, double?> { ["sum(session)"] = sessions, ["crash_free_rate(session)"] = rate },
            new Dictionary<string, IReadOnlyList<double?>> { ["sum(session)"] = new double?[] { sessions }, ["crash_free_rate(session)"] = new[] { rate } });
        var stats = new SentrySessionStats(new[] { Now.AddHours(-1) }, new[] { Group("web@1.0.0", 0.8, 100), Group("web@1.1.0", null, 900) });

        (double? sessions, _, _) = ImpactStatistics.WorstHour(stats, new[] { "web@1.0.0", "web@1.1.0" });

        Assert.Equal(80, sessions);   // counting the null as 100% would say 98%
    }

    [Fact]
    public void A_lone_null_rate_gives_no_figure_from_that_hour()
    {
        var group = new SentrySessionGroup(
            new Dictionary<string, string>(),
            new Dictionary<string, double?> { ["sum(session)"] = 500, ["crash_free_rate(session)"] = null },
            new Dictionary<string, IReadOnlyList<double?>> { ["sum(session)"] = new double?[] { 500 }, ["crash_free_rate(session)"] = new double?[] { null } });

        (double? sessions, _, string note) = ImpactStatistics.WorstHour(new SentrySessionStats(new[] { Now }, new[] { group }));

        Assert.Null(sessions);
        Assert.Contains("none", note);
    }

    [Fact]
    public void Triage_and_the_rollback_command_ask_the_same_crash_free_query()
    {
        SessionsQuery query = RollbackFinder.HealthQuery(new[] { "5" }, new[] { "production" });
        Assert.Equal(new[] { "release" }, query.GroupBy);
        Assert.Equal("1d", query.Interval);
        Assert.Equal("14d", query.Window.StatsPeriod);

        var stats = new SentrySessionStats(Array.Empty<DateTimeOffset>(), new[]
        {
            new SentrySessionGroup(new Dictionary<string, string> { ["release"] = "a" }, new Dictionary<string, double?> { ["sum(session)"] = 10, ["crash_free_rate(session)"] = 0.98766 }, new Dictionary<string, IReadOnlyList<double?>>()),
            new SentrySessionGroup(new Dictionary<string, string> { ["release"] = "b" }, new Dictionary<string, double?> { ["sum(session)"] = 0, ["crash_free_rate(session)"] = 1 }, new Dictionary<string, IReadOnlyList<double?>>()),
        });
        IReadOnlyDictionary<string, double?> rates = RollbackFinder.CrashFreeByRelease(stats);
        Assert.Equal(98.77, rates["a"]);
        Assert.Null(rates["b"]);   // a rate of 1 over no sessions is no data, not 100%
    }

    [Fact]
    public void Every_policy_setting_is_parsed_and_named_once()
    {
        foreach (string name in IncidentPolicy.SettingNames.Where(n => n != "Levels"))
        {
            // A value no setting accepts: every setting refuses it with its own name in the message.
            PolicyException error = Assert.Throws<PolicyException>(() => IncidentPolicy.FromOverrides(new Hashtable { [name] = new Hashtable() }));
            Assert.Equal(name, error.Key);
        }

        PolicyException unknown = Assert.Throws<PolicyException>(() => IncidentPolicy.FromOverrides(new Hashtable { ["DeployWindowMinutez"] = 5 }));
        Assert.Contains("DeployWindowMinutes", unknown.Message);
        Assert.Equal(23, IncidentPolicy.SettingNames.Distinct().Count());
    }

    [Theory]
    [InlineData(90.62, "90.62%")]
    [InlineData(98.5, "98.5%")]
    [InlineData(100, "100%")]
    [InlineData(99.999, "100%")]
    public void Percentages_read_the_same_everywhere(double value, string text)
    {
        Assert.Equal(text, SentryRunbook.Text.Formats.Percent(value));
        var impact = new IncidentImpact("1", "WEB-1", Now.AddHours(-24), Now, 10, 5, 1, 5, value, null, null, Array.Empty<string>(), Array.Empty<string>(), Array.Empty<ImpactQuery>(), null, Array.Empty<string>());
        Assert.Contains("crash-free sessions at " + text, SentryRunbook.Rendering.IncidentMessages.DescribeImpact(impact));
    }

    [Fact]
    public void Times_and_clips_have_one_form()
    {
        Assert.Equal("2026-11-28 12:00 UTC", SentryRunbook.Text.Formats.Time(Now.ToOffset(TimeSpan.FromHours(2))));
        Assert.Equal("an unknown time", SentryRunbook.Text.Formats.Time(null));
        Assert.Equal("unknown", SentryRunbook.Text.Formats.Time(null, "unknown"));
        Assert.Equal("abcdefg...", SentryRunbook.Text.Formats.Clip("abcdefghijklmnop", 10));
        Assert.Equal("short", SentryRunbook.Text.Formats.Clip("short", 10));
    }

    [Theory]
    [InlineData(0, "0 min")]
    [InlineData(40, "40 s")]
    [InlineData(45 * 60, "45 min")]
    [InlineData(85 * 60, "1 h 25 min")]
    [InlineData(2 * 3600, "2 h")]
    [InlineData(51 * 3600, "2 d 3 h")]
    [InlineData(-30, "0 min")]
    public void A_duration_reads_in_words_the_same_everywhere(int seconds, string words)
    {
        Assert.Equal(words, SentryRunbook.Text.Formats.Duration(TimeSpan.FromSeconds(seconds)));
        Assert.Equal("not recorded", SentryRunbook.Text.Formats.Duration(null));
    }
}

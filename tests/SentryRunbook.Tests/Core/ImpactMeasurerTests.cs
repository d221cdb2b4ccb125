using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class ImpactMeasurerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue() => new("4123", "WEB-1", "PaymentProcessingError", null, "fatal", "unresolved", "new", "web", "1", "node",
        Now.AddMinutes(-5), Now, 200, 150, null, "web@2.4.0", "web@2.4.0", true, null, Array.Empty<IssueStatPoint>());

    private static SentryTable Table(params (string Field, double? Value)[] cells) =>
        new(new[] { (IReadOnlyDictionary<string, object?>)cells.ToDictionary(c => c.Field, c => (object?)c.Value) }, new Dictionary<string, string>(), new Dictionary<string, string?>());

    private static IReadOnlyList<SentryTimeSeries> Series(string axis, int minutesApart, params double[] values) =>
        new[] { new SentryTimeSeries(axis, values.Select((v, i) => new SentryTimePoint(Now.AddMinutes(-values.Length * minutesApart + i * minutesApart), v)).ToList()) };

    private static SentrySessionStats SessionStats(double[] counts, double?[] rates, double?[] userRates) =>
        new(counts.Select((_, i) => Now.AddHours(-counts.Length + i)).ToList(), new[]
        {
            new SentrySessionGroup(
                new Dictionary<string, string>(),
                new Dictionary<string, double?> { ["sum(session)"] = counts.Sum(), ["crash_free_rate(session)"] = 0.99, ["crash_free_rate(user)"] = 0.995 },
                new Dictionary<string, IReadOnlyList<double?>>
                {
                    ["sum(session)"] = counts.Select(c => (double?)c).ToList(),
                    ["crash_free_rate(session)"] = rates,
                    ["crash_free_rate(user)"] = userRates,
                }),
        });

    private static IReadOnlyList<SentryIssueTag> Tags(string? transaction = "POST /webhooks/stripe") => new[]
    {
        new SentryIssueTag("4123", "environment", "Environment", 200, 1, new[] { new SentryTagValue("production", null, 200, 100, null, null) }),
        new SentryIssueTag("4123", "release", "Release", 200, 1, new[] { new SentryTagValue("web@2.4.0", null, 200, 100, null, null) }),
        new SentryIssueTag("4123", "transaction", "Transaction", 200, 1, transaction is null ? Array.Empty<SentryTagValue>() : new[] { new SentryTagValue(transaction, null, 200, 100, null, null) }),
    };

    private static FakeSentryApi Api() => new()
    {
        Discover = q => q.Dataset switch
        {
            "errors" => Table(("count()", 200), ("count_unique(user)", 150)),
            "spans" => Table(("p95(span.duration)", 812.4), ("count()", 1203)),
            _ => throw new InvalidOperationException(q.Dataset),
        },
        Stats = q => q.Interval == "1m" ? Series("count()", 1, 0, 10, 52, 60, 48) : Series("count_unique(user)", 60, 3, 150),
        Sessions = _ => SessionStats(new double[] { 400, 400, 300, 5 }, new double?[] { 0.998, 0.997, 0.91, 0.2 }, new double?[] { 0.999, 0.998, 0.93, 0.5 }),
        Tags = _ => Tags(),
    };

    [Fact]
    public async Task Measures_every_figure_and_records_its_query()
    {
        FakeSentryApi api = Api();
        IncidentImpact impact = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);

        Assert.Equal(200, impact.Events);
        Assert.Equal(150, impact.UniqueUsers);
        Assert.Equal(60, impact.PeakEventsPerMinute);
        Assert.Equal(150, impact.PeakUsersPerHour);
        Assert.Equal(91, impact.CrashFreeSessionRate);   // the worst hour with enough sessions, as percent; the 5-session hour is ignored
        Assert.Equal(93, impact.CrashFreeUserRate);
        Assert.Equal(812.4, impact.P95DurationMs);
        Assert.Equal(new[] { "production" }, impact.Environments);
        Assert.Equal(new[] { "web@2.4.0" }, impact.Releases);
        Assert.Equal(Now.AddHours(-24), impact.Start);
        Assert.Equal(Now, impact.End);
        Assert.Null(impact.WidenedFrom);
        Assert.Empty(impact.MissingSignals);
        Assert.Equal(6, impact.Queries.Count);
        ImpactQuery events = impact.Queries.Single(q => q.Figure == "Events and UniqueUsers");
        Assert.Contains(new KeyValuePair<string, string>("dataset", "errors"), events.Parameters);
        Assert.Contains(new KeyValuePair<string, string>("query", "issue.id:4123"), events.Parameters);
        Assert.Contains(new KeyValuePair<string, string>("statsPeriod", "24h"), events.Parameters);
        Assert.Contains("count()=200", events.Result);
        Assert.Contains(api.Calls, c => c.StartsWith("events:spans:p95(span.duration),count():is_transaction:true transaction:\"POST /webhooks/stripe\""));
    }

    [Fact]
    public async Task An_empty_window_is_widened_to_7d_with_a_warning()
    {
        FakeSentryApi api = Api();
        api.Discover = q => q.Dataset == "errors"
            ? (q.Window.StatsPeriod == "7d" ? Table(("count()", 12), ("count_unique(user)", 3)) : Table(("count()", 0), ("count_unique(user)", 0)))
            : Table(("p95(span.duration)", 100));
        var warnings = new List<string>();
        IncidentImpact impact = await new ImpactMeasurer(api) { Warn = warnings.Add }.MeasureAsync(Issue(), "1h", Array.Empty<string>(), Now, CancellationToken.None);

        Assert.Equal("1h", impact.WidenedFrom);
        Assert.Equal(12, impact.Events);
        Assert.Equal(Now.AddDays(-7), impact.Start);
        Assert.Contains("7d", Assert.Single(warnings));
    }

    [Fact]
    public async Task No_sessions_and_no_transaction_are_missing_signals_not_numbers()
    {
        FakeSentryApi api = Api();
        api.Sessions = _ => new SentrySessionStats(Array.Empty<DateTimeOffset>(), new[] { new SentrySessionGroup(new Dictionary<string, string>(), new Dictionary<string, double?> { ["sum(session)"] = 0, ["crash_free_rate(session)"] = 1 }, new Dictionary<string, IReadOnlyList<double?>>()) });
        api.Tags = _ => Tags(transaction: null);

        IncidentImpact impact = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);

        Assert.Null(impact.CrashFreeSessionRate);
        Assert.Null(impact.P95DurationMs);
        Assert.Contains(impact.MissingSignals, m => m.StartsWith("CrashFreeSessionRate:"));
        Assert.Contains(impact.MissingSignals, m => m.StartsWith("P95DurationMs:") && m.Contains("no transaction"));
    }

    [Theory]
    [InlineData(400, "Invalid field: crash_free_rate(session)")]
    [InlineData(404, "The requested resource does not exist")]
    public async Task A_sessions_endpoint_that_refuses_becomes_a_missing_signal(int status, string detail)
    {
        FakeSentryApi api = Api();
        api.Sessions = _ => throw new SentryApiException(status == 400 ? SentryErrorKind.InvalidRequest : SentryErrorKind.NotFound, "x", "refused", "fix", status, detail);

        IncidentImpact impact = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);

        Assert.Null(impact.CrashFreeSessionRate);
        Assert.Equal(200, impact.Events);
        Assert.Contains(impact.MissingSignals, m => m.StartsWith("CrashFreeSessionRate") && m.Contains(status.ToString()) && m.Contains(detail));
    }

    [Fact]
    public async Task p95_falls_back_to_the_transactions_dataset_when_spans_is_refused()
    {
        FakeSentryApi api = Api();
        api.Discover = q => q.Dataset switch
        {
            "errors" => Table(("count()", 180), ("count_unique(user)", 40)),
            "spans" => throw new SentryApiException(SentryErrorKind.InvalidRequest, "SentryBadRequest", "bad", "fix", 400, "dataset must be one of: discover, errors, transactions"),
            "transactions" => Table(("p95(transaction.duration)", 8200), ("count()", 90)),
            _ => throw new InvalidOperationException(),
        };

        IncidentImpact impact = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);

        Assert.Equal(8200, impact.P95DurationMs);
        Assert.Contains("p95(transaction.duration)", impact.Queries.Single(q => q.Figure == "P95DurationMs").Result);
    }

    [Fact]
    public async Task Authentication_failures_are_not_hidden_as_missing_signals()
    {
        FakeSentryApi api = Api();
        api.Stats = _ => throw new SentryApiException(SentryErrorKind.Authentication, "SentryAuthenticationFailed", "bad token", "fix", 401);
        await Assert.ThrowsAsync<SentryApiException>(() => new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None));
    }

    [Fact]
    public void Widened_buckets_give_an_estimated_per_minute_peak()
    {
        (double? peak, string note) = ImpactStatistics.PeakPerMinute(Series("count()", 5, 10, 600, 20)[0]);
        Assert.Equal(120, peak);
        Assert.Contains("5-minute buckets", note);
    }

    [Fact]
    public void Thin_hours_do_not_decide_the_crash_free_rate()
    {
        var (sessions, _, note) = ImpactStatistics.WorstHour(SessionStats(new double[] { 5, 3 }, new double?[] { 0.2, 0.5 }, new double?[] { 0.2, 0.5 }));
        Assert.Equal(99, sessions);
        Assert.Contains("total", note);
    }

    [Fact]
    public async Task The_crash_free_rate_is_the_one_of_the_issues_own_releases()
    {
        SentrySessionGroup Release(string version, double?[] rates) => new(
            new Dictionary<string, string> { ["release"] = version },
            new Dictionary<string, double?> { ["sum(session)"] = 300, ["crash_free_rate(session)"] = rates.Average() },
            new Dictionary<string, IReadOnlyList<double?>> { ["sum(session)"] = new double?[] { 100, 100, 100 }, ["crash_free_rate(session)"] = rates, ["crash_free_rate(user)"] = rates });
        FakeSentryApi api = Api();
        api.Sessions = q =>
        {
            Assert.Equal(new[] { "release" }, q.GroupBy);
            return new SentrySessionStats(Array.Empty<DateTimeOffset>(), new[] { Release("web@2.4.0", new double?[] { 0.999, 0.998, 0.997 }), Release("web@2.4.2", new double?[] { 1, 0.99, 0.5 }) });
        };
        api.Tags = _ => new[] { new SentryIssueTag("4123", "release", null, 10, 1, new[] { new SentryTagValue("web@2.4.0", null, 10, 100, null, null) }) };

        IncidentImpact mine = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);
        Assert.Equal(99.7, mine.CrashFreeSessionRate);
        Assert.Contains("releases web@2.4.0", mine.Queries.Single(q => q.Figure.StartsWith("CrashFree")).Result);

        api.Tags = _ => Array.Empty<SentryIssueTag>();
        IncidentImpact project = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);
        Assert.Equal(74.85, project.CrashFreeSessionRate);   // hour 3 of the whole project: (0.997*100 + 0.5*100) / 200
        Assert.Contains("the whole project", project.Queries.Single(q => q.Figure.StartsWith("CrashFree")).Result);
    }

    [Fact]
    public async Task Hour_wide_buckets_are_read_again_minute_by_minute_at_the_peak()
    {
        FakeSentryApi api = Api();
        api.Stats = q => q.Interval != "1m" ? Series("count_unique(user)", 60, 3, 150)
            : q.Window.StatsPeriod != null ? Series("count()", 60, 10, 3000, 20)       // Sentry widened the 7d window to 1h buckets
            : Series("count()", 1, 0, 600, 590, 0);                                    // the peak hour, minute by minute
        IncidentImpact impact = await new ImpactMeasurer(api).MeasureAsync(Issue(), "7d", Array.Empty<string>(), Now, CancellationToken.None);
        Assert.Equal(600, impact.PeakEventsPerMinute);
        Assert.Contains("busiest 60-minute bucket", impact.Queries.Single(q => q.Figure == "PeakEventsPerMinute").Result);
        Assert.Contains(api.Calls, c => c.StartsWith("events-stats:count():1m:") && c.Contains(".."));
    }

    [Fact]
    public async Task An_incident_across_the_top_of_the_hour_counts_the_users_of_its_busiest_60_minutes()
    {
        FakeSentryApi api = Api();
        api.Stats = q => q.Interval == "1m" ? Series("count()", 1, Enumerable.Repeat(5.0, 90).ToArray()) : Series("count_unique(user)", 60, 80, 70);
        api.Discover = q => q.Dataset == "spans" ? Table(("p95(span.duration)", 100))
            : q.Window.StatsPeriod is null ? Table(("count_unique(user)", 130))
            : Table(("count()", 450), ("count_unique(user)", 150));
        IncidentImpact impact = await new ImpactMeasurer(api).MeasureAsync(Issue(), "24h", Array.Empty<string>(), Now, CancellationToken.None);
        Assert.Equal(130, impact.PeakUsersPerHour);
        Assert.Contains("busiest 60 minutes (clock hours: 80)", impact.Queries.Single(q => q.Figure == "PeakUsersPerHour").Result);
    }

    [Fact]
    public void The_densest_hour_is_found_minute_by_minute()
    {
        double[] counts = Enumerable.Range(0, 180).Select(i => i >= 100 && i < 160 ? 10.0 : 1.0).ToArray();
        SentryTimeSeries minutes = Series("count()", 1, counts)[0];
        Assert.Equal(minutes.Points[100].Time, ImpactStatistics.DensestHour(minutes));
        Assert.Null(ImpactStatistics.DensestHour(Series("count()", 60, 1, 2)[0]));
    }
}

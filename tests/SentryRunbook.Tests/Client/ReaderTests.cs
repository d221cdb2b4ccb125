using System.Net;
using System.Text.Json;
using SentryRunbook.Abstractions;
using SentryRunbook.Client.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Client;

/// <summary>The readers against the shapes REFERENCE.md documents (§3.4, §4, §5, §6, §7, §8, §9, §10).</summary>
public class ReaderTests
{
    // §3.4, abbreviated: REST entries, frames oldest first, tags as {key,value}, environment only in tags.
    private const string RestEvent = """
    {"id":"dfb1a2d057194e76a4186cc8a5271553","eventID":"dfb1a2d057194e76a4186cc8a5271553","groupID":"4123","projectID":"2",
     "title":"ZeroDivisionError: division by zero","message":"","platform":"python","dateCreated":"2026-01-07T08:00:01Z",
     "release":{"version":"app@1.4.0"},
     "tags":[{"key":"environment","value":"prod"},{"key":"level","value":"error"},{"key":"release","value":"app@1.4.0"},{"key":"transaction","value":"/api/charge"}],
     "user":{"id":"42","email":null,"username":null,"ip_address":"10.0.0.1","name":null,"data":null},
     "contexts":{"os":{"type":"os","name":"Linux","version":"6.1"},"runtime":{"type":"runtime","name":"CPython","version":"3.12.1"}},
     "context":{"payload":"{\"amount\": \"NaN\"}"},
     "sdk":{"name":"sentry.python","version":"2.1.0"},
     "entries":[
       {"type":"exception","data":{"values":[
          {"type":"ValueError","value":"bad amount","module":null,"mechanism":{"type":"generic","handled":true},"stacktrace":{"frames":[
             {"filename":"app/parse.py","absPath":"/srv/app/parse.py","module":"app.parse","function":"parse","lineNo":10,"colNo":null,"inApp":true,"context":[[10,"    raise ValueError"]]}]}},
          {"type":"ZeroDivisionError","value":"division by zero","module":null,"mechanism":{"type":"generic","handled":false},"stacktrace":{"frames":[
             {"filename":"django/core/handlers.py","absPath":"/usr/lib/django.py","module":"django.core","function":"get_response","lineNo":5,"colNo":null,"inApp":false},
             {"filename":"app/billing.py","absPath":"/srv/app/billing.py","module":"app.billing","function":"charge","lineNo":88,"colNo":null,"inApp":true,"context":[[87,"    total = amount"],[88,"    return total / qty"],[89,""]]},
             {"filename":"lib/decimal.py","absPath":"/usr/lib/decimal.py","module":"decimal","function":"__truediv__","lineNo":1,"colNo":null,"inApp":false}]}}]}},
       {"type":"breadcrumbs","data":{"values":[
          {"timestamp":"2026-01-07T08:00:00.266586Z","type":"http","category":"xhr","level":"info","message":null,"data":{"url":"/api/x","status_code":200,"method":"GET"},"event_id":null},
          {"timestamp":"2026-01-07T08:00:00.9Z","type":"default","category":"log","level":"error","message":"about to divide","data":null}]}},
       {"type":"request","data":{"url":"https://shop.example/api/charge","method":"POST","query":[["k","v"]],"data":{"qty":0},"headers":[["User-Agent","curl"]]}},
       {"type":"message","data":{"formatted":"charging failed","message":null,"params":[]}}],
     "nextEventID":null,"previousEventID":"abc"}
    """;

    [Fact]
    public void Reads_a_REST_event()
    {
        using var document = JsonDocument.Parse(RestEvent);
        SentryEvent e = EventReader.Read(document.RootElement);

        Assert.Equal("dfb1a2d057194e76a4186cc8a5271553", e.EventId);
        Assert.Equal("4123", e.IssueId);
        Assert.Equal("app@1.4.0", e.Release);
        Assert.Equal("prod", e.Environment);
        Assert.Equal("/api/charge", e.Transaction);
        Assert.Equal("charging failed", e.Message);
        Assert.Equal(2, e.Exceptions.Count);
        Assert.False(e.Exceptions[1].Handled);
        Assert.Equal(new[] { "get_response", "charge", "__truediv__" }, e.Exceptions[1].Frames.Select(f => f.Function));
        Assert.Equal("charge", e.FailingFrame!.Function);          // innermost in-app frame of the raised (last) exception
        Assert.Equal(88, e.FailingFrame.LineNo);
        Assert.Equal("    return total / qty", e.FailingFrame.ContextLine);
        Assert.Equal(2, e.Breadcrumbs.Count);
        Assert.Equal("200", e.Breadcrumbs[0].Data["status_code"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 7, 8, 0, 0, 266, TimeSpan.Zero).AddTicks(5860), e.Breadcrumbs[0].Timestamp);
        Assert.Equal("10.0.0.1", e.User!.IpAddress);
        Assert.Equal("Linux", e.Contexts["os"]["name"]);
        Assert.Equal("{\"amount\": \"NaN\"}", e.Extra["payload"]);
        Assert.Equal("POST", e.Request!.Method);
        Assert.Equal("{\"qty\":0}", e.Request.Data);
        Assert.Equal("sentry.python 2.1.0", e.Sdk!.ToString());
    }

    [Fact]
    public void Reads_a_raw_protocol_event_with_pair_tags_and_float_timestamps()
    {
        const string raw = """
        {"event_id":"0123456789abcdef0123456789abcdef","timestamp":1767772801.5,"platform":"node","release":"web@2.4.1","environment":"production",
         "tags":[["browser","Chrome 120"],["transaction","/cart"]],
         "exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading 'total')","mechanism":{"type":"onerror","handled":false},
            "stacktrace":{"frames":[{"filename":"app.js","function":"a.b","lineno":1,"colno":2,"in_app":false},{"filename":"src/cart/summary.ts","function":"renderCartSummary","lineno":42,"colno":7,"in_app":true,"context_line":"  total = resp.totals.total"}]}}]},
         "breadcrumbs":{"values":[{"timestamp":1767772800.25,"category":"fetch","data":{"url":"/api/cart","status_code":200}}]}}
        """;
        using var document = JsonDocument.Parse(raw);
        SentryEvent e = EventReader.Read(document.RootElement);

        Assert.Equal("web@2.4.1", e.Release);
        Assert.Equal("production", e.Environment);
        Assert.Equal("Chrome 120", e.Tags["browser"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1767772801500), e.DateCreated);
        Assert.Equal("renderCartSummary", e.FailingFrame!.Function);
        Assert.Equal(7, e.FailingFrame.ColNo);
        Assert.Equal("  total = resp.totals.total", e.FailingFrame.ContextLine);
        Assert.Single(e.Breadcrumbs);
    }

    [Fact]
    public void An_event_without_in_app_frames_has_no_failing_frame()
    {
        using var document = JsonDocument.Parse("""{"eventID":"a","entries":[{"type":"exception","data":{"values":[{"type":"Error","stacktrace":{"frames":[{"function":"x","inApp":false}]}}]}}]}""");
        Assert.Null(EventReader.Read(document.RootElement).FailingFrame);
    }

    [Fact]
    public void Tags_get_a_percent_of_the_tagged_events()
    {
        using var document = JsonDocument.Parse("""{"key":"browser","name":"Browser","totalValues":150,"uniqueValues":3,"topValues":[{"key":"browser","name":"Chrome 120.0","value":"Chrome 120.0","count":120,"firstSeen":"2026-01-06T21:19:55Z","lastSeen":"2026-01-07T08:00:01Z"},{"value":"Firefox","count":30}]}""");
        SentryIssueTag tag = DetailReaders.Tag("4123", document.RootElement);
        Assert.Equal(150, tag.TotalValues);
        Assert.Equal(80, tag.TopValues[0].Percent);
        Assert.Equal(20, tag.TopValues[1].Percent);
    }

    [Fact]
    public void Committers_are_flattened_to_commits_with_their_author()
    {
        using var document = JsonDocument.Parse("""{"committers":[{"author":{"id":"1","name":"Ada","email":"ada@example.com"},"commits":[{"id":"a1b2c3d4e5f60718293a4b5c6d7e8f9012345678","message":"fix: rounding","dateCreated":"2026-01-05T10:00:00Z","pullRequest":null,"suspectCommitType":"via SCM integration","repository":{"name":"acme/web"}}]}]}""");
        SuspectCommit commit = Assert.Single(DetailReaders.Committers(document.RootElement));
        Assert.Equal("Ada", commit.Author);
        Assert.Equal("acme/web", commit.Repository);
        Assert.Equal("via SCM integration", commit.SuspectType);
        Assert.Equal("a1b2c3d4e5f6", commit.ToString());
    }

    [Fact]
    public void Releases_have_integer_ids_and_a_last_deploy()
    {
        using var document = JsonDocument.Parse("""{"id":1122684517,"version":"app@1.4.0","shortVersion":"app@1.4.0","dateCreated":"2026-01-05T09:00:00.190281Z","dateReleased":null,"newGroups":3,"lastDeploy":{"id":"6883490","environment":"prod","name":"deploy 42","url":null,"dateStarted":null,"dateFinished":"2026-01-05T09:20:55.641748Z"},"projects":[{"id":2,"slug":"pump-station","name":"Pump Station"}]}""");
        SentryRelease release = DetailReaders.Release(document.RootElement);
        Assert.Equal("app@1.4.0", release.Version);
        Assert.Null(release.DateReleased);
        Assert.Equal(3, release.NewGroups);
        Assert.Equal("prod", release.LastDeploy!.Environment);
        Assert.Equal(new[] { "pump-station" }, release.Projects);
    }

    [Fact]
    public void Discover_rows_are_keyed_by_the_exact_field_strings()
    {
        using var document = JsonDocument.Parse("""{"data":[{"transaction":"/api/charge","count()":1203,"p95(span.duration)":812.4}],"meta":{"fields":{"transaction":"string","count()":"integer","p95(span.duration)":"duration"},"units":{"transaction":null,"count()":null,"p95(span.duration)":"millisecond"}}}""");
        SentryTable table = QueryReaders.Table(document.RootElement);
        Assert.Equal(1203, table.FirstNumber("count()"));
        Assert.Equal(812.4, table.FirstNumber("p95(span.duration)"));
        Assert.Null(table.FirstNumber("count_unique(user)"));
        Assert.Equal("millisecond", table.Units["p95(span.duration)"]);
    }

    [Fact]
    public void Events_stats_reads_one_or_several_y_axes()
    {
        using var one = JsonDocument.Parse("""{"data":[[1767744000,[{"count":12}]],[1767747600,[{"count":0}]]],"start":1767744000,"end":1767830400}""");
        SentryTimeSeries series = Assert.Single(QueryReaders.Stats(one.RootElement, new[] { "count()" }));
        Assert.Equal(new double?[] { 12, 0 }, series.Points.Select(p => p.Value));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1767747600), series.Points[1].Time);

        using var two = JsonDocument.Parse("""{"count()":{"data":[[1,[{"count":3}]]],"order":0},"count_unique(user)":{"data":[[1,[{"count":2}]]],"order":1}}""");
        var both = QueryReaders.Stats(two.RootElement, new[] { "count()", "count_unique(user)" });
        Assert.Equal(2, both[1].Points[0].Value);
    }

    [Fact]
    public void Sessions_keep_rates_as_fractions_and_gaps_as_null()
    {
        using var document = JsonDocument.Parse("""{"start":"2026-01-06T00:00:00Z","end":"2026-01-07T00:00:00Z","query":"","intervals":["2026-01-06T00:00:00Z","2026-01-06T01:00:00Z"],"groups":[{"by":{"release":"app@1.4.0","project":2},"totals":{"sum(session)":1200,"crash_free_rate(session)":0.9975},"series":{"sum(session)":[600,600],"crash_free_rate(session)":[null,0.995]}}]}""");
        SentrySessionStats stats = QueryReaders.Sessions(document.RootElement);
        Assert.Equal(2, stats.Intervals.Count);
        SentrySessionGroup group = Assert.Single(stats.Groups);
        Assert.Equal("2", group.By["project"]);
        Assert.Equal(0.9975, group.Totals["crash_free_rate(session)"]);
        Assert.Equal(new double?[] { null, 0.995 }, group.Series["crash_free_rate(session)"]);
    }

    [Fact]
    public async Task Queries_send_repeated_parameters_and_one_kind_of_window()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, """{"data":[],"meta":{}}""");
        await client.QueryEventsAsync(new DiscoverQuery { Dataset = "errors", Fields = new[] { "count()", "count_unique(user)" }, Query = "issue.id:4123", Projects = new[] { "2" }, Environments = new[] { "prod", "stage" }, Window = TimeWindow.Period("24h") }, CancellationToken.None);
        string query = Uri.UnescapeDataString(stub.Requests[0].RequestUri!.Query);
        Assert.Equal("?dataset=errors&field=count()&field=count_unique(user)&query=issue.id:4123&project=2&environment=prod&environment=stage&statsPeriod=24h&per_page=100", query);
    }

    [Fact]
    public async Task Events_stats_keeps_the_incomplete_last_bucket()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.OK, """{"data":[]}""");
        await client.GetEventsStatsAsync(new StatsQuery { YAxes = new[] { "count()" }, Interval = "1m", Query = "issue.id:1" }, CancellationToken.None);
        Assert.Contains("partial=1", stub.Requests[0].RequestUri!.Query);
    }

    [Fact]
    public async Task No_committers_is_an_empty_list_not_an_error()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.NotFound, """{"detail":"No committers found"}""");
        Assert.Empty(await client.GetSuspectCommitsAsync("web", "abc", CancellationToken.None));
    }

    [Fact]
    public async Task Activity_falls_back_to_the_issue_detail_when_the_private_route_is_missing()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.NotFound, """{"detail":"The requested resource does not exist"}""")
            .ThenJson(HttpStatusCode.OK, """{"id":"4123","activity":[{"id":"7","type":"note","user":{"name":"Ada"},"data":{"text":"rolling back"},"dateCreated":"2026-01-07T08:10:00Z"}]}""");
        SentryActivity note = Assert.Single(await client.GetIssueActivityAsync("4123", CancellationToken.None));
        Assert.Equal("rolling back", note.Text);
        Assert.Equal("Ada", note.User);
        Assert.EndsWith("/issues/4123/", stub.Requests[1].RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task A_missing_event_says_which_issue_and_event()
    {
        var (client, stub, _, _) = ClientFixture.Create();
        stub.ThenJson(HttpStatusCode.NotFound, """{"detail":"Event not found"}""");
        var error = await Assert.ThrowsAsync<SentryRunbook.Errors.SentryApiException>(() => client.GetIssueEventAsync("WEB-1", "latest", new[] { "production" }, CancellationToken.None));
        Assert.Equal("SentryEventNotFound", error.ErrorId);
        Assert.Contains("WEB-1", error.Message);
        Assert.Contains("production", error.Message);
    }
}

using System.Net;
using System.Text;
using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// The routes real clients (sentry-cli, Sentry's MCP server) call beyond the runbook's own: who am I, teams,
/// project keys, environments, repositories, release updates, project events, event-id lookup, cron
/// monitors, Seer without Seer, and Discover sorts by function alias. Bodies are checked against the
/// official schema where it covers them and against the store.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ClientRouteTests(SandboxFixture sandbox)
{
    private static void AssertValid(string operationId, JsonElement body)
    {
        var errors = OpenApiValidator.Validate(operationId, body);
        Assert.True(errors.Count == 0, operationId + ":\n" + string.Join("\n", errors.Take(20)));
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> Send(HttpMethod method, string relative, string? json = null)
    {
        using var request = new HttpRequestMessage(method, sandbox.Host.BaseUri + relative);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await sandbox.Client.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response, doc.RootElement.Clone());
    }

    [Fact]
    public async Task Auth_IsTheTokensUser()
    {
        var (response, body) = await sandbox.GetJson("/api/0/auth/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox@example.com", body.GetProperty("email").GetString());
        using var anonymous = new HttpClient();
        var (denied, _) = await sandbox.GetJson("/api/0/auth/", anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    [Fact]
    public async Task Teams_ListTheProjectsTeam_AndMatchSchema()
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/teams/");
        AssertValid("listOrganizationTeams", body);
        // backend has every project; mobile none (Sentry refuses to assign issues to a team without access to their project).
        Assert.Equal(["backend", "mobile"], body.EnumerateArray().Select(t => t.GetProperty("slug").GetString()!).ToArray());
        Assert.Empty(body[1].GetProperty("projects").EnumerateArray());
        var team = body[0];
        Assert.Equal(["api", "web", "worker"], team.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("slug").GetString()!).ToArray());
    }

    [Fact]
    public async Task ProjectKeys_CarryTheDsnSdksUse()
    {
        var (_, body) = await sandbox.GetJson("/api/0/projects/acme/web/keys/");
        AssertValid("listProjectKeys", body);
        Assert.Equal(sandbox.Host.Dsn, Assert.Single(body.EnumerateArray()).GetProperty("dsn").GetProperty("public").GetString());
        var (missing, _) = await sandbox.GetJson("/api/0/projects/acme/nope/keys/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Environments_AreThoseEventsWereSeenIn()
    {
        var (_, org) = await sandbox.GetJson("/api/0/organizations/acme/environments/");
        AssertValid("listOrganizationEnvironments", org);
        Assert.Equal(["production", "staging"], org.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
        var (_, project) = await sandbox.GetJson("/api/0/projects/acme/web/environments/");
        AssertValid("listProjectEnvironments", project);
        var expected = sandbox.Host.State.Store.EnvironmentsOf(sandbox.Host.State.Store.FindProject("web")!);
        Assert.Equal(expected, project.EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray());
    }

    [Fact]
    public async Task Repos_ListRepositoriesWithCommits()
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/repos/");
        AssertValid("listOrganizationRepos", body);
        Assert.Contains("acme/web", body.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task ReleaseUpdate_FinalizesAndSetsCommits()
    {
        var version = "compat-" + Guid.NewGuid().ToString("N")[..8];
        var (created, _) = await Send(HttpMethod.Post, "/api/0/organizations/acme/releases/", $$"""{"version":"{{version}}","projects":["web"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var (finalized, body) = await Send(HttpMethod.Put, $"/api/0/organizations/acme/releases/{version}/", """{"dateReleased":"2026-11-30T12:00:00Z","ref":"main"}""");
        Assert.Equal(HttpStatusCode.OK, finalized.StatusCode);
        AssertValid("updateOrganizationRelease", body);
        Assert.Equal("2026-11-30T12:00:00Z", body.GetProperty("dateReleased").GetString());
        Assert.Equal("main", body.GetProperty("ref").GetString());

        var (withCommits, commits) = await Send(HttpMethod.Put, $"/api/0/organizations/acme/releases/{version}/",
            """{"commits":[{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","repository":"acme/web","message":"fix: totals","author_name":"Ada","author_email":"ada@acme.example","timestamp":"2026-11-30T11:00:00Z"}]}""");
        Assert.Equal(HttpStatusCode.OK, withCommits.StatusCode);
        Assert.Equal(1, commits.GetProperty("commitCount").GetInt32());
        Assert.Equal("fix: totals", commits.GetProperty("lastCommit").GetProperty("message").GetString());
        Assert.Equal("ada@acme.example", Assert.Single(commits.GetProperty("authors").EnumerateArray()).GetProperty("email").GetString());

        // refs name commits in repositories Sentry knows; an unknown repository is refused, nothing changes.
        var (refused, error) = await Send(HttpMethod.Put, $"/api/0/organizations/acme/releases/{version}/", """{"refs":[{"repository":"acme/nope","commit":"bbbbbbb"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("acme/nope", error.GetProperty("detail").GetString());
        Assert.Single(sandbox.Host.State.Store.CommitsOf(version));

        var (_, previous) = await sandbox.GetJson($"/api/0/organizations/acme/releases/{version}/previous-with-commits/");
        Assert.Equal("web@2.4.2", previous.GetProperty("version").GetString());
        var (missing, _) = await Send(HttpMethod.Put, "/api/0/organizations/acme/releases/no-such-release/", "{}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ProjectEvents_AreTheProjectsNewestFirst_AndEventIdsResolve()
    {
        var (response, body) = await sandbox.GetJson("/api/0/projects/acme/api/events/?per_page=5");
        AssertValid("listProjectEvents", body);
        Assert.Equal(5, body.GetArrayLength());
        Assert.All(body.EnumerateArray(), e => Assert.Equal("2", e.GetProperty("projectID").GetString()));
        var dates = body.EnumerateArray().Select(e => DateTimeOffset.Parse(e.GetProperty("dateCreated").GetString()!)).ToList();
        Assert.Equal(dates.OrderByDescending(d => d), dates);
        Assert.Contains("rel=\"next\"; results=\"true\"", SandboxFixture.Header(response, "Link"));

        var id = body[0].GetProperty("eventID").GetString()!;
        var (_, resolved) = await sandbox.GetJson($"/api/0/organizations/acme/eventids/{id}/");
        AssertValid("resolveOrganizationEventId", resolved);
        Assert.Equal("api", resolved.GetProperty("projectSlug").GetString());
        Assert.Equal(body[0].GetProperty("groupID").GetString(), resolved.GetProperty("groupId").GetString());
        var (missing, _) = await sandbox.GetJson($"/api/0/organizations/acme/eventids/{new string('f', 32)}/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Monitors_ListSeededCrons_WithTheirCheckIns()
    {
        var (_, body) = await sandbox.GetJson("/api/0/organizations/acme/monitors/");
        // Sorted by name; other tests may add their own monitors, so look at the seeded ones.
        var seeded = body.EnumerateArray().Where(m => !m.GetProperty("slug").GetString()!.StartsWith("compat-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["billing-sync", "cache-warmup", "invoice-export", "nightly-report"], seeded.Select(m => m.GetProperty("slug").GetString()!).ToArray());
        // The published schema types `environments` as one object and an interval schedule as integers only;
        // Sentry returns a list of environments and `[1, "hour"]` (MonitorSerializer, the monitor's stored config).
        foreach (var monitor in seeded)
        {
            var environments = monitor.GetProperty("environments");
            Assert.Equal(JsonValueKind.Array, environments.ValueKind);
            var text = monitor.GetRawText().Replace(environments.GetRawText(), environments[0].GetRawText());
            var schedule = monitor.GetProperty("config").GetProperty("schedule");
            if (schedule.ValueKind == JsonValueKind.Array)
            {
                Assert.Equal([JsonValueKind.Number, JsonValueKind.String], schedule.EnumerateArray().Select(x => x.ValueKind).ToArray());
                text = text.Replace(schedule.GetRawText(), "\"interval\"");
            }
            using var single = JsonDocument.Parse($"[{text}]");
            AssertValid("listOrganizationMonitors", single.RootElement);
        }
        Assert.Equal("[1,\"hour\"]", seeded[0].GetProperty("config").GetProperty("schedule").GetRawText());
        var billing = body.EnumerateArray().Single(m => m.GetProperty("slug").GetString() == "billing-sync");
        Assert.Equal("error", billing.GetProperty("environments")[0].GetProperty("status").GetString());
        Assert.Equal("error", seeded[2].GetProperty("environments")[0].GetProperty("status").GetString());
        Assert.Equal("ok", seeded[3].GetProperty("environments")[0].GetProperty("status").GetString());

        var (_, checkIns) = await sandbox.GetJson("/api/0/organizations/acme/monitors/billing-sync/checkins/?per_page=3");
        var (_, cronCheckIns) = await sandbox.GetJson("/api/0/organizations/acme/monitors/cache-warmup/checkins/?per_page=3");
        AssertValid("listOrganizationMonitorCheckins", cronCheckIns); // a crontab schedule: the schema's integer-only interval typing does not apply
        Assert.Equal("error", checkIns[0].GetProperty("status").GetString());
        Assert.Equal("ok", checkIns[1].GetProperty("status").GetString());
        var (missing, _) = await sandbox.GetJson("/api/0/organizations/acme/monitors/nope/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task OutageIssues_AreRaisedFromMonitors_AsSentrysMonitorsRaiseThem()
    {
        var (_, crons) = await sandbox.GetJson("/api/0/organizations/acme/issues/?query=issue.category:cron");
        AssertValid("listOrganizationIssues", crons);
        var cron = Assert.Single(crons.EnumerateArray());
        Assert.Equal(("monitor_check_in_failure", "cron", "generic", "", "high"),
            (cron.GetProperty("issueType").GetString(), cron.GetProperty("issueCategory").GetString(), cron.GetProperty("type").GetString(), cron.GetProperty("culprit").GetString(), cron.GetProperty("priority").GetString()));
        Assert.Equal("Monitor failure: Nightly invoice export", cron.GetProperty("title").GetString());
        var (_, latest) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{cron.GetProperty("id").GetString()}/events/latest/");
        AssertValid("getOrganizationIssueEvent", latest);
        string Tag(JsonElement e, string key) => e.GetProperty("tags").EnumerateArray().Single(t => t.GetProperty("key").GetString() == key).GetProperty("value").GetString()!;
        Assert.Equal("invoice-export", Tag(latest, "monitor.slug"));
        Assert.Equal("A missed check-in was detected", latest.GetProperty("occurrence").GetProperty("evidenceDisplay")[0].GetProperty("value").GetString());
        // The issue is the monitor's missed run: its newest check-in, due before the issue was first seen.
        var (_, checkIns) = await sandbox.GetJson("/api/0/organizations/acme/monitors/invoice-export/checkins/?per_page=2");
        Assert.Equal(["missed", "ok"], checkIns.EnumerateArray().Select(c => c.GetProperty("status").GetString()!).ToArray());
        Assert.True(checkIns[0].GetProperty("expectedTime").GetDateTimeOffset() < cron.GetProperty("firstSeen").GetDateTimeOffset());

        var (_, uptimes) = await sandbox.GetJson("/api/0/organizations/acme/issues/?query=issue.type:uptime_domain_failure");
        var uptime = Assert.Single(uptimes.EnumerateArray());
        Assert.Equal("uptime", uptime.GetProperty("issueCategory").GetString());
        Assert.StartsWith("Downtime detected for https://", uptime.GetProperty("title").GetString());
        var (_, upEvent) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{uptime.GetProperty("id").GetString()}/events/latest/");
        var id = Tag(upEvent, "uptime_rule");
        var (_, monitor) = await sandbox.GetJson($"/api/0/projects/acme/api/uptime/{id}/");
        Assert.Equal(uptime.GetProperty("title").GetString(), "Downtime detected for " + monitor.GetProperty("url").GetString());
        Assert.Equal(2, monitor.GetProperty("uptimeStatus").GetInt32());
        var (_, checks) = await sandbox.GetJson($"/api/0/projects/acme/api/uptime/{id}/checks/?per_page=100");
        var statuses = checks.EnumerateArray().Select(c => c.GetProperty("checkStatus").GetString()!).ToArray();
        // Newest first: failures in the incident, the two before the threshold plain failures, then successes.
        int failing = statuses.TakeWhile(s => s.StartsWith("failure", StringComparison.Ordinal)).Count();
        Assert.Equal(["failure", "failure", "success"], statuses.Skip(failing - 2).Take(3).ToArray());
        Assert.All(statuses.Take(failing - 2), s => Assert.Equal("failure_incident", s));
        Assert.Equal(503, checks[0].GetProperty("httpStatusCode").GetInt32());

        var (_, outages) = await sandbox.GetJson("/api/0/organizations/acme/issues/?query=issue.category:outage");
        Assert.Equal(2, outages.GetArrayLength());
        var (none, _) = await sandbox.GetJson("/api/0/projects/acme/api/uptime/999/");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task CheckInEnvelopes_UpsertTheMonitor_AndCompleteTheRun()
    {
        var slug = "compat-" + Guid.NewGuid().ToString("N")[..8];
        var id = Guid.NewGuid().ToString("N");
        string Item(string status, string extra) =>
            $$"""{"type":"check_in"}""" + "\n" + $$"""{"check_in_id":"{{id}}","monitor_slug":"{{slug}}","status":"{{status}}","environment":"rehearsal"{{extra}}}""" + "\n";
        var config = ""","monitor_config":{"schedule":{"type":"crontab","value":"*/5 * * * *"},"checkin_margin":1,"max_runtime":10}""";
        await IngestClient.Envelope(sandbox.Host, "{}\n" + Item("in_progress", config));
        await IngestClient.Envelope(sandbox.Host, "{}\n" + Item("ok", ",\"duration\":2.5"));

        var (_, monitor) = await sandbox.GetJson($"/api/0/organizations/acme/monitors/{slug}/");
        Assert.Equal("*/5 * * * *", monitor.GetProperty("config").GetProperty("schedule").GetString());
        Assert.Equal("ok", monitor.GetProperty("environments")[0].GetProperty("status").GetString());
        var (_, checkIns) = await sandbox.GetJson($"/api/0/projects/acme/web/monitors/{slug}/checkins/");
        var checkIn = Assert.Single(checkIns.EnumerateArray());
        Assert.Equal(2500, checkIn.GetProperty("duration").GetInt64());
        Assert.Equal("rehearsal", checkIn.GetProperty("environment").GetString());

        // No config and no such monitor: dropped, as Relay does.
        await IngestClient.Envelope(sandbox.Host, "{}\n" + $$"""{"type":"check_in"}""" + "\n" + """{"monitor_slug":"never-configured","status":"ok"}""" + "\n");
        var (missing, _) = await sandbox.GetJson("/api/0/organizations/acme/monitors/never-configured/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Seer_AnswersAsForAnOrganizationWithoutSeer()
    {
        var (state, body) = await sandbox.GetJson("/api/0/organizations/acme/issues/WEB-1/autofix/");
        Assert.Equal(HttpStatusCode.OK, state.StatusCode);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("autofix").ValueKind);
        var (start, refused) = await Send(HttpMethod.Post, "/api/0/organizations/acme/issues/WEB-1/autofix/", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Contains("Seer is not enabled", refused.GetProperty("detail").GetString());
        // An issue the scenario gives no summary to: as an organization without Seer.
        var (summary, notEnabled) = await Send(HttpMethod.Post, "/api/0/organizations/acme/issues/API-1/summarize/", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, summary.StatusCode);
        Assert.Contains("Seer is not enabled", notEnabled.GetProperty("detail").GetString());
        var (missing, _) = await sandbox.GetJson("/api/0/organizations/acme/issues/NOPE-1/autofix/");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Seer_SummarizesAnIssueTheScenarioGivesASummaryTo_InSentrysCamelCasedShape()
    {
        var (response, body) = await Send(HttpMethod.Post, "/api/0/organizations/acme/issues/WEB-1/summarize/", "{}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = sandbox.Host.State.Store.FindByShortId("WEB-1")!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(id, body.GetProperty("groupId").GetString());
        Assert.Contains("Stripe", body.GetProperty("headline").GetString());
        Assert.Contains("pinned", body.GetProperty("possibleCause").GetString());
        Assert.Equal(0.82, body.GetProperty("scores").GetProperty("possibleCauseConfidence").GetDouble());
        Assert.Equal(0.71, body.GetProperty("scores").GetProperty("fixabilityScore").GetDouble());
        var (_, issue) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{id}/");
        Assert.Equal(0.71, issue.GetProperty("seerFixabilityScore").GetDouble());
    }

    [Fact]
    public async Task Trace_ArrangesSpansByParent_WithErrorsOnTheirSpan()
    {
        var trace = Guid.NewGuid().ToString("N");
        var t0 = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeMilliseconds() / 1000.0;
        string At(double seconds) => (t0 + seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var transaction = $$$"""{"type":"transaction","event_id":"{{{Guid.NewGuid():N}}}","transaction":"GET /checkout","start_timestamp":{{{At(0)}}},"timestamp":{{{At(1)}}},"contexts":{"trace":{"trace_id":"{{{trace}}}","span_id":"aaaaaaaaaaaaaaaa","op":"http.server"}},"spans":[{"span_id":"bbbbbbbbbbbbbbbb","parent_span_id":"aaaaaaaaaaaaaaaa","trace_id":"{{{trace}}}","op":"db","description":"SELECT total","start_timestamp":{{{At(0.1)}}},"timestamp":{{{At(0.4)}}}}]}""";
        var error = $$$"""{"event_id":"{{{Guid.NewGuid():N}}}","timestamp":{{{At(0.3)}}},"exception":{"values":[{"type":"TimeoutError","value":"query took too long"}]},"contexts":{"trace":{"trace_id":"{{{trace}}}","span_id":"bbbbbbbbbbbbbbbb"} } }""";
        await IngestClient.Envelope(sandbox.Host, $"{{}}\n{{\"type\":\"transaction\"}}\n{transaction}\n");
        await IngestClient.Envelope(sandbox.Host, $"{{}}\n{{\"type\":\"event\"}}\n{error}\n");

        var (_, meta) = await sandbox.GetJson($"/api/0/organizations/acme/trace-meta/{trace}/");
        AssertValid("getOrganizationTraceMeta", meta);
        Assert.Equal(2, meta.GetProperty("spansCount").GetInt32());
        Assert.Equal(1, meta.GetProperty("errorsCount").GetInt32());

        var (_, tree) = await sandbox.GetJson($"/api/0/organizations/acme/trace/{trace}/");
        AssertValid("getOrganizationTrace", tree);
        var root = Assert.Single(tree.EnumerateArray());
        Assert.Equal("aaaaaaaaaaaaaaaa", root.GetProperty("event_id").GetString());
        Assert.True(root.GetProperty("is_transaction").GetBoolean());
        var child = Assert.Single(root.GetProperty("children").EnumerateArray());
        Assert.Equal("SELECT total", child.GetProperty("description").GetString());
        Assert.Equal("TimeoutError: query took too long", Assert.Single(child.GetProperty("errors").EnumerateArray()).GetProperty("description").GetString());
        Assert.Empty(root.GetProperty("errors").EnumerateArray());

        var (_, unknown) = await sandbox.GetJson($"/api/0/organizations/acme/trace/{new string('0', 32)}/");
        Assert.Equal(0, unknown.GetArrayLength());
        var (bad, _) = await sandbox.GetJson("/api/0/organizations/acme/trace/not-a-trace/");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [InlineData("-count", "count()")]
    [InlineData("-count_unique_user", "count_unique(user)")]
    public async Task DiscoverSort_AcceptsTheFunctionAlias(string sort, string column)
    {
        var (response, body) = await sandbox.GetJson($"/api/0/organizations/acme/events/?dataset=errors&field=title&field=count()&field=count_unique(user)&sort={sort}&statsPeriod=24h&per_page=10");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var values = body.GetProperty("data").EnumerateArray().Select(r => r.GetProperty(column).GetDouble()).ToList();
        Assert.True(values.Count > 1);
        Assert.Equal(values.OrderByDescending(v => v), values);
        Assert.Equal("count_unique_user", SentryRunbook.Sandbox.Routes.DiscoverRoutes.FunctionAlias("count_unique(user)"));
        Assert.Equal("p95_transaction_duration", SentryRunbook.Sandbox.Routes.DiscoverRoutes.FunctionAlias("p95(transaction.duration)"));
    }
}

using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

/// <summary>Clustering issues into incidents by cited evidence, without Sentry.</summary>
public class IncidentGrouperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly SentryDeploy Deploy = new("1", "shop@2", "production", null, null, Now.AddMinutes(-33), Now.AddMinutes(-32));

    private static IncidentCandidate Candidate(string id, double firstSeenMinutesAgo, string? release = null, bool afterDeploy = false, string? host = null, string? transaction = null)
    {
        var issue = new SentryIssue(id, "P-" + id, "Error " + id, transaction, "error", "unresolved", "new", "web", "1", "javascript",
            Now.AddMinutes(-firstSeenMinutesAgo), Now, 10, 2, null, null, null, false, null, Array.Empty<IssueStatPoint>(), hasReleaseDetails: false);
        return new IncidentCandidate(issue)
        {
            FirstRelease = release,
            Deploy = afterDeploy ? Deploy : null,
            FailingHosts = host is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [host] = "POST " + host + "/v1 -> 503" },
            Transaction = transaction,
        };
    }

    private static readonly IReadOnlyDictionary<(string, string), SharedTraces> NoTraces = new Dictionary<(string, string), SharedTraces>();

    [Fact]
    public void Issues_first_seen_in_one_release_shortly_after_its_deploy_are_one_incident_with_the_deploy_cited()
    {
        var clusters = IncidentGrouper.Group(new[]
        {
            Candidate("1", 30, "shop@2", afterDeploy: true),
            Candidate("2", 25, "shop@2", afterDeploy: true),
            Candidate("3", 29, "shop@1"), // another release, close start: not tied
        }, NoTraces);

        Assert.Equal(2, clusters.Count);
        Assert.Equal(new[] { "1", "2" }, clusters[0].Members.Select(m => m.Issue.Id));
        var reason = clusters[0].Reasons[0];
        Assert.Contains(IncidentEvidenceKinds.Deploy, reason.Kinds);
        Assert.Contains(reason.Evidence, e => e.Contains("in shop@2, 2 min after its deploy to production"));
        Assert.Contains(IncidentEvidenceKinds.CloseStart, reason.Kinds);
        Assert.Empty(clusters[1].Reasons[0].Kinds);
    }

    [Fact]
    public void An_issue_first_seen_long_after_the_deploy_is_not_tied_by_it()
    {
        var late = Candidate("2", 5, "shop@2");
        late.Deploy = Deploy; // 27 min after the deploy: outside the default 15 minutes
        var clusters = IncidentGrouper.Group(new[] { Candidate("1", 30, "shop@2", afterDeploy: true), late }, NoTraces);
        Assert.Equal(2, clusters.Count);
        var wide = IncidentGrouper.Group(new[] { Candidate("1", 30, "shop@2", afterDeploy: true), late }, NoTraces, IncidentPolicy.FromOverrides(new System.Collections.Hashtable { ["IncidentDeployWindowMinutes"] = 30 }));
        Assert.Single(wide);
    }

    [Fact]
    public void The_same_failing_host_ties_issues_across_projects_and_ties_are_transitive()
    {
        var clusters = IncidentGrouper.Group(new[]
        {
            Candidate("1", 50, host: "api.pay.example"),
            Candidate("2", 20, host: "api.pay.example"),
            Candidate("3", 49, host: "cdn.other.example"),
        }, new Dictionary<(string, string), SharedTraces> { [IncidentGrouper.Key("3", "2")] = new SharedTraces(5, "abc") });

        var one = Assert.Single(clusters);
        Assert.Equal(3, one.Members.Count);
        Assert.Contains(one.Reasons.Single(r => r.IssueId == "1").Evidence, e => e.StartsWith("Calls to api.pay.example fail: POST api.pay.example/v1 -> 503"));
        Assert.Contains(one.Reasons.Single(r => r.IssueId == "3").Evidence, e => e == "Shares 5 trace(s) with P-2 (e.g. abc)");
    }

    [Fact]
    public void A_close_start_alone_never_ties_and_too_few_shared_traces_do_not_either()
    {
        var clusters = IncidentGrouper.Group(new[] { Candidate("1", 30), Candidate("2", 29) },
            new Dictionary<(string, string), SharedTraces> { [IncidentGrouper.Key("1", "2")] = new SharedTraces(1, "t") });
        Assert.Equal(2, clusters.Count);
    }

    [Fact]
    public void The_same_transaction_ties_only_issues_that_started_close_together()
    {
        Assert.Single(IncidentGrouper.Group(new[] { Candidate("1", 30, transaction: "POST /checkout"), Candidate("2", 28, transaction: "POST /checkout") }, NoTraces));
        Assert.Equal(2, IncidentGrouper.Group(new[] { Candidate("1", 300, transaction: "POST /checkout"), Candidate("2", 28, transaction: "POST /checkout") }, NoTraces).Count);
    }

    [Fact]
    public void Minimum_evidence_two_needs_a_second_kind()
    {
        var policy = IncidentPolicy.FromOverrides(new System.Collections.Hashtable { ["IncidentMinimumEvidence"] = 2 });
        // Same host only, far apart: one kind.
        Assert.Equal(2, IncidentGrouper.Group(new[] { Candidate("1", 300, host: "h.example"), Candidate("2", 20, host: "h.example") }, NoTraces, policy).Count);
        // Same host and close starts: two.
        Assert.Single(IncidentGrouper.Group(new[] { Candidate("1", 25, host: "h.example"), Candidate("2", 20, host: "h.example") }, NoTraces, policy));
    }

    [Fact]
    public void The_incident_id_depends_on_the_members_only()
    {
        Assert.Equal(SentryIncident.IdOf(new[] { "2", "1", "3" }), SentryIncident.IdOf(new[] { "3", "2", "1", "1" }));
        Assert.NotEqual(SentryIncident.IdOf(new[] { "1", "2" }), SentryIncident.IdOf(new[] { "1", "2", "3" }));
        Assert.Matches("^INC-[0-9a-f]{10}$", SentryIncident.IdOf(new[] { "1" }));
    }

    [Fact]
    public void Failing_hosts_come_from_5xx_and_timeouts_in_breadcrumbs_and_from_tags_of_an_upstream_error()
    {
        var crumbs = new[]
        {
            new SentryBreadcrumb(Now, "http", "httplib", "info", null, new Dictionary<string, string> { ["url"] = "https://files.acme.example/t", ["method"] = "GET", ["status_code"] = "200" }),
            new SentryBreadcrumb(Now, "http", "httplib", "error", null, new Dictionary<string, string> { ["url"] = "https://api.pay.example/v1/charges", ["method"] = "POST", ["status_code"] = "503" }),
            new SentryBreadcrumb(Now, "http", "httplib", "error", "POST https://api.pay.example/v1/refunds timed out", new Dictionary<string, string>()),
            new SentryBreadcrumb(Now, "http", "httplib", "error", null, new Dictionary<string, string> { ["url"] = "http://localhost/health", ["status_code"] = "500" }),
        };
        var ev = Event(crumbs, new Dictionary<string, string> { ["upstream.host"] = "api.pay.example", ["browser"] = "Chrome" }, "HTTPError: 503 Server Error");
        var hosts = UpstreamHosts.Failing(ev, IncidentPolicy.Default);
        var only = Assert.Single(hosts);
        Assert.Equal("api.pay.example", only.Key);
        Assert.Equal("POST api.pay.example/v1/charges -> 503; call api.pay.example/v1/refunds -> timeout; tag upstream.host=api.pay.example", only.Value);

        // A tag naming a host is not a failure by itself.
        Assert.Empty(UpstreamHosts.Failing(Event(Array.Empty<SentryBreadcrumb>(), new Dictionary<string, string> { ["upstream.host"] = "api.pay.example" }, "KeyError: 'total'"), IncidentPolicy.Default));
    }

    private static SentryEvent Event(IReadOnlyList<SentryBreadcrumb> crumbs, IReadOnlyDictionary<string, string> tags, string title) =>
        new("e1", "1", "1", Now, title, null, "python", null, "production", null, Array.Empty<SentryExceptionInfo>(), crumbs, tags, null,
            new Dictionary<string, IReadOnlyDictionary<string, string>>(), new Dictionary<string, string>(), null, null);
}

using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Rendering;

/// <summary>One message for an incident of many issues: the members listed, escaped, one dedup key.</summary>
public class IncidentMessageFromIncidentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue(int n, string title) =>
        new(n.ToString(), "WEB-" + n, title, null, "error", "unresolved", "new", "web", "1", "javascript", Now.AddMinutes(-30 + n), Now, 10, 2,
            "https://acme.sentry.io/issues/" + n + "/", null, null, false, null, Array.Empty<IssueStatPoint>());

    private static SentryIncident Incident(int members)
    {
        var issues = Enumerable.Range(1, members).Select(n => Issue(n, n == 1 ? "<script>alert(1)</script> *bold* <!here>" : "Error " + n)).ToList();
        var impact = new IncidentImpact("x", null, Now.AddMinutes(-29), Now, 500, 40, null, null, null, null, null, new[] { "production" }, new[] { "shop@2" }, Array.Empty<ImpactQuery>(), null, Array.Empty<string>());
        return new SentryIncident(issues, "Deploy of shop@2: " + members + " new issues in web", issues[0], "P1", "WEB-1", null, PatternNames.DeploymentRegression,
            issues.Select(i => new IncidentMemberReason(i.Id, i.ShortId, new[] { "Deploy" }, new[] { "First seen in shop@2, 2 min after its deploy" })).ToList(),
            new[] { "shop@2" }, new[] { "production" }, impact);
    }

    [Fact]
    public void Lists_the_members_with_the_incident_impact_and_escapes_their_titles()
    {
        SentryIncident incident = Incident(12);
        IncidentMessage message = IncidentMessages.Build(IncidentMessages.FromIncident(incident, "Initial", null, Now));
        Assert.Equal(12, message.Members.Count);
        Assert.Equal("P1", message.Severity);
        Assert.Contains("Issues (12): WEB-1: ", message.Text);
        Assert.Contains("; and 2 more", message.Text);
        Assert.Contains("40 users hit errors", message.Text);
        Assert.Contains("across 12 issue(s)", message.Text);
        Assert.DoesNotContain("<script>", message.SlackPayload);
        Assert.DoesNotContain("<!here>", message.SlackPayload);
        Assert.False(MarkdownProbe.HasHtml(message.Markdown), message.Markdown);
        Assert.Contains("WEB-10: Error 10", message.Text);
        Assert.DoesNotContain("WEB-11:", message.Text);
    }

    [Fact]
    public void Every_message_of_one_incident_shares_the_dedup_key_and_another_incident_does_not()
    {
        SentryIncident incident = Incident(3);
        string Key(string kind, SentryIncident i) => IncidentMessages.Build(new Func<MessageRequest>(() => { var r = IncidentMessages.FromIncident(i, kind, null, Now); r.Organization = "acme"; return r; })()).DedupKey;
        Assert.Equal(Key("Initial", incident), Key("Resolution", incident));
        Assert.Equal(Key("Initial", incident), Key("Update", Incident(3)));
        Assert.NotEqual(Key("Initial", incident), Key("Initial", Incident(4)));
        Assert.Contains(incident.Id.Substring(4), Key("Initial", incident));
        Assert.Contains("Deployment regression", IncidentMessages.Build(IncidentMessages.FromIncident(incident, "Resolution", null, Now)).Text);
    }
}

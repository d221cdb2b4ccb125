using System.Text;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Postmortem;

/// <summary>
/// The postmortem of each seed incident, in both formats, against the files in Postmortem/golden.
/// SENTRYRUNBOOK_UPDATE_GOLDEN=1 rewrites them in the source tree instead (review the diff by eye).
/// </summary>
public class PostmortemGoldenTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string incident in PostmortemFixtures.Incidents)
        {
            data.Add(incident, "md");
            data.Add(incident, "html");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Postmortem_matches_its_golden_file(string incident, string extension)
    {
        PostmortemInput input = PostmortemFixtures.Build(incident);
        string actual = extension == "md" ? Postmortems.Markdown(input).Content : Postmortems.Html(input).Content;
        string file = incident + ".postmortem." + extension;

        if (Environment.GetEnvironmentVariable("SENTRYRUNBOOK_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceGoldenDirectory(), file), actual, new UTF8Encoding(false));
            return;
        }

        string path = Path.Combine(AppContext.BaseDirectory, "Postmortem", "golden", file);
        Assert.True(File.Exists(path), $"Missing golden file {file}; run the tests once with SENTRYRUNBOOK_UPDATE_GOLDEN=1 and review it.");
        Assert.Equal(File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n"), actual);
    }

    [Fact]
    public void Output_is_deterministic_and_carries_the_issue()
    {
        PostmortemInput input = PostmortemFixtures.Build("payment");
        var a = Postmortems.Markdown(input);
        var b = Postmortems.Markdown(PostmortemFixtures.Build("payment"));
        Assert.Equal(a.Content, b.Content);
        Assert.Equal("Markdown", a.Format);
        Assert.Equal("Html", Postmortems.Html(input).Format);
        Assert.Equal("Incident Postmortem: PaymentProcessingError: Stripe webhook payload could not be parsed", a.Title);
        Assert.Equal("4504", a.IssueId);
        Assert.Equal("WEB-1", a.ShortId);
        Assert.Null(a.Path);
        var withPath = a.WithPath("/tmp/pm.md");
        Assert.Equal("/tmp/pm.md", withPath.Path);
        Assert.Equal(a.Content, withPath.Content);
    }

    [Theory]
    [InlineData("payment")]
    [InlineData("geocoding")]
    [InlineData("typeerror")]
    public void Every_section_is_present_in_both_formats(string incident)
    {
        PostmortemInput input = PostmortemFixtures.Build(incident);
        foreach (string content in new[] { Postmortems.Markdown(input).Content, Postmortems.Html(input).Content })
        {
            foreach (string section in new[] { "Timeline", "Impact (from Sentry Discover)", "Event rate", "Root Cause (5 Whys)", "Contributing factors", "Action Items", "Data" })
            {
                Assert.Contains(section, content);
            }

            Assert.Equal(3, CountOf(content, "TODO (team):") - (input.Triage.Patterns.Count == 0 ? 1 : 0));
            Assert.Contains("Owner: @owner", content.Replace("@carol", "@owner"));
        }
    }

    [Fact]
    public void Missing_data_is_said_visibly()
    {
        string md = Postmortems.Markdown(PostmortemFixtures.Build("typeerror")).Content;
        Assert.Contains("No event-rate data", md);
        Assert.Contains("the latest event could not be fetched", md);
        Assert.Contains("Not answerable from the breadcrumbs", md);
        Assert.Contains("not available: the impact could not be measured", md);
        Assert.Contains("**Sentry host:** _not recorded_", md);

        string geo = Postmortems.Markdown(PostmortemFixtures.Build("geocoding")).Content;
        Assert.Contains("_Not recorded in Sentry: issue resolved in Sentry (the issue is archived, not resolved)._", geo);
        Assert.Contains("ongoing: not resolved", geo);
        Assert.Contains("Crash-free sessions:** _not available: the project sent no sessions", geo);
        Assert.Contains("Add a circuit breaker and a fallback for `geo.example-maps.com`", geo);
        Assert.Contains("None: Sentry suspects no commit", geo);
    }

    [Fact]
    public void Impact_figures_name_their_query()
    {
        string md = Postmortems.Markdown(PostmortemFixtures.Build("geocoding")).Content;
        Assert.Contains("**Total events:** 180 — source: `count() — GET events/?dataset=errors&query=issue.id:4505&statsPeriod=24h → count()=180, count_unique(user)=40`", md);
        Assert.Contains("`count_unique(user) — GET events/?dataset=errors", md);
        Assert.Contains("`p95(span.duration) — GET events/?dataset=spans", md);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static string SourceGoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SentryRunbook.Tests.csproj"))) return Path.Combine(dir.FullName, "Postmortem", "golden");
        }

        throw new InvalidOperationException("The test project's source folder was not found above " + AppContext.BaseDirectory);
    }
}

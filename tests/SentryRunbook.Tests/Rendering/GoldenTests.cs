using System.Text;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Rendering;

/// <summary>
/// Every rendering of every kind, plain and hostile, against the files in Rendering/golden.
/// To rewrite the golden files after a deliberate change, run once with SENTRYRUNBOOK_UPDATE_GOLDEN=1
/// (for example <c>SENTRYRUNBOOK_UPDATE_GOLDEN=1 dotnet test tests/SentryRunbook.Tests</c>); the files are
/// then written into the source tree instead of compared. Review the diff by eye before committing it.
/// </summary>
public class GoldenTests
{
    private static readonly (string Name, string Extension, Func<IncidentMessage, string> Render)[] Renderings =
    {
        ("text", "txt", m => m.Text),
        ("markdown", "md", m => m.Markdown),
        ("slack", "json", m => m.SlackPayload),
        ("teams", "json", m => m.TeamsPayload),
        ("pagerduty", "json", m => m.PagerDutyPayload),
        ("webhook", "json", m => m.WebhookPayload),
    };

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string set in new[] { "plain", "hostile" })
        {
            foreach (string kind in MessageFixtures.Kinds)
            {
                foreach (var rendering in Renderings) data.Add(set, kind, rendering.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rendering_matches_its_golden_file(string set, string kind, string rendering)
    {
        var (_, extension, render) = Renderings.Single(r => r.Name == rendering);
        string actual = render(MessageFixtures.Build(set, kind));
        string file = (set == "hostile" ? "hostile-" : string.Empty) + kind.ToLowerInvariant() + "." + rendering + "." + extension;

        if (Environment.GetEnvironmentVariable("SENTRYRUNBOOK_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceGoldenDirectory(), file), actual, new UTF8Encoding(false));
            return;
        }

        string path = Path.Combine(AppContext.BaseDirectory, "Rendering", "golden", file);
        Assert.True(File.Exists(path), $"Missing golden file {file}; run the tests once with SENTRYRUNBOOK_UPDATE_GOLDEN=1 and review it.");
        string expected = File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n");
        Assert.Equal(expected, actual);
    }

    private static string SourceGoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SentryRunbook.Tests.csproj"))) return Path.Combine(dir.FullName, "Rendering", "golden");
        }

        throw new InvalidOperationException("The test project's source folder was not found above " + AppContext.BaseDirectory);
    }
}

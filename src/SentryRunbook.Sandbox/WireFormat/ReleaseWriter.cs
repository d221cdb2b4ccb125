using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>
/// Release and deploy bodies (listOrganizationReleases, getOrganizationRelease, createOrganizationRelease,
/// the deploy endpoints; REFERENCE.md §7): integer `id` and `projects[].id`, deploy ids as strings.
/// Call inside EventStore.Read.
/// </summary>
public sealed partial class ReleaseWriter(EventStore store)
{
    public JsonObject Release(Release r, ISet<string>? withSessions = null)
    {
        var joined = store.Organization.DateCreated;
        var deploys = store.DeploysOf(r.Version);
        var commits = store.CommitsOf(r.Version);
        var projects = store.Projects.Where(p => r.ProjectIds.Contains(p.Id)).OrderBy(p => p.Slug, StringComparer.Ordinal).ToList();
        var newGroups = store.Issues.Where(i => i.FirstRelease == r.Version).GroupBy(i => i.Project.Id).ToDictionary(g => g.Key, g => g.Count());
        withSessions ??= ReleasesWithSessions(store);
        return new JsonObject
        {
            ["id"] = r.Id,
            ["version"] = r.Version,
            ["shortVersion"] = r.ShortVersion,
            ["status"] = "open",
            ["versionInfo"] = VersionInfo(r.Version),
            ["ref"] = r.Ref,
            ["url"] = r.Url,
            ["dateCreated"] = Dates.Iso(r.DateCreated),
            ["dateReleased"] = r.DateReleased is { } released ? Dates.Iso(released) : null,
            ["firstEvent"] = r.FirstEvent is { } first ? Dates.Iso(first) : null,
            ["lastEvent"] = r.LastEvent is { } last ? Dates.Iso(last) : null,
            ["newGroups"] = r.NewGroups,
            ["owner"] = null,
            ["data"] = new JsonObject(),
            ["commitCount"] = commits.Count,
            ["lastCommit"] = commits.Count == 0 ? null : CommitWriter.WithAuthor(commits[0], joined),
            ["deployCount"] = deploys.Count,
            ["lastDeploy"] = deploys.Count == 0 ? null : Deploy(deploys[0]),
            ["authors"] = JsonOut.Array(commits.Select(c => c.Author).Where(a => a.Email.Length > 0).DistinctBy(a => a.Email).Select(a => (JsonNode?)CommitWriter.Author(a, joined))),
            ["projects"] = JsonOut.Array(projects.Select(p => (JsonNode?)new JsonObject
            {
                ["id"] = long.Parse(p.Id, CultureInfo.InvariantCulture),
                ["slug"] = p.Slug,
                ["name"] = p.Name,
                ["newGroups"] = newGroups.GetValueOrDefault(p.Id),
                ["platform"] = p.Platform,
                ["platforms"] = p.Platform is null ? new JsonArray() : JsonOut.Strings([p.Platform]),
                ["hasHealthData"] = withSessions.Contains(p.Id + "\n" + r.Version),
            })),
            ["currentProjectMeta"] = new JsonObject(),
            ["userAgent"] = null,
        };
    }

    /// <summary>"project id \n version" of every release with session data.</summary>
    public static HashSet<string> ReleasesWithSessions(EventStore store)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in store.SessionAggregates) if (a.Release is not null) set.Add(a.Project.Id + "\n" + a.Release);
        foreach (var s in store.LatestSessions.Values) if (s.Release is not null) set.Add(s.Project.Id + "\n" + s.Release);
        return set;
    }

    public static JsonObject Deploy(Deploy d) => new()
    {
        ["id"] = d.Id.ToString(CultureInfo.InvariantCulture),
        ["environment"] = d.Environment,
        ["name"] = d.Name,
        ["url"] = d.Url,
        ["dateStarted"] = d.DateStarted is { } started ? Dates.Iso(started) : null,
        ["dateFinished"] = Dates.Iso(d.DateFinished),
    };

    /// <summary>Sentry's parsed version: `package@version`, semver parts when the version is one.</summary>
    public static JsonObject VersionInfo(string version)
    {
        var at = version.IndexOf('@', StringComparison.Ordinal);
        var package = at > 0 ? version[..at] : null;
        var raw = at > 0 ? version[(at + 1)..] : version;
        var m = SemVer().Match(raw);
        JsonObject parsed = m.Success
            ? new JsonObject
            {
                ["raw"] = raw,
                ["major"] = Number(m.Groups["major"].Value),
                ["minor"] = Number(m.Groups["minor"].Value),
                ["patch"] = Number(m.Groups["patch"].Value),
                ["pre"] = m.Groups["pre"].Success ? m.Groups["pre"].Value : null,
                ["buildCode"] = m.Groups["build"].Success ? m.Groups["build"].Value : null,
                ["components"] = 3,
            }
            : new JsonObject { ["raw"] = raw };
        return new JsonObject
        {
            ["package"] = package,
            ["version"] = parsed,
            ["description"] = raw,
            ["buildHash"] = m.Success ? null : (raw.Length == 40 && raw.All(char.IsAsciiHexDigit) ? raw : null),
        };
    }

    private static JsonNode? Number(string digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(digits);

    [GeneratedRegex(@"^(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(-(?<pre>[0-9A-Za-z.-]+))?(\+(?<build>[0-9A-Za-z.-]+))?$")]
    private static partial Regex SemVer();
}

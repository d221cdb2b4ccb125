using System.Text.Json.Nodes;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.WireFormat;

/// <summary>Organization and project bodies (listOrganizations, getOrganization, listOrganizationProjects).</summary>
public sealed class OrganizationWriter(string baseUri, EventStore store)
{
    private static readonly string[] Features = ["event-attachments", "discover-basic", "global-views", "advanced-search", "issue-stream-search-query-builder"];
    private static readonly string[] Access = ["org:read", "project:read", "project:releases", "event:read", "event:write", "team:read", "member:read"];

    public JsonObject Summary()
    {
        var org = store.Organization;
        return new JsonObject
        {
            ["id"] = org.Id,
            ["slug"] = org.Slug,
            ["status"] = new JsonObject { ["id"] = "active", ["name"] = "active" },
            ["name"] = org.Name,
            ["dateCreated"] = Dates.Iso(org.DateCreated),
            ["isEarlyAdopter"] = false,
            ["require2FA"] = false,
            ["avatar"] = new JsonObject { ["avatarType"] = "letter_avatar", ["avatarUuid"] = null, ["avatarUrl"] = null },
            // The sandbox is its own region: both URLs point back at it so region discovery stays local.
            ["links"] = new JsonObject { ["organizationUrl"] = baseUri, ["regionUrl"] = baseUri },
            ["hasAuthProvider"] = false,
            ["allowMemberInvite"] = true,
            ["allowMemberProjectCreation"] = true,
            ["allowSuperuserAccess"] = false,
            ["features"] = JsonOut.Strings(Features),
        };
    }

    /// <summary>Detail = summary plus access, teams and projects (omitted with `detailed=0`).</summary>
    public JsonObject Detail(bool detailed)
    {
        var o = Summary();
        o["access"] = JsonOut.Strings(Access);
        o["onboardingTasks"] = new JsonArray();
        o["orgRole"] = "owner";
        o["isDefault"] = false;
        o["defaultRole"] = "member";
        if (detailed)
        {
            var teams = store.Projects.Select(p => p.Team).DistinctBy(t => t.Id);
            o["teams"] = JsonOut.Array(teams.Select(t => (JsonNode?)TeamRef(t)));
            o["projects"] = JsonOut.Array(store.Projects.Select(p => (JsonNode?)new JsonObject
            {
                ["id"] = p.Id,
                ["slug"] = p.Slug,
                ["name"] = p.Name,
                ["platform"] = p.Platform,
                ["dateCreated"] = Dates.Iso(p.DateCreated),
                ["isMember"] = true,
                ["hasAccess"] = true,
            }));
        }
        return o;
    }

    public JsonObject Project(Project p)
    {
        var (firstEvent, environments, latest) = store.Read(s =>
        {
            var issues = s.Issues.Where(i => i.Project.Id == p.Id).ToList();
            DateTimeOffset? first = issues.Count == 0 ? null : issues.Min(i => i.FirstSeen);
            return (first, s.EnvironmentsOf(p), s.Releases.Latest(p)?.Version);
        });
        var o = new JsonObject
        {
            ["id"] = p.Id,
            ["slug"] = p.Slug,
            ["name"] = p.Name,
            ["platform"] = p.Platform,
            ["dateCreated"] = Dates.Iso(p.DateCreated),
            ["isBookmarked"] = false,
            ["isMember"] = true,
            ["features"] = JsonOut.Strings(["releases", "minidump", "similarity-indexing"]),
            ["firstEvent"] = firstEvent is { } f ? Dates.Iso(f) : null,
            ["firstTransactionEvent"] = false,
            ["access"] = JsonOut.Strings(Access),
            ["hasAccess"] = true,
            ["team"] = TeamRef(p.Team),
            ["teams"] = new JsonArray(TeamRef(p.Team)),
            ["platforms"] = p.Platform is null ? new JsonArray() : JsonOut.Strings([p.Platform]),
            ["environments"] = JsonOut.Strings(environments),
            ["latestRelease"] = latest is null ? null : new JsonObject { ["version"] = latest },
            ["latestDeploys"] = null,
            ["isInternal"] = false,
            ["isPublic"] = false,
            ["avatar"] = new JsonObject { ["avatarType"] = "letter_avatar", ["avatarUuid"] = null, ["avatarUrl"] = null },
            ["color"] = "#3f70bf",
            ["status"] = "active",
        };
        foreach (var flag in ProjectFlags) o[flag] = flag == "hasSessions" && p.Platform == "javascript";
        return o;
    }

    private static readonly string[] ProjectFlags =
    [
        "hasFeedbacks", "hasFlags", "hasMinifiedStackTrace", "hasMonitors", "hasNewFeedbacks", "hasProfiles", "hasReplays",
        "hasSessions", "hasInsightsHttp", "hasInsightsDb", "hasInsightsAssets", "hasInsightsAppStart", "hasInsightsScreenLoad",
        "hasInsightsVitals", "hasInsightsCaches", "hasInsightsQueues", "hasInsightsAgentMonitoring", "hasInsightsMCP", "hasLogs",
        "hasTraceMetrics", "hasUserReports",
    ];

    private static JsonObject TeamRef(Team t) => new() { ["id"] = t.Id, ["name"] = t.Name, ["slug"] = t.Slug };
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Paging;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Releases and deploys (REFERENCE.md §7): list (org and project variants), detail, create (201/208),
/// deploy list and create. A deploy updates the release's lastDeploy/deployCount; it resolves nothing.
/// </summary>
public static class ReleaseRoutes
{
    private const string DateFormatError = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapGet("/api/0/organizations/{org}/releases/", context => List(context, state, projectRoute: false)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapGet("/api/0/projects/{org}/{project}/releases/", context => List(context, state, projectRoute: true)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapPost("/api/0/organizations/{org}/releases/", context => Create(context, state)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapGet("/api/0/organizations/{org}/releases/{version}/", context => Detail(context, state)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapPut("/api/0/organizations/{org}/releases/{version}/", context => Update(context, state)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapGet("/api/0/organizations/{org}/releases/{version}/previous-with-commits/", context => PreviousWithCommits(context, state)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapGet("/api/0/organizations/{org}/releases/{version}/deploys/", context => Deploys(context, state)).WithMetadata(RequiredScope.ProjectReleases);
        app.MapPost("/api/0/organizations/{org}/releases/{version}/deploys/", context => CreateDeploy(context, state)).WithMetadata(RequiredScope.ProjectReleases);
    }

    private static Task List(HttpContext context, SandboxState state, bool projectRoute)
    {
        var store = state.Store;
        var request = context.Request;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var projectIds = new HashSet<string>(StringComparer.Ordinal);
        if (projectRoute)
        {
            var project = store.FindProject(OrganizationRoutes.Route(context, "project"));
            if (project is null) return JsonOut.NotFound(context);
            projectIds.Add(project.Id);
        }
        foreach (var p in request.Query["project"])
        {
            if (p is null or "" or "-1") continue;
            var project = store.FindProject(p);
            if (project is null) return JsonOut.Detail(context, StatusCodes.Status403Forbidden, Messages.Forbidden);
            projectIds.Add(project.Id);
        }
        if (!PageRequest.TryRead(request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var environments = request.Query["environment"].OfType<string>().Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);
        var text = request.Query["query"].ToString();

        var writer = new ReleaseWriter(store);
        var (total, body) = store.Read(s =>
        {
            var matches = s.Releases.All
                .Where(r => projectIds.Count == 0 || r.ProjectIds.Overlaps(projectIds))
                .Where(r => environments.Count == 0 || r.Environments.Overlaps(environments) || s.DeploysOf(r.Version).Any(d => environments.Contains(d.Environment)))
                .Where(r => text.Length == 0 || r.Version.Contains(text, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(r => r.DateCreated).ThenByDescending(r => r.Sequence)
                .ToList();
            var sessions = ReleaseWriter.ReleasesWithSessions(s);
            return (matches.Count, JsonOut.Array(matches.Skip(page.Offset).Take(page.Size).Select(r => (JsonNode?)writer.Release(r, sessions))));
        });
        LinkHeader.Apply(context, state.BaseUri, page, total);
        return JsonOut.Write(context, body);
    }

    private static Release? Find(HttpContext context, SandboxState state) =>
        state.Store.IsOrganization(OrganizationRoutes.Route(context, "org"))
            ? state.Store.Read(s => s.Releases.Find(OrganizationRoutes.Route(context, "version")))
            : null;

    private static Task Detail(HttpContext context, SandboxState state)
    {
        var release = Find(context, state);
        if (release is null) return JsonOut.NotFound(context);
        return JsonOut.Write(context, state.Store.Read(s => new ReleaseWriter(s).Release(release)));
    }

    private static async Task Create(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org")))
        {
            await JsonOut.NotFound(context);
            return;
        }
        var root = await ReadObject(context);
        if (root is null) return;
        var errors = new JsonObject();
        var version = String(root.Value, "version", errors, required: true);
        if (version is not null && (version.Length > 200 || version.Contains('/') || version.Contains('\n') || version is "." or ".." or "latest"))
            IssueUpdate.Add(errors, "version", "Release with name " + version + " is not allowed");
        var projects = new List<Project>();
        if (!root.Value.TryGetProperty("projects", out var list) || list.ValueKind != JsonValueKind.Array)
            IssueUpdate.Add(errors, "projects", "This field is required.");
        else
        {
            foreach (var p in list.EnumerateArray())
            {
                var project = store.FindProject(p.ValueKind == JsonValueKind.String ? p.GetString()! : p.GetRawText());
                if (project is null)
                {
                    errors["projects"] = new JsonArray("Invalid project ids or slugs");
                    break;
                }
                projects.Add(project);
            }
            if (projects.Count == 0 && errors["projects"] is null) errors["projects"] = new JsonArray("Invalid project ids or slugs");
        }
        var reference = String(root.Value, "ref", errors, required: false);
        var url = String(root.Value, "url", errors, required: false);
        var released = Date(root.Value, "dateReleased", errors);
        if (errors.Count > 0)
        {
            await JsonOut.Write(context, errors, StatusCodes.Status400BadRequest);
            return;
        }

        var (release, created) = store.CreateRelease(version!, projects, DateTimeOffset.UtcNow, reference, url, released);
        var body = store.Read(s => new ReleaseWriter(s).Release(release));
        await JsonOut.Write(context, body, created ? StatusCodes.Status201Created : StatusCodes.Status208AlreadyReported);
    }

    /// <summary>
    /// updateOrganizationRelease: `ref`, `url`, `dateReleased` (sentry-cli's `releases finalize`), and the
    /// release's commits, either listed in `commits` or named by `refs` (`set-commits --commit repo@sha`).
    /// Sentry fetches a ref's commit details from the repository's integration; the sandbox has none, so a
    /// ref it has not seen before is recorded by sha alone (empty message and author).
    /// </summary>
    private static async Task Update(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var release = Find(context, state);
        if (release is null)
        {
            await JsonOut.NotFound(context);
            return;
        }
        var root = await ReadObject(context);
        if (root is null) return;
        var errors = new JsonObject();
        var reference = String(root.Value, "ref", errors, required: false);
        var url = String(root.Value, "url", errors, required: false);
        var released = Date(root.Value, "dateReleased", errors);
        var now = DateTimeOffset.UtcNow;
        var commits = new List<Commit>();
        if (root.Value.TryGetProperty("commits", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in list.EnumerateArray())
            {
                var id = c.ValueKind == JsonValueKind.Object ? String(c, "id", errors, required: true) : null;
                if (id is null)
                {
                    IssueUpdate.Add(errors, "commits", "Each commit needs an id.");
                    break;
                }
                var repoName = String(c, "repository", errors, required: false) ?? "unknown";
                var at = Date(c, "timestamp", errors) ?? now;
                var author = new CommitAuthor(String(c, "author_name", errors, required: false) ?? "", String(c, "author_email", errors, required: false) ?? "");
                commits.Add(new Commit(id, store.Repository(repoName, now), String(c, "message", errors, required: false) ?? "", author, at));
            }
        }
        if (root.Value.TryGetProperty("refs", out var refs) && refs.ValueKind == JsonValueKind.Array)
        {
            var unknown = new List<string>();
            foreach (var r in refs.EnumerateArray())
            {
                var repoName = r.ValueKind == JsonValueKind.Object ? String(r, "repository", errors, required: true) : null;
                var sha = r.ValueKind == JsonValueKind.Object ? String(r, "commit", errors, required: true) : null;
                if (repoName is null || sha is null) break;
                var repo = store.FindRepository(repoName);
                if (repo is null)
                {
                    unknown.Add(repoName);
                    continue;
                }
                commits.Add(store.FindCommit(repoName, sha) ?? new Commit(sha, repo, "", new CommitAuthor("", ""), now));
            }
            if (unknown.Count > 0)
            {
                await JsonOut.Detail(context, StatusCodes.Status400BadRequest, "Invalid repository names: " + string.Join(",", unknown));
                return;
            }
        }
        if (errors.Count > 0)
        {
            await JsonOut.Write(context, errors, StatusCodes.Status400BadRequest);
            return;
        }

        store.UpdateRelease(release, reference, url, released, root.Value.TryGetProperty("commits", out _) || root.Value.TryGetProperty("refs", out _) ? commits : null);
        await JsonOut.Write(context, store.Read(s => new ReleaseWriter(s).Release(release)));
    }

    /// <summary>The newest older release of the same projects that has commits (sentry-cli diffs against it); `{}` when none.</summary>
    private static Task PreviousWithCommits(HttpContext context, SandboxState state)
    {
        var release = Find(context, state);
        if (release is null) return JsonOut.NotFound(context);
        var body = state.Store.Read(s =>
        {
            var previous = s.Releases.All
                .Where(r => r != release && r.ProjectIds.Overlaps(release.ProjectIds) && s.Releases.IsNewer(release.Version, r.Version) && s.CommitsOf(r.Version).Count > 0)
                .OrderByDescending(r => r.DateCreated).ThenByDescending(r => r.Sequence)
                .FirstOrDefault();
            return previous is null ? new JsonObject() : new ReleaseWriter(s).Release(previous);
        });
        return JsonOut.Write(context, body);
    }

    private static Task Deploys(HttpContext context, SandboxState state)
    {
        var release = Find(context, state);
        if (release is null) return JsonOut.NotFound(context);
        if (!PageRequest.TryRead(context.Request, "per_page", out var page, out var error))
            return JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
        var deploys = state.Store.DeploysOf(release.Version);
        LinkHeader.Apply(context, state.BaseUri, page, deploys.Count);
        return JsonOut.Write(context, JsonOut.Array(deploys.Skip(page.Offset).Take(page.Size).Select(d => (JsonNode?)ReleaseWriter.Deploy(d))));
    }

    private static async Task CreateDeploy(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var release = Find(context, state);
        if (release is null)
        {
            await JsonOut.NotFound(context);
            return;
        }
        var root = await ReadObject(context);
        if (root is null) return;
        var errors = new JsonObject();
        var environment = String(root.Value, "environment", errors, required: true);
        if (environment is not null && (environment.Length > 64 || environment.Contains('/') || environment.Any(char.IsWhiteSpace)))
            IssueUpdate.Add(errors, "environment", "Invalid environment name");
        var name = String(root.Value, "name", errors, required: false);
        var url = String(root.Value, "url", errors, required: false);
        if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) IssueUpdate.Add(errors, "url", "Enter a valid URL.");
        var started = Date(root.Value, "dateStarted", errors);
        var finished = Date(root.Value, "dateFinished", errors);
        var projectIds = new List<string>();
        if (root.Value.TryGetProperty("projects", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var p in list.EnumerateArray())
            {
                var project = store.FindProject(p.ValueKind == JsonValueKind.String ? p.GetString()! : p.GetRawText());
                if (project is null || !release.ProjectIds.Contains(project.Id))
                {
                    errors["projects"] = new JsonArray("Invalid projects");
                    break;
                }
                projectIds.Add(project.Id);
            }
        }
        if (errors.Count > 0)
        {
            await JsonOut.Write(context, errors, StatusCodes.Status400BadRequest);
            return;
        }
        if (projectIds.Count == 0) projectIds.AddRange(store.Read(_ => release.ProjectIds.Order(StringComparer.Ordinal).ToList()));
        var deploy = store.AddDeploy(release, environment!, name, url, started, finished ?? DateTimeOffset.UtcNow, projectIds);
        await JsonOut.Write(context, ReleaseWriter.Deploy(deploy), StatusCodes.Status201Created);
    }

    private static async Task<JsonElement?> ReadObject(HttpContext context)
    {
        var text = await IssueMutationRoutes.ReadBody(context);
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc.RootElement.Clone();
            await JsonOut.Write(context, new JsonObject { ["non_field_errors"] = new JsonArray("Invalid data. Expected a dictionary.") }, StatusCodes.Status400BadRequest);
        }
        catch (JsonException ex)
        {
            await JsonOut.Detail(context, StatusCodes.Status400BadRequest, "JSON parse error - " + ex.Message);
        }
        return null;
    }

    private static string? String(JsonElement root, string name, JsonObject errors, bool required)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) IssueUpdate.Add(errors, name, "This field is required.");
            return null;
        }
        if (v.ValueKind != JsonValueKind.String || (required && v.GetString()!.Length == 0))
        {
            IssueUpdate.Add(errors, name, "This field may not be blank.");
            return null;
        }
        return v.GetString();
    }

    private static DateTimeOffset? Date(JsonElement root, string name, JsonObject errors)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, styles, out var at)) return at;
        IssueUpdate.Add(errors, name, DateFormatError);
        return null;
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Scenarios;
using SentryRunbook.Sandbox.Search;
using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// updateOrganizationIssue (single PUT → full base issue) and updateOrganizationIssues / the project
/// bulk PUT (→ delta body, 204 when nothing matched), REFERENCE.md §2.4–§2.5. Without `id` a bulk PUT
/// applies to the query's first 1000 matches, as Sentry does; with ids none of which exists it answers
/// 204, or — with the `bulkFallbackToSearch` option — falls back to that search like Sentry's
/// update_groups_with_search_fn.
/// </summary>
public static class IssueMutationRoutes
{
    public const int BulkMutationLimit = 1000;
    private const string DefaultQuery = "is:unresolved";

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapPut("/api/0/organizations/{org}/issues/{id}/", context => Single(context, state)).WithMetadata(RequiredScope.EventWrite);
        app.MapPut("/api/0/organizations/{org}/issues/", context => Bulk(context, state, projectRoute: false)).WithMetadata(RequiredScope.EventWrite);
        app.MapDelete("/api/0/organizations/{org}/issues/{id}/", context => Delete(context, state)).WithMetadata(RequiredScope.EventAdmin);
        app.MapPut("/api/0/projects/{org}/{project}/issues/", context => Bulk(context, state, projectRoute: true)).WithMetadata(RequiredScope.EventWrite);
    }

    private static async Task Single(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org")))
        {
            await JsonOut.NotFound(context);
            return;
        }
        var issue = store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id"));
        if (issue is null)
        {
            await JsonOut.NotFound(context);
            return;
        }
        var update = IssueUpdate.Parse(await ReadBody(context), out var errors);
        if (update is null)
        {
            await JsonOut.Write(context, errors, StatusCodes.Status400BadRequest);
            return;
        }
        var (status, body) = Apply(state, [issue], update, DateTimeOffset.UtcNow);
        if (status != StatusCodes.Status200OK)
        {
            await WriteResult(context, status, body);
            return;
        }
        await JsonOut.Write(context, store.Read(_ => state.Issues.Issue(issue)));
    }

    /// <summary>deleteOrganizationIssue: 202 once queued (REFERENCE.md §2.6); the sandbox deletes at once.</summary>
    private static async Task Delete(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var issue = store.IsOrganization(OrganizationRoutes.Route(context, "org")) ? store.FindByIdOrShortId(OrganizationRoutes.Route(context, "id")) : null;
        if (issue is null || !store.Delete(issue))
        {
            await JsonOut.NotFound(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }

    private static async Task Bulk(HttpContext context, SandboxState state, bool projectRoute)
    {
        var store = state.Store;
        var request = context.Request;
        if (!store.IsOrganization(OrganizationRoutes.Route(context, "org")))
        {
            await JsonOut.NotFound(context);
            return;
        }

        var projectIds = new HashSet<string>(StringComparer.Ordinal);
        if (projectRoute)
        {
            var project = store.FindProject(OrganizationRoutes.Route(context, "project"));
            if (project is null)
            {
                await JsonOut.NotFound(context);
                return;
            }
            projectIds.Add(project.Id);
        }
        else
        {
            foreach (var p in request.Query["project"])
            {
                if (p is null or "-1") continue;
                var project = store.FindProject(p);
                if (project is null)
                {
                    await JsonOut.Detail(context, StatusCodes.Status403Forbidden, Messages.Forbidden);
                    return;
                }
                projectIds.Add(project.Id);
            }
        }

        var ids = new List<long>();
        foreach (var raw in request.Query["id"])
        {
            if (raw is null || !raw.All(char.IsAsciiDigit) || !long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                await JsonOut.Detail(context, StatusCodes.Status400BadRequest, $"Invalid issue id: \"{raw}\"");
                return;
            }
            ids.Add(id);
        }

        var update = IssueUpdate.Parse(await ReadBody(context), out var errors);
        if (update is null)
        {
            await JsonOut.Write(context, errors, StatusCodes.Status400BadRequest);
            return;
        }

        var now = DateTimeOffset.UtcNow;
        List<Issue> issues;
        if (ids.Count > 0 && state.Options.DeleteNamedIssuesOnNextBulkChange)
        {
            state.Options.DeleteNamedIssuesOnNextBulkChange = false;
            foreach (var named in ids.Select(store.FindById).OfType<Issue>().ToList()) store.Delete(named);
        }
        if (ids.Count > 0)
        {
            issues = ids.Distinct().Select(store.FindById).OfType<Issue>()
                .Where(i => projectIds.Count == 0 || projectIds.Contains(i.Project.Id)).ToList();
            // The hazard (REFERENCE.md §2.4): none found → Sentry mutates the search results instead.
            if (issues.Count == 0 && state.Options.BulkFallbackToSearch)
            {
                var (found, error) = Search(state, request, projectIds, now);
                if (found is null)
                {
                    await JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
                    return;
                }
                issues = found;
            }
        }
        else
        {
            var (found, error) = Search(state, request, projectIds, now);
            if (found is null)
            {
                await JsonOut.Detail(context, StatusCodes.Status400BadRequest, error!);
                return;
            }
            issues = found;
        }

        if (issues.Count == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        var (status, body) = Apply(state, issues, update, now);
        await WriteResult(context, status, body);
    }

    /// <summary>The issues a bulk PUT without (found) ids acts on: the query (default is:unresolved), newest first, at most 1000.</summary>
    private static (List<Issue>? Issues, string? Error) Search(SandboxState state, HttpRequest request, HashSet<string> projectIds, DateTimeOffset now)
    {
        var store = state.Store;
        var query = request.Query.ContainsKey("query") ? request.Query["query"].ToString().Trim() : DefaultQuery;
        var search = IssueSearch.Parse(query, store, now, out var error);
        if (search is null) return (null, error);
        var environments = request.Query["environment"].OfType<string>().Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);
        var windowStart = now.AddDays(-90);
        var issues = store.Read(s => s.Issues
            .Where(i => projectIds.Count == 0 || projectIds.Contains(i.Project.Id))
            .Where(i => environments.Count == 0 || i.Environments.Overlaps(environments))
            .Where(i => i.LastSeen >= windowStart)
            .Where(search.Matches)
            .OrderByDescending(i => i.LastSeen).ThenByDescending(i => i.Id)
            .Take(BulkMutationLimit)
            .ToList());
        return (issues, null);
    }

    /// <summary>
    /// Applies a validated update to the issues atomically, as the acting (sandbox) user. Returns 200 and the
    /// delta body, or 400 and its error body. Already-resolved issues are skipped by a plain resolve.
    /// </summary>
    public static (int Status, JsonNode? Body) Apply(SandboxState state, IReadOnlyList<Issue> issues, IssueUpdate u, DateTimeOffset now)
    {
        var store = state.Store;
        var actor = SeedExamples.SandboxUser;
        var joined = store.Organization.DateCreated;
        var projects = issues.Select(i => i.Project).DistinctBy(p => p.Id).ToList();

        if (u.IsReleaseResolution && projects.Count > 1)
        {
            var what = u.InNextRelease ? "resolved in next release" : u.InRelease is not null ? "resolved in release" : "resolved in commit";
            return (StatusCodes.Status400BadRequest, new JsonObject { ["detail"] = $"Cannot set {what} for multiple projects." });
        }

        return store.Read<(int, JsonNode?)>(s =>
        {
            // Everything that can fail is checked before anything changes.
            Release? release = null;
            Commit? commit = null;
            if (u.Status == "resolved" && u.InRelease is { } version)
            {
                release = version == "latest" ? s.Releases.Latest(projects[0]) : s.Releases.Find(version);
                if (release is null || !release.ProjectIds.Contains(projects[0].Id))
                    return Error("inRelease", version == "latest"
                        ? "No release data present in the system to form a basis for 'Next Release'"
                        : "Unable to find a release with the given version.");
            }
            else if (u.Status == "resolved" && u.InNextRelease && s.Releases.Latest(projects[0]) is null)
            {
                return Error("inNextRelease", "No release data present in the system to form a basis for 'Next Release'");
            }
            else if (u.Status == "resolved" && u.InCommit is { } c)
            {
                var repository = s.FindRepository(c.Repository);
                if (repository is null) return Error("inCommit", "Unable to find the given repository.");
                commit = s.FindCommit(c.Repository, c.Commit)
                         ?? new Commit(c.Commit, repository, "", new CommitAuthor(actor.Name, actor.Email!, actor.Id), now);
            }

            Assignee? assignee = null;
            if (u.AssignedToSent && !string.IsNullOrEmpty(u.AssignedTo))
            {
                assignee = ResolveActor(u.AssignedTo, out var actorError);
                if (assignee is null)
                    return (StatusCodes.Status400BadRequest, new JsonObject { ["assignedTo"] = new JsonArray(actorError) });
                // Sentry's GroupValidator: a user must be on a team of the project, a team must have access to it.
                if (assignee.Type == "user" && assignee.Id == SeedExamples.OutsideMember.Id)
                    return (StatusCodes.Status400BadRequest, new JsonObject { ["assignedTo"] = new JsonArray("Cannot assign to non-team member") });
                if (assignee.Type == "team" && issues.Any(i => i.Project.Team.Id != assignee.Id))
                    return (StatusCodes.Status400BadRequest, new JsonObject { ["assignedTo"] = new JsonArray("Cannot assign to a team without access to the project") });
            }

            Snooze? snooze = null;
            foreach (var issue in issues)
            {
                switch (u.Status)
                {
                    case "resolved" when release is not null:
                        s.Resolve(issue, now, inRelease: release.Version, actor: actor);
                        s.SetStatusActor(issue, actor);
                        break;
                    case "resolved" when u.InNextRelease:
                        s.Resolve(issue, now, inNextRelease: true, actor: actor);
                        s.SetStatusActor(issue, actor);
                        break;
                    case "resolved" when commit is not null:
                        s.ResolveInCommit(issue, commit, now, actor);
                        break;
                    case "resolved":
                        if (issue.Status != "resolved") s.Resolve(issue, now, actor: actor);
                        break;
                    case "unresolved":
                        if (issue.Status != "unresolved") s.Unresolve(issue, now, actor);
                        if (u.Substatus is { } sub && issue.Substatus != sub) s.SetSubstatus(issue, sub);
                        break;
                    case "ignored":
                        if (u.IgnoreUntilEscalating) s.Archive(issue, "archived_until_escalating", null, now, actor);
                        else if (u.HasIgnoreCondition)
                        {
                            snooze = new Snooze
                            {
                                At = now,
                                Duration = u.IgnoreDuration,
                                Until = u.IgnoreDuration is { } minutes ? now.AddMinutes(minutes) : null,
                                Count = u.IgnoreCount,
                                Window = u.IgnoreCount is null ? null : u.IgnoreWindow,
                                UserCount = u.IgnoreUserCount,
                                UserWindow = u.IgnoreUserCount is null ? null : u.IgnoreUserWindow,
                                CountAtSnooze = issue.Count,
                                UsersAtSnooze = issue.UserCount,
                            };
                            s.Archive(issue, "archived_until_condition_met", snooze, now, actor);
                        }
                        else s.Archive(issue, u.Substatus ?? "archived_forever", null, now, actor);
                        break;
                }

                if (u.AssignedToSent && !SameAssignee(issue.AssignedTo, assignee)) s.Assign(issue, assignee, now, actor);
                if (u.Priority is { } priority) s.ChangePriority(issue, priority, now, actor);
                s.SetFlags(issue, u.IsBookmarked, u.HasSeen, u.IsSubscribed);
                if (u.IsPublic is { } isPublic) s.SetPublic(issue, isPublic, now, actor);
                if (u.Inbox == false) s.AddActivity(issue, "mark_reviewed", now, new Dictionary<string, string?>(), actor);
            }

            return (StatusCodes.Status200OK, Delta(u, release, commit, snooze, assignee, issues, joined, actor));
        });
    }

    /// <summary>The 200 body: the validated request echoed with normalised status and server-computed parts.</summary>
    private static JsonObject Delta(IssueUpdate u, Release? release, Commit? commit, Snooze? snooze, Assignee? assignee,
        IReadOnlyList<Issue> issues, DateTimeOffset joined, Assignee actor)
    {
        var o = new JsonObject();
        if (u.Status is { } status)
        {
            o["status"] = status;
            var details = new JsonObject();
            if (status == "resolved")
            {
                if (release is not null) details["inRelease"] = release.Version;
                else if (u.InNextRelease) details["inNextRelease"] = true;
                else if (commit is not null) details["inCommit"] = CommitWriter.Commit(commit);
            }
            else if (status == "ignored")
            {
                if (u.IgnoreUntilEscalating) details["ignoreUntilEscalating"] = true;
                else if (snooze is not null)
                {
                    // Sentry sends the unused ones as null; the sandbox leaves them out (the schema types them as integers).
                    if (snooze.Count is { } count) details["ignoreCount"] = count;
                    if (snooze.Until is { } until) details["ignoreUntil"] = Dates.Iso(until);
                    if (snooze.UserCount is { } users) details["ignoreUserCount"] = users;
                    if (snooze.UserWindow is { } userWindow) details["ignoreUserWindow"] = userWindow;
                    if (snooze.Window is { } window) details["ignoreWindow"] = window;
                }
            }
            if (details.Count > 0) details["actor"] = UserWriter.Full(actor, joined);
            o["statusDetails"] = details;
            if (issues[^1].Substatus is { } substatus) o["substatus"] = substatus;
        }
        else if (u.SubstatusSent) o["substatus"] = u.Substatus;
        if (u.AssignedToSent)
        {
            o["assignedTo"] = assignee is null ? null : new JsonObject
            {
                ["type"] = assignee.Type, ["id"] = assignee.Id, ["name"] = assignee.Name,
            };
            if (assignee?.Email is { } email) o["assignedTo"]!["email"] = email;
        }
        if (u.Priority is { } priority) o["priority"] = priority;
        if (u.HasSeen is { } seen) o["hasSeen"] = seen;
        if (u.IsBookmarked is { } bookmarked) o["isBookmarked"] = bookmarked;
        if (u.IsSubscribed is { } subscribed)
        {
            o["isSubscribed"] = subscribed;
            o["subscriptionDetails"] = new JsonObject { ["reason"] = "unknown" };
        }
        if (u.IsPublic is { } isPublic)
        {
            o["isPublic"] = isPublic;
            if (isPublic && issues[^1].ShareId is { } share) o["shareId"] = share;
        }
        if (u.Inbox is { } inbox) o["inbox"] = inbox;
        return o;
    }

    /// <summary>Sentry's ActorField: "1", "user:1", "sandbox", "sandbox@example.com", "team:1", "#backend".</summary>
    public static Assignee? ResolveActor(string raw, out string error)
    {
        error = "";
        var user = SeedExamples.SandboxUser;
        var team = SeedExamples.BackendTeam;
        var outsider = SeedExamples.OutsideMember;
        if (raw.StartsWith("team:", StringComparison.Ordinal))
        {
            if (raw[5..] == team.Id) return team;
            if (raw[5..] == SeedExamples.MobileTeam.Id) return new Assignee("team", SeedExamples.MobileTeam.Id, SeedExamples.MobileTeam.Slug, null);
            error = "Team does not exist";
            return null;
        }
        if (raw.StartsWith("user:", StringComparison.Ordinal))
        {
            if (raw[5..] == user.Id) return user;
            if (raw[5..] == outsider.Id) return outsider;
            error = "Unknown actor input";
            return null;
        }
        if (raw.Contains(':', StringComparison.Ordinal))
        {
            error = "Could not parse actor. Format should be `type:id` where type is `team` or `user`.";
            return null;
        }
        if (raw == user.Id || raw == "sandbox" || string.Equals(raw, user.Email, StringComparison.OrdinalIgnoreCase)) return user;
        if (raw == outsider.Id || string.Equals(raw, outsider.Email, StringComparison.OrdinalIgnoreCase)) return outsider;
        if (raw == "#" + team.Name) return team;
        error = raw.All(char.IsAsciiDigit) ? "Unknown actor input" : "User does not exist";
        return null;
    }

    private static bool SameAssignee(Assignee? a, Assignee? b) => a?.Type == b?.Type && a?.Id == b?.Id;

    private static (int, JsonNode?) Error(string field, string message) =>
        (StatusCodes.Status400BadRequest, new JsonObject { ["statusDetails"] = new JsonObject { [field] = new JsonArray(message) } });

    private static Task WriteResult(HttpContext context, int status, JsonNode? body)
    {
        if (status == StatusCodes.Status204NoContent)
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        return JsonOut.Write(context, body, status);
    }

    internal static async Task<string> ReadBody(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }
}

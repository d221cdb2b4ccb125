using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Routes;
using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Query;

/// <summary>
/// The page filters every org query shares: `project` (ids or slugs, repeatable, `-1` = all),
/// `environment` (repeatable) and the window (`statsPeriod` wins over `start`+`end`; default 90 days).
/// </summary>
public sealed record QueryScope(HashSet<string> ProjectIds, HashSet<string> Environments, DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Window => End - Start;

    public bool Contains(QueryRow row)
    {
        if (ProjectIds.Count > 0 && !ProjectIds.Contains(row.Project.Id)) return false;
        if (Environments.Count > 0 && (row.Environment is not { } env || !Environments.Contains(env))) return false;
        var t = row.Timestamp;
        return t >= Start && t <= End;
    }

    /// <summary>Reads the filters; on failure returns null with the status and detail to send.</summary>
    public static QueryScope? Read(HttpRequest request, EventStore store, DateTimeOffset now, out int status, out string? error)
    {
        status = StatusCodes.Status400BadRequest;
        if (!IssueListRoute.TryWindow(request, now, out var start, out var end, out error)) return null;
        var projects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in request.Query["project"])
        {
            if (string.IsNullOrEmpty(raw) || raw == "-1") continue;
            var project = store.FindProject(raw);
            if (project is null)
            {
                status = StatusCodes.Status403Forbidden;
                error = Messages.Forbidden;
                return null;
            }
            projects.Add(project.Id);
        }
        var environments = request.Query["environment"].OfType<string>().Where(e => e.Length > 0).ToHashSet(StringComparer.Ordinal);
        return new QueryScope(projects, environments, start, end);
    }
}

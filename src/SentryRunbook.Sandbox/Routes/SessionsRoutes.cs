using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Query;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Routes;

/// <summary>
/// Release health: `GET /api/0/organizations/{org}/sessions/` (getOrganizationSessions, REFERENCE.md §10).
/// Rates are fractions; a rate over zero sessions (or users) is null, in the series and in the totals.
/// Counts of empty intervals are 0. The `self-hosted-legacy` profile has release health off: 404.
/// </summary>
public static class SessionsRoutes
{
    public static void Map(WebApplication app, SandboxState state) =>
        app.MapGet("/api/0/organizations/{org}/sessions/", context => Handle(context, state)).WithMetadata(RequiredScope.EventRead);

    private static Task Handle(HttpContext context, SandboxState state)
    {
        var store = state.Store;
        var request = context.Request;
        if (SandboxProfile.IsLegacy(state.Options) || !store.IsOrganization(OrganizationRoutes.Route(context, "org"))) return JsonOut.NotFound(context);
        var now = DateTimeOffset.UtcNow;

        var fields = request.Query["field"].OfType<string>().Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (fields.Count == 0) return Bad(context, "Request is missing a \"field\"");
        if (fields.FirstOrDefault(f => !SessionsQuery.IsValidField(f)) is { } badField) return Bad(context, $"Invalid field: \"{badField}\"");
        var groupBy = request.Query["groupBy"].OfType<string>().Where(g => g.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (groupBy.FirstOrDefault(g => !SessionsQuery.GroupKeys.Contains(g)) is { } badGroup) return Bad(context, $"Invalid groupBy: \"{badGroup}\"");
        if (groupBy.Contains("session.status") && fields.FirstOrDefault(f => f.StartsWith("crash_", StringComparison.Ordinal)) is { } rate)
            return Bad(context, $"Cannot group field {rate} by session.status");

        var orderBy = request.Query["orderBy"].ToString();
        if (orderBy.Length > 0)
        {
            if (!fields.Contains(orderBy.TrimStart('-'))) return Bad(context, "'orderBy' must be one of the provided 'fields'");
            if (groupBy.Contains("session.status")) return Bad(context, "Cannot use 'orderBy' when grouping by sessions.status");
        }
        int? limit = null;
        var perPage = request.Query["per_page"].ToString();
        if (perPage.Length > 0)
        {
            if (!int.TryParse(perPage, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1) return Bad(context, Messages.InvalidPerPage);
            limit = n;
        }

        var filter = SessionsQuery.ParseQuery(request.Query["query"].ToString(), out var error);
        if (filter is null) return Bad(context, error!);
        var scope = QueryScope.Read(request, store, now, out var status, out error);
        if (scope is null) return JsonOut.Detail(context, status, error!);
        var explicitEnd = request.Query["statsPeriod"].ToString().Length == 0 && request.Query["end"].ToString().Length > 0;
        if (!SessionsQuery.TryRange(request.Query["interval"].ToString(), scope.Start, scope.End, explicitEnd, now,
                out var start, out var end, out var responseEnd, out var interval, out error))
            return Bad(context, error!);

        var query = new SessionsQuery
        {
            Fields = fields, GroupBy = groupBy, ProjectIds = scope.ProjectIds, Environments = scope.Environments, Filter = filter,
            Start = start, End = end, ResponseEnd = responseEnd, Interval = interval, OrderBy = orderBy.Length > 0 ? orderBy : null, Limit = limit,
            IncludeTotals = request.Query["includeTotals"].ToString() != "0", IncludeSeries = request.Query["includeSeries"].ToString() != "0",
            QueryText = request.Query["query"].ToString(),
        };
        return JsonOut.Write(context, store.Read(query.Execute));
    }

    private static Task Bad(HttpContext context, string detail) => JsonOut.Detail(context, StatusCodes.Status400BadRequest, detail);
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Analysis
{
    /// <summary>Everything a postmortem is written from: the triage, the timeline and the event rate.</summary>
    public sealed class IncidentDossier
    {
        public IncidentDossier(TriageReport triage, IncidentTimeline timeline, IReadOnlyList<SentryTimePoint> eventRate, IReadOnlyList<string>? missingSignals = null, SentryIncident? incident = null)
        {
            Triage = triage;
            Timeline = timeline;
            EventRate = eventRate;
            MissingSignals = missingSignals ?? triage.MissingSignals;
            Incident = incident;
        }

        /// <summary>The triage of the issue, or of an incident's primary issue.</summary>
        public TriageReport Triage { get; }
        /// <summary>The incident with its members and impact as read for this dossier; null for one issue.</summary>
        public SentryIncident? Incident { get; }
        public IncidentTimeline Timeline { get; }
        public IReadOnlyList<SentryTimePoint> EventRate { get; }

        /// <summary>
        /// Every read that failed, the triage's and the dossier's own (activity, deploys, releases, the oldest event,
        /// the event rate), as <c>Name: Sentry answered 500 (detail) [ErrorId]</c>: the postmortem lists them.
        /// </summary>
        public IReadOnlyList<string> MissingSignals { get; }

        /// <summary>
        /// Gathers the dossier of an issue: the triage (which also reads impact, releases and suspect commits),
        /// then the activity, the deploys of the issue's releases and the oldest event. Every request is a
        /// plain read, so the same calls against recorded evidence give the same dossier offline.
        /// </summary>
        public static async Task<IncidentDossier> GatherAsync(ISentryApi api, string issueId, TriageReport? triage, TriageOptions options, DateTimeOffset now, Action<string>? log, CancellationToken cancellationToken)
        {
            // A postmortem does not print Seer's summary, so the dossier does not ask for it: a replay of saved evidence
            // (which holds no Seer answer) then reads exactly what the live run read.
            triage ??= await new TriageRunner(api) { Log = log }.RunAsync(issueId, null, options.WithoutSeer(), now, cancellationToken).ConfigureAwait(false);
            SentryIssue issue = triage.Issue;

            var missing = new MissingSignals();
            Task<SentryEvent?> oldest = missing.Optional<SentryEvent?>("Oldest event", async () => await api.GetIssueEventAsync(issueId, "oldest", options.Environments, cancellationToken).ConfigureAwait(false), null);
            Task<IncidentTimeline> timeline = TimelineAsync(api, issueId, issue, triage.RollbackTarget?.Release, cancellationToken, missing);
            Task<IReadOnlyList<SentryTimePoint>?> rate = EventRateAsync(api, issue, options, now, missing, cancellationToken);
            await Task.WhenAll(oldest, timeline, rate).ConfigureAwait(false);

            // The issue's own 24-hour histogram only when the incident's window could not be read (the missing signal says so).
            IReadOnlyList<SentryTimePoint> eventRate = rate.Result ?? issue.Stats.Select(p => new SentryTimePoint(p.Time, p.Count)).ToList();
            return new IncidentDossier(triage, timeline.Result, eventRate, triage.MissingSignals.Concat(missing.List()).ToList());
        }

        /// <summary>
        /// Gathers the dossier of an incident of many issues: its members read again (their status now) and its impact
        /// measured again by one query over all of them, the primary issue's triage (root cause, suspect commits), every
        /// member's timeline merged into one, and one event-rate series over all members. The same calls against
        /// recorded evidence give the same dossier offline.
        /// </summary>
        public static async Task<IncidentDossier> GatherIncidentAsync(ISentryApi api, SentryIncident incident, TriageOptions options, DateTimeOffset now, Action<string>? log, CancellationToken cancellationToken)
        {
            if (incident is null) throw new ArgumentNullException(nameof(incident));
            // Members of one storm share releases and projects: their deploys and release pages are read once.
            ISentryApi shared = api as SharedReads ?? new SharedReads(api);
            SentryIncident read = await ReadMembersAsync(shared, incident, log, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SentryIssue> members = read.Issues;
            DateTimeOffset start = members.Select(i => i.FirstSeen ?? now).Min();
            IncidentImpact impact = await IncidentGatherer.MeasureImpactAsync(shared, read.Id, members, start, now, read.Environments, read.Releases, cancellationToken).ConfigureAwait(false);
            SentryIncident current = read.WithFreshData(members, impact);

            var missing = new MissingSignals();
            Task<TriageReport> triage = new TriageRunner(shared) { Log = log }.RunAsync(current.PrimaryIssue.Id, null, options.WithoutSeer(), now, cancellationToken);
            Task<IncidentTimeline> timeline = IncidentTimelineAsync(shared, current, cancellationToken, missing);
            DateTimeOffset? lastSeen = members.Select(m => m.LastSeen).Where(t => t.HasValue).Max();
            Task<IReadOnlyList<SentryTimePoint>?> rate = EventRateAsync(shared, members, start, lastSeen, options, now, missing, cancellationToken);
            await Task.WhenAll(triage, timeline, rate).ConfigureAwait(false);
            return new IncidentDossier(triage.Result, timeline.Result, rate.Result ?? Array.Empty<SentryTimePoint>(), triage.Result.MissingSignals.Concat(missing.List()).ToList(), current);
        }

        /// <summary>
        /// The incident with its members read again in one batched request, so their status is today's. A member
        /// Sentry no longer has (deleted or merged) stays as it was when grouped, and the log says so.
        /// </summary>
        public static async Task<SentryIncident> ReadMembersAsync(ISentryApi api, SentryIncident incident, Action<string>? log, CancellationToken cancellationToken)
        {
            IReadOnlyList<SentryIssue> read = await api.GetIssuesAsync(incident.IssueIds, cancellationToken).ConfigureAwait(false);
            var byId = read.GroupBy(i => i.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (SentryIssue gone in incident.Issues.Where(i => !byId.ContainsKey(i.Id)))
            {
                log?.Invoke($"{gone} is no longer in Sentry (deleted or merged): the incident keeps it as it was when grouped");
            }

            return incident.WithFreshData(incident.Issues.Select(i => byId.TryGetValue(i.Id, out SentryIssue? fresh) ? fresh : i).ToList(), null);
        }

        /// <summary>The incident of an evidence bundle, over its members as the bundle recorded them.</summary>
        public static async Task<SentryIncident> FromRecordAsync(ISentryApi api, IncidentRecord record, CancellationToken cancellationToken) =>
            record.ToIncident(await api.GetIssuesAsync(record.IssueIds, cancellationToken).ConfigureAwait(false));

        /// <summary>One timeline across the members: each member's activity and deploys, and the deploys of the incident's releases.</summary>
        public static async Task<IncidentTimeline> IncidentTimelineAsync(ISentryApi api, SentryIncident incident, CancellationToken cancellationToken, MissingSignals? missing = null)
        {
            missing ??= new MissingSignals();
            ISentryApi shared = api as SharedReads ?? new SharedReads(api);
            Task<IncidentTimeline>[] timelines = incident.Issues.Select(m => TimelineAsync(shared, m.Id, m, null, cancellationToken, missing)).ToArray();
            Task<IReadOnlyList<SentryDeploy>>[] deploys = incident.Releases.Select(r => missing.Optional("Deploys of " + r, () => shared.GetDeploysAsync(r, cancellationToken), Array.Empty<SentryDeploy>())).ToArray();
            await Task.WhenAll(Task.WhenAll(timelines), Task.WhenAll(deploys)).ConfigureAwait(false);
            return Timelines.ForIncident(incident, timelines.Select(t => t.Result).ToList(), deploys.SelectMany(d => d.Result).ToList());
        }

        /// <summary>
        /// The event rate over the incident itself — from an hour before first seen to an hour after last seen —
        /// so a postmortem written days later still charts the incident, not the day before it was written.
        /// </summary>
        private static Task<IReadOnlyList<SentryTimePoint>?> EventRateAsync(ISentryApi api, SentryIssue issue, TriageOptions options, DateTimeOffset now, MissingSignals missing, CancellationToken cancellationToken) =>
            EventRateAsync(api, new[] { issue }, issue.FirstSeen, issue.LastSeen, options, now, missing, cancellationToken);

        /// <summary>One series over all the issues (<c>issue.id:[…]</c>): an incident's chart counts every member's events once.</summary>
        private static Task<IReadOnlyList<SentryTimePoint>?> EventRateAsync(ISentryApi api, IReadOnlyList<SentryIssue> issues, DateTimeOffset? firstSeen, DateTimeOffset? lastSeen, TriageOptions options, DateTimeOffset now, MissingSignals missing, CancellationToken cancellationToken)
        {
            if (!(firstSeen is DateTimeOffset first)) return Task.FromResult<IReadOnlyList<SentryTimePoint>?>(null);
            DateTimeOffset start = Floor(first.AddHours(-1));
            DateTimeOffset end = Floor((lastSeen ?? now).AddHours(1));
            if (end > now) end = now;
            if (end <= start) return Task.FromResult<IReadOnlyList<SentryTimePoint>?>(null);
            TimeSpan span = end - start;
            string interval = span <= TimeSpan.FromHours(6) ? "5m" : span <= TimeSpan.FromDays(3) ? "1h" : "1d";
            var query = new StatsQuery
            {
                Dataset = "errors",
                YAxes = new[] { "count()" },
                Interval = interval,
                Query = issues.Count == 1 ? "issue.id:" + issues[0].Id : IncidentGatherer.IssueFilter(issues.Select(i => i.Id).ToList()),
                Projects = issues.Select(i => i.ProjectId).OfType<string>().Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToArray(),
                Environments = options.Environments,
                Window = TimeWindow.Between(start, end),
            };
            return missing.Optional<IReadOnlyList<SentryTimePoint>?>("Event rate", async () => (await api.GetEventsStatsAsync(query, cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.Points, null);
        }

        /// <summary>Whole minutes, so that the window (and the recorded request) does not depend on the second it was asked.</summary>
        private static DateTimeOffset Floor(DateTimeOffset time) => new DateTimeOffset(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

        /// <summary>
        /// The timeline of an issue: its activity, the deploys of its releases (and of a rollback target), and the
        /// last deploys on the project's releases page since first seen, which show a fix such as a rollback.
        /// The calls are those triage makes too, so recorded evidence answers them offline. A read that fails is
        /// left out of the timeline and named in <c>missing</c>, never silently.
        /// </summary>
        public static async Task<IncidentTimeline> TimelineAsync(ISentryApi api, string issueId, SentryIssue issue, string? rollbackRelease, CancellationToken cancellationToken, MissingSignals? missing = null)
        {
            missing ??= new MissingSignals();
            Task<IReadOnlyList<SentryActivity>> activity = missing.Optional("Activity", () => api.GetIssueActivityAsync(issueId, cancellationToken), Array.Empty<SentryActivity>());
            IEnumerable<string> releases = new[] { issue.FirstRelease, issue.LastRelease, rollbackRelease }.Where(r => !string.IsNullOrEmpty(r)).Distinct()!;
            Task<IReadOnlyList<SentryDeploy>>[] deploys = releases.Select(r => missing.Optional("Deploys of " + r, () => api.GetDeploysAsync(r!, cancellationToken), Array.Empty<SentryDeploy>())).ToArray();
            Task<SentryPage<SentryRelease>?> projectReleases = missing.Optional<SentryPage<SentryRelease>?>("Releases", async () => await api.GetReleasePageAsync(issue.ProjectId ?? issue.Project, null, null, cancellationToken).ConfigureAwait(false), null);
            await Task.WhenAll(activity, Task.WhenAll(deploys), projectReleases).ConfigureAwait(false);

            var allDeploys = deploys.SelectMany(d => d.Result).ToList();
            foreach (SentryDeploy last in (projectReleases.Result?.Items ?? Array.Empty<SentryRelease>()).Select(r => r.LastDeploy).OfType<SentryDeploy>())
            {
                bool known = allDeploys.Any(d => d.Release == last.Release && d.Environment == last.Environment && d.DateFinished == last.DateFinished);
                if (!known && last.DateFinished >= issue.FirstSeen) allDeploys.Add(last);
            }

            return Timelines.Build(issue, activity.Result, allDeploys);
        }
    }

    /// <summary>
    /// Reads that may fail without stopping the whole: a failure other than a fatal one (bad token, no connection)
    /// gives the fallback and is written down as <c>Name: Sentry answered 500 (detail) [ErrorId]</c>. Thread-safe.
    /// </summary>
    public sealed class MissingSignals
    {
        private readonly List<string> _signals = new List<string>();

        public async Task<T> Optional<T>(string name, Func<Task<T>> call, T fallback)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                lock (_signals) _signals.Add(Figures.MissingReason(name, ex));
                return fallback;
            }
        }

        /// <summary>What could not be read, by name.</summary>
        public IReadOnlyList<string> List()
        {
            lock (_signals) return _signals.OrderBy(s => s, StringComparer.Ordinal).ToList();
        }
    }
}

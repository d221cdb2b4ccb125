using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Actions;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;
using SentryRunbook.Rendering;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Stays with an incident: every -Interval it measures it again (events per minute now, over 5 and 15 minutes, against
    /// the peak and the hour before it began; users; crash-free rate) and emits an IncidentWatchUpdate; updates go out on
    /// the severity's cadence with the incident's dedup key, and at once when it recovers or regresses. "Recovered" is
    /// back to the pre-incident baseline for -RecoveredAfter. Nothing is resolved unless -ResolveOnRecovery (guarded as
    /// Set-SentryIssueStatus is); after a resolution it watches for a regression until -Timeout. Ctrl+C stops it between
    /// rounds, never half-way through a message; -WhatIf measures and prints, and sends and changes nothing.
    /// </summary>
    [Cmdlet(VerbsCommon.Watch, "SentryIncident", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IssueSet)]
    [OutputType(typeof(IncidentWatchUpdate))]
    public sealed class WatchSentryIncidentCommand : IssueBatchCmdlet
    {
        private const string IncidentSet = "ByIncident";
        private const string TriageSet = "ByTriage";

        /// <summary>The longest incident measured minute by minute; an older start is taken as this long ago (use -Since).</summary>
        private static readonly TimeSpan LongestIncident = TimeSpan.FromHours(24);

        /// <summary>An incident from Group-SentryIssue: all its members are watched as one.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IncidentSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public SentryIncident? Incident { get; set; }

        /// <summary>A triage report from Invoke-SentryTriage: its issue, severity and message details.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TriageSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public TriageReport? Triage { get; set; }

        /// <summary>Time between rounds. Default 1 minute (the counts are per minute).</summary>
        [Parameter]
        public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>The update cadence; default the severity's in the policy (P0: 30 minutes).</summary>
        [Parameter]
        public TimeSpan? UpdateEvery { get; set; }

        /// <summary>Recovered (default): stop once recovered. Resolved: go on until the issue is resolved (by -ResolveOnRecovery or a person).</summary>
        [Parameter]
        [ValidateSet("Recovered", "Resolved", IgnoreCase = true)]
        public string Until { get; set; } = "Recovered";

        /// <summary>How long every minute must be at the pre-incident baseline to count as recovered. Default 15 minutes.</summary>
        [Parameter]
        public TimeSpan RecoveredAfter { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>No round starts after this. Default 4 hours (Azure Automation stops a job at 3 hours: pass less there).</summary>
        [Parameter]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(4);

        /// <summary>Resolve the issue(s) on recovery and send the resolution notice; guarded as Set-SentryIssueStatus.</summary>
        [Parameter]
        public SwitchParameter ResolveOnRecovery { get; set; }

        /// <summary>With -ResolveOnRecovery: resolve even though an event came within 15 minutes (a baseline that is not zero).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>When the incident began; default the incident's start, the issue's regression, or its first seen (at most 24 hours ago).</summary>
        [Parameter]
        public DateTimeOffset? Since { get; set; }

        /// <summary>Only these environments' events; default all.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Environment { get; set; }

        /// <summary>The severity that sets the cadence, when the input carries none; default: classified from the first measurement.</summary>
        [Parameter]
        [ValidateSet("P0", "P1", "P2", "P3", IgnoreCase = true)]
        public string? Severity { get; set; }

        /// <summary>Policy overrides: a hashtable or the path of a .psd1 file (each level's UpdateEveryMinutes).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Policy { get; set; }

        /// <summary>Named in the messages.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IncidentLead { get; set; }

        /// <summary>The PagerDuty dedup key of the incident, when its first message was sent with its own.</summary>
        [Parameter]
        [ValidateLength(1, 255)]
        public string? DedupKey { get; set; }

        [Parameter]
        [ValidateNotNull]
        public Uri? SlackWebhookUri { get; set; }

        /// <summary>A Teams Workflows ("Post to a channel when a webhook request is received") URL.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? TeamsWebhookUri { get; set; }

        /// <summary>The Events API v2 integration key of the PagerDuty service.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PagerDutyRoutingKey { get; set; }

        /// <summary>The Events v2 endpoint; default https://events.pagerduty.com/v2/enqueue.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? PagerDutyUri { get; set; }

        /// <summary>Any webhook; it receives the generic JSON body.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? WebhookUri { get; set; }

        /// <summary>The incident journal: messages sent and the resolution, one JSON line each; its last message sets when the next update is due.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private readonly Dictionary<string, string> _incidentOf = new Dictionary<string, string>(StringComparer.Ordinal);
        private SentryIncident? _incident;
        private TriageReport? _triage;
        private IncidentPolicy _policy = IncidentPolicy.Default;
        private MessageTargets _targets = null!;
        private JournalFile? _journal;

        protected override void BeginProcessing()
        {
            if (Interval < TimeSpan.FromSeconds(1) || Timeout <= TimeSpan.Zero || (UpdateEvery is TimeSpan every && every <= TimeSpan.Zero))
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryWatchTimeInvalid", $"-Interval ({Interval}) must be at least a second, and -Timeout ({Timeout}) and -UpdateEvery ({UpdateEvery}) longer than zero.", "Pass durations such as -Interval 00:01:00 -UpdateEvery 00:30:00 -Timeout 04:00:00.", Interval));
            }

            if (RecoveredAfter < TimeSpan.FromMinutes(1))
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryWatchRecoveryTooShort", $"-RecoveredAfter ({RecoveredAfter}) is shorter than a minute; Sentry counts events per minute, so recovery is judged in whole minutes.", "Pass -RecoveredAfter 00:01:00 or more (default 15 minutes).", RecoveredAfter));
            }

            _targets = new MessageTargets(SlackWebhookUri, TeamsWebhookUri, PagerDutyRoutingKey, PagerDutyUri, WebhookUri);
            if (_targets.Problem(required: false) is ErrorRecord problem) ThrowTerminatingError(problem);
            _policy = PolicyLoader.Load(this, Policy);
            _journal = JournalFile.Open(this, Journal);
            base.BeginProcessing();
        }

        protected override void ProcessRecord()
        {
            if ((Incident != null || Triage != null) && (_incident != null || _triage != null))
            {
                ThrowTerminatingError(ErrorRecords.Input("SentryWatchOneIncident", "Watch-SentryIncident watches one incident per command, and a second one was piped in.", "Pipe one incident or triage report, or start one watch per incident (Start-ThreadJob).", Incident ?? (object?)Triage));
            }

            if (Incident != null)
            {
                _incident = Incident;
                foreach (SentryIssue member in Incident.Issues)
                {
                    _incidentOf[member.Id] = Incident.Id;
                    NamedInputs.Add((member.Id, member.Id));
                }
            }
            else if (Triage != null)
            {
                _triage = Triage;
                NamedInputs.Add((Triage.IssueId, Triage.IssueId));
            }
            else
            {
                // Read again at each resolution anyway: a watch outlives any fresh copy.
                CollectInputs(Issue, IssueId);
                NamedInputs.AddRange(FreshInputs.Select(f => (f.Input, f.Issue.Id)));
                FreshInputs.Clear();
            }
        }

        protected override void EndProcessing()
        {
            if (!HasInputs) return;
            List<(string Input, SentryIssue Issue)> issues = ReadInputs();
            if (issues.Count == 0) return;
            Watch(issues);
        }

        private void Watch(List<(string Input, SentryIssue Issue)> issues)
        {
            DateTimeOffset started = DateTimeOffset.UtcNow, deadline = started + Timeout;
            SentryIssue primary = _incident?.PrimaryIssue ?? issues[0].Issue;
            List<string> ids = issues.Select(i => i.Issue.Id).Distinct(StringComparer.Ordinal).ToList();
            string filter = ids.Count == 1 ? ImpactMeasurer.IssueFilter(ids[0]) : "issue.id:[" + string.Join(",", ids) + "]";
            List<string> projects = issues.Select(i => i.Issue.ProjectId).Where(p => !string.IsNullOrEmpty(p)).Select(p => p!).Distinct(StringComparer.Ordinal).ToList();
            IReadOnlyList<string> environments = Environment ?? Array.Empty<string>();
            string watchId = _incident?.Id ?? (ids.Count == 1 ? ids[0] : SentryIncident.IdOf(ids));
            string? shortId = _incident?.Id ?? (ids.Count == 1 ? primary.ShortId : null);

            DateTimeOffset incidentStart = IncidentStart(issues, started);
            double? baseline = ReadBaseline(filter, projects, environments, incidentStart);
            var watch = new IncidentWatch(incidentStart, baseline, RecoveredAfter);
            WriteVerbose($"Watching {shortId ?? watchId} from {Utc(incidentStart)}: baseline {(baseline is double b ? b.ToString("0.##", CultureInfo.InvariantCulture) + " events/min (the hour before)" : "unknown, taken as 0")}; recovered after {RecoveredAfter.TotalMinutes:0.#} minute(s) at it");

            MessageRequest template = MessageTemplate(primary, watchId, ids.Count, incidentStart);
            string dedupKey = IncidentMessages.Build(template).DedupKey;
            DateTimeOffset? lastSent = LastSentFromJournal(dedupKey);
            TimeSpan? cadence = null;
            DateTimeOffset nextDue = DateTimeOffset.MaxValue;
            IMessageSender sender = ClientFactory.MessageSender;
            var impactMeasurer = new ImpactMeasurer(Api) { Warn = QueueVerbose };
            Task<IReadOnlyList<SentryIssueTag>?>? knownTags = ReadTags(primary);
            bool resolveTried = false, everResolved = false;
            DateTimeOffset readFrom = incidentStart;

            var progress = new ProgressRecord(4, "Watch-SentryIncident", $"Watching {shortId ?? watchId}");
            try
            {
                for (int round = 1; ; round++)
                {
                    DateTimeOffset now = DateTimeOffset.UtcNow;
                    (IReadOnlyList<KeyValuePair<DateTimeOffset, double>> minutes, string? status, string? substatus, IncidentImpact? impact) = Measure(filter, projects, environments, ids, primary, incidentStart, readFrom, now, impactMeasurer, knownTags);
                    if (minutes.Count > 0) readFrom = Max(incidentStart, now - RecoveredAfter - TimeSpan.FromMinutes(20));
                    WatchRound reading = watch.Observe(now, minutes, status, substatus);

                    if (cadence is null)
                    {
                        string? severity = template.Severity ?? Classify(impact);
                        template.Severity = severity;
                        cadence = WatchMessages.Cadence(severity, _policy, UpdateEvery);
                        nextDue = (lastSent ?? started) + cadence.Value;
                        WriteVerbose($"Severity {severity ?? "unknown"}: an update every {cadence.Value} (next due {Utc(nextDue)}{(lastSent is null ? string.Empty : ", after the last message in the journal at " + Utc(lastSent.Value))})");
                    }

                    if (impact?.Environments.Count > 0) template.Environment ??= impact.Environments.FirstOrDefault(_policy.IsProduction) ?? impact.Environments[0];
                    if (reading.State == WatchStates.Resolved) everResolved = true;
                    if (reading.State != WatchStates.Recovered) resolveTried = false;

                    // -ResolveOnRecovery: once per recovery, through the same guarded path as Set-SentryIssueStatus.
                    List<SentryIssue> resolved = new List<SentryIssue>();
                    if (ResolveOnRecovery && reading.State == WatchStates.Recovered && !resolveTried)
                    {
                        resolveTried = true;
                        resolved = Resolve(reading);
                    }

                    IncidentMessage? message = null;
                    IReadOnlyList<IncidentDelivery> delivery = Array.Empty<IncidentDelivery>();
                    string? due = resolved.Count > 0 ? null : WatchMessages.UpdateDue(reading, now, nextDue);
                    if (due != null)
                    {
                        WriteVerbose($"Update due: {due}");
                        (message, delivery) = Send(IncidentMessages.Build(WatchMessages.Update(template, reading, impact, cadence!.Value, now)), sender);
                        nextDue = now + cadence!.Value;
                    }

                    WriteObject(Update(now, watchId, shortId, watch, reading, impact, nextDue, message, delivery, false));

                    if (resolved.Count > 0)
                    {
                        everResolved = true;
                        WatchRound after = watch.Observe(now, Array.Empty<KeyValuePair<DateTimeOffset, double>>(), "resolved", null);
                        (IncidentMessage? notice, IReadOnlyList<IncidentDelivery> noticeDelivery) = Send(IncidentMessages.Build(WatchMessages.Resolution(template, reading, impact, now)), sender);
                        WriteObject(Update(now, watchId, shortId, watch, after, impact, null, notice, noticeDelivery, true));
                        reading = after;
                    }

                    string stop = Until.Equals("Recovered", StringComparison.OrdinalIgnoreCase) && reading.State == WatchStates.Recovered && !everResolved && !ResolveOnRecovery
                        ? "the incident recovered"
                        : now + Interval > deadline ? "the -Timeout is reached"
                        : string.Empty;
                    TimeSpan toUpdate = nextDue - now;
                    progress.StatusDescription = $"Round {round}: {reading.State}, {Rate(reading.EventsPerMinute)}/min (peak {Rate(reading.PeakEventsPerMinute)}, baseline {Rate(reading.BaselineEventsPerMinute)})"
                        + (stop.Length > 0 ? $"; stopping: {stop}" : reading.State == WatchStates.Resolved ? "; watching for a regression" : $"; next update in {Minutes(toUpdate)}");
                    progress.PercentComplete = (int)Math.Min(100, Math.Max(0, (now - started).TotalMilliseconds * 100 / Timeout.TotalMilliseconds));
                    progress.SecondsRemaining = reading.State == WatchStates.Resolved ? -1 : (int)Math.Max(0, Math.Min(int.MaxValue, toUpdate.TotalSeconds));
                    WriteProgress(progress);
                    if (stop.Length > 0)
                    {
                        WriteVerbose($"Watch of {shortId ?? watchId} stopped after {round} round(s): {stop}.");
                        break;
                    }

                    // Ctrl+C ends the wait, between rounds: no message is ever cut short.
                    TimeSpan wait = Min(Interval, deadline - DateTimeOffset.UtcNow);
                    if (wait > TimeSpan.Zero)
                    {
                        Await(async ct =>
                        {
                            await Task.Delay(wait, ct).ConfigureAwait(false);
                            return true;
                        });
                    }
                }
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        /// <summary>The incident's first minute: from -Since, the incident's or the issues' first seen; never more than a day ago (said).</summary>
        private DateTimeOffset IncidentStart(List<(string Input, SentryIssue Issue)> issues, DateTimeOffset now)
        {
            DateTimeOffset start = Since?.ToUniversalTime()
                ?? _incident?.Start
                ?? RegressedAt(issues)
                ?? issues.Where(i => i.Issue.FirstSeen.HasValue).Select(i => i.Issue.FirstSeen!.Value).DefaultIfEmpty(now).Min();
            if (start > now) start = now;
            if (now - start > LongestIncident)
            {
                if (Since is null) WriteWarning($"The issue was first seen {Utc(start)}, over {LongestIncident.TotalHours:0} hours ago; the watch takes the incident to have begun {LongestIncident.TotalHours:0} hours ago. Pass -Since with its real start.");
                start = now - LongestIncident;
            }

            // Whole minutes: the incident's first minute is all incident, and the hour before it all baseline.
            return new DateTimeOffset(start.UtcTicks - (start.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        }

        /// <summary>
        /// For an issue Sentry marks regressed, the incident is the regression: it began with Sentry's latest
        /// set_regression activity, and the hour before that (resolved, quiet) is its baseline, not the hour before the
        /// issue was first seen, which may be weeks ago. Null when no watched issue regressed or the activity cannot be read.
        /// </summary>
        private DateTimeOffset? RegressedAt(List<(string Input, SentryIssue Issue)> issues)
        {
            SentryIssue? regressed = issues.Select(i => i.Issue).FirstOrDefault(i => i.Substatus == "regressed");
            if (regressed is null) return null;
            try
            {
                IReadOnlyList<SentryActivity> activity = Call((api, ct) => api.GetIssueActivityAsync(regressed.Id, ct));
                DateTimeOffset? at = activity.Where(a => a.Type == "set_regression" && a.DateCreated.HasValue).Select(a => a.DateCreated).Max();
                if (at != null) WriteVerbose($"{regressed.ShortId} regressed at {Utc(at.Value)}: the incident is taken to begin then");
                return at;
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                WriteVerbose($"The activity of {regressed.ShortId} could not be read ({ex.Message}); the incident is taken to begin at its first seen");
                return null;
            }
        }

        /// <summary>The mean events per minute in the hour before the incident began; null (said) when Sentry cannot tell.</summary>
        private double? ReadBaseline(string filter, IReadOnlyList<string> projects, IReadOnlyList<string> environments, DateTimeOffset start)
        {
            DateTimeOffset from = start - TimeSpan.FromHours(1);
            try
            {
                IReadOnlyList<SentryTimeSeries> series = Call((api, ct) => api.GetEventsStatsAsync(StatsQuery.EventsPerMinute(filter, projects, environments, TimeWindow.Between(from, start)), ct));
                return IncidentWatch.MeanPerMinute(IncidentWatch.PerMinute(series.FirstOrDefault()), from, start) ?? 0;
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                WriteWarning($"The hour before the incident could not be read ({ex.Message}); recovery is judged against zero events.");
                return null;
            }
        }

        /// <summary>
        /// One round's reads, together: the minutes since <paramref name="from"/>, the issues' status, and the impact
        /// (users, crash-free rate) through ImpactMeasurer. A failed read is a warning and leaves its part unknown; a bad
        /// token or an unreachable Sentry ends the watch.
        /// </summary>
        private (IReadOnlyList<KeyValuePair<DateTimeOffset, double>> Minutes, string? Status, string? Substatus, IncidentImpact? Impact) Measure(
            string filter, IReadOnlyList<string> projects, IReadOnlyList<string> environments, List<string> ids, SentryIssue primary, DateTimeOffset incidentStart, DateTimeOffset from, DateTimeOffset now, ImpactMeasurer measurer, Task<IReadOnlyList<SentryIssueTag>?>? tags)
        {
            int periodMinutes = (int)Math.Max(1, Math.Ceiling((now - incidentStart).TotalMinutes));
            var outcome = Call(async (api, ct) =>
            {
                Task<IReadOnlyList<SentryTimeSeries>> series = api.GetEventsStatsAsync(StatsQuery.EventsPerMinute(filter, projects, environments, TimeWindow.Between(from, now)), ct);
                Task<IReadOnlyList<SentryIssue>> state = ids.Count == 1 ? One(api.GetIssueAsync(ids[0], ct)) : api.GetIssuesAsync(ids, ct);
                Task<IncidentImpact> impact = measurer.MeasureAsync(filter, projects, FreshOr(state, primary), periodMinutes.ToString(CultureInfo.InvariantCulture) + "m", environments, now, ct, tags);
                return (await Settle(series).ConfigureAwait(false), await Settle(state).ConfigureAwait(false), await Settle(impact).ConfigureAwait(false));
            });

            var minutes = new List<KeyValuePair<DateTimeOffset, double>>();
            if (outcome.Item1.Error is SentryApiException seriesError) Problem(seriesError, "the events per minute");
            else minutes.AddRange(IncidentWatch.PerMinute(outcome.Item1.Value!.FirstOrDefault()));

            string? status = null, substatus = null;
            if (outcome.Item2.Error is SentryApiException stateError) Problem(stateError, "the issue's status");
            else if (outcome.Item2.Value!.Count > 0)
            {
                IReadOnlyList<SentryIssue> read = outcome.Item2.Value!;
                // An incident is resolved when all its members are; it regressed when any of them did.
                status = read.All(i => i.Status == "resolved") ? "resolved" : "unresolved";
                substatus = read.Any(i => i.Substatus == "regressed") ? "regressed" : read[0].Substatus;
            }

            IncidentImpact? measured = null;
            if (outcome.Item3.Error is SentryApiException impactError) Problem(impactError, "the impact");
            else measured = outcome.Item3.Value;

            return (minutes, status, substatus, measured);
        }

        /// <summary>The tags the impact needs (environments, releases, transaction): read once, as they hardly change in an incident; null lets ImpactMeasurer read them.</summary>
        private Task<IReadOnlyList<SentryIssueTag>?>? ReadTags(SentryIssue primary)
        {
            try
            {
                IReadOnlyList<SentryIssueTag> tags = Call((api, ct) => api.GetIssueTagsAsync(primary.Id, new[] { "environment", "release", "transaction" }, ct));
                return Task.FromResult<IReadOnlyList<SentryIssueTag>?>(tags);
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                WriteVerbose($"The issue's tags could not be read ({ex.Message}); each round reads them with the impact.");
                return null;
            }
        }

        private void Problem(SentryApiException error, string what)
        {
            if (error.IsFatal) ThrowSentryError(error, null);
            WriteWarning($"This round could not read {what}: {error.Message}");
        }

        private static async Task<IReadOnlyList<SentryIssue>> One(Task<SentryIssue> issue) => new[] { await issue.ConfigureAwait(false) };

        private static async Task<SentryIssue> FreshOr(Task<IReadOnlyList<SentryIssue>> read, SentryIssue known)
        {
            try
            {
                IReadOnlyList<SentryIssue> issues = await read.ConfigureAwait(false);
                return issues.FirstOrDefault(i => i.Id == known.Id) ?? known;
            }
            catch (SentryApiException)
            {
                return known;
            }
        }

        private static async Task<(T? Value, SentryApiException? Error)> Settle<T>(Task<T> task)
            where T : class
        {
            try
            {
                return (await task.ConfigureAwait(false), null);
            }
            catch (SentryApiException ex)
            {
                return (null, ex);
            }
        }

        /// <summary>The messages' common part, made as New-IncidentMessage makes it, so the dedup key is the incident's.</summary>
        private MessageRequest MessageTemplate(SentryIssue primary, string watchId, int issueCount, DateTimeOffset start)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            MessageRequest request = _triage != null ? IncidentMessages.FromTriage(_triage, "Update", _policy, now)
                : _incident != null ? IncidentMessages.FromIncident(_incident, "Update", _policy, now)
                : new MessageRequest
                {
                    Kind = "Update",
                    Service = string.IsNullOrEmpty(primary.Project) ? null : primary.Project,
                    IssueId = watchId,
                    ShortId = issueCount == 1 ? primary.ShortId : null,
                    Title = issueCount == 1 ? primary.Title : $"{primary.Title} and {issueCount - 1} more issue(s)",
                    IssueUrl = primary.Permalink,
                    Started = start,
                    Policy = _policy,
                    Now = now,
                };
            request.Severity = Severity?.ToUpperInvariant() ?? request.Severity;
            request.IncidentLead = IncidentLead ?? request.IncidentLead;
            request.Organization ??= ResolvedConnection.Organization;
            request.DedupKey = DedupKey ?? request.DedupKey;
            return request;
        }

        /// <summary>The severity from the first measurement, as Get-IncidentSeverity would say, when nothing gave one.</summary>
        private string? Classify(IncidentImpact? impact)
        {
            if (impact is null) return null;
            IncidentSeverity severity = SeverityClassifier.Classify(new SeverityInputs(impact.CrashFreeSessionRate, impact.PeakEventsPerMinute, impact.PeakUsersPerHour, impact.Environments, false, null), _policy, impact.IssueId);
            WriteVerbose($"Severity {severity.Severity} ({severity.Rule}) from the first measurement; pass -Severity to set it");
            return severity.Severity;
        }

        /// <summary>When the journal last recorded a message of this incident, so the cadence goes on from it.</summary>
        private DateTimeOffset? LastSentFromJournal(string dedupKey)
        {
            if (_journal is null || !File.Exists(_journal.Path)) return null;
            return JournalFile.Read(this, _journal.Path)
                .Where(e => e.Action == JournalActions.SendMessage && e.DedupKey == dedupKey && e.Succeeded != false)
                .Select(e => (DateTimeOffset?)e.Time)
                .DefaultIfEmpty(null)
                .Max();
        }

        /// <summary>Resolves the watched issues through Set-SentryIssueStatus's guarded path; returns those Sentry resolved.</summary>
        private List<SentryIssue> Resolve(WatchRound recovered)
        {
            List<(string Input, SentryIssue Issue)> fresh = ReadNamedIssues();
            var change = new StatusChange { Status = "resolved" };
            string reason = $"back to the pre-incident baseline ({Rate(recovered.BaselineEventsPerMinute)} events/min) for {recovered.MinutesAtBaseline} minutes (Watch-SentryIncident -ResolveOnRecovery)";
            List<SentryIssue> resolved = ChangeStatus(change, fresh, Force, reason, _journal, PassThru, _incidentOf);
            if (resolved.Count == 0 && !MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                WriteWarning("Recovered, but nothing was resolved (see the error or the confirmation above); the watch goes on. Resolve it with Set-SentryIssueStatus, or watch with -Force when the baseline is not zero.");
            }

            return resolved;
        }

        /// <summary>Sends to every target the user approves (none with -WhatIf), whole: Ctrl+C does not cut a message short.</summary>
        private (IncidentMessage? Message, IReadOnlyList<IncidentDelivery> Delivery) Send(IncidentMessage message, IMessageSender sender)
        {
            var approved = _targets.For(message).Where(s =>
            {
                (string target, string action) = MessageTargets.Describe(s, message);
                return ShouldProcess(target, action);
            }).ToList();
            if (approved.Count == 0) return (null, Array.Empty<IncidentDelivery>());

            IncidentDelivery[] deliveries = Await(_ => MessageTargets.SendAsync(sender, approved, message, CancellationToken.None));
            _journal?.Write(this, MessageTargets.JournalEntries(message, deliveries));
            foreach (IncidentDelivery failed in deliveries.Where(d => !d.Succeeded)) WriteError(MessageTargets.Failure(failed));
            return (message, deliveries);
        }

        private static IncidentWatchUpdate Update(DateTimeOffset now, string watchId, string? shortId, IncidentWatch watch, WatchRound r, IncidentImpact? impact, DateTimeOffset? nextDue, IncidentMessage? message, IReadOnlyList<IncidentDelivery> delivery, bool resolvedByWatch) =>
            new IncidentWatchUpdate(now, watchId, shortId, r.State, r.PreviousState, r.EventsPerMinute, r.LastFiveMinutes, r.LastFifteenMinutes, r.PeakEventsPerMinute, r.BaselineEventsPerMinute, r.MinutesAtBaseline,
                impact?.UniqueUsers, impact?.CrashFreeSessionRate, r.Reason, r.State == WatchStates.Resolved ? null : nextDue, message, delivery, impact, resolvedByWatch, watch.IncidentStart);

        private static string Rate(double? value) => value is double v ? v.ToString("#,0.##", CultureInfo.InvariantCulture) : "-";

        private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

        private static string Minutes(TimeSpan span) => span <= TimeSpan.Zero ? "0:00" : $"{(int)span.TotalMinutes}:{span.Seconds:00}";

        private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}

using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>
    /// A Sentry monitor behind an outage issue: a cron monitor (a schedule and the check-ins its job sent or missed)
    /// or an uptime monitor (a URL checked at an interval). Check-ins are newest first, as Sentry lists them.
    /// </summary>
    public sealed class SentryMonitor
    {
        public SentryMonitor(string kind, string id, string slug, string name, string? project, string? schedule, int? checkInMarginMinutes, int? maxRuntimeMinutes, string? status, string? url, IReadOnlyList<SentryCheckIn> checkIns)
        {
            Kind = kind;
            Id = id;
            Slug = slug;
            Name = name;
            Project = project;
            Schedule = schedule;
            CheckInMarginMinutes = checkInMarginMinutes;
            MaxRuntimeMinutes = maxRuntimeMinutes;
            Status = status;
            Url = url;
            CheckIns = checkIns ?? Array.Empty<SentryCheckIn>();
        }

        /// <summary><c>cron</c> or <c>uptime</c>.</summary>
        public string Kind { get; }
        public string Id { get; }
        /// <summary>The cron monitor's slug; an uptime monitor's id.</summary>
        public string Slug { get; }
        public string Name { get; }
        public string? Project { get; }
        /// <summary>A crontab (<c>0 3 * * *</c>), <c>every 1 hour</c>, or for uptime <c>every 60 s</c>.</summary>
        public string? Schedule { get; }
        public int? CheckInMarginMinutes { get; }
        public int? MaxRuntimeMinutes { get; }
        /// <summary>Sentry's word: a cron monitor's environment status (<c>ok</c>, <c>error</c>, <c>active</c>), an uptime monitor's <c>up</c> or <c>down</c>.</summary>
        public string? Status { get; }
        /// <summary>The checked URL (uptime).</summary>
        public string? Url { get; }
        /// <summary>Newest first.</summary>
        public IReadOnlyList<SentryCheckIn> CheckIns { get; }

        public override string ToString() => Kind == "uptime" && Url != null ? $"{Name} ({Url})" : Slug;
    }

    /// <summary>One check-in of a cron job, or one check of an uptime monitor.</summary>
    public sealed class SentryCheckIn
    {
        public SentryCheckIn(string id, string status, string? environment, DateTimeOffset? dateCreated, DateTimeOffset? expectedTime, long? durationMs, int? httpStatusCode = null, string? reason = null)
        {
            Id = id;
            Status = status;
            Environment = environment;
            DateCreated = dateCreated;
            ExpectedTime = expectedTime;
            DurationMs = durationMs;
            HttpStatusCode = httpStatusCode;
            Reason = reason;
        }

        public string Id { get; }
        /// <summary>
        /// <c>ok</c>, <c>error</c>, <c>missed</c>, <c>timeout</c>, <c>in_progress</c> or <c>unknown</c>; an uptime check's
        /// <c>success</c> reads <c>ok</c>, its <c>failure</c> (or <c>failure_incident</c>) <c>error</c>, its <c>missed_window</c> <c>missed</c>.
        /// </summary>
        public string Status { get; }
        public string? Environment { get; }
        public DateTimeOffset? DateCreated { get; }
        /// <summary>When the run was due (cron) or scheduled (uptime).</summary>
        public DateTimeOffset? ExpectedTime { get; }
        public long? DurationMs { get; }
        public int? HttpStatusCode { get; }
        /// <summary>Why an uptime check failed (<c>failure</c>, <c>timeout</c>, <c>dns_error</c>, ...).</summary>
        public string? Reason { get; }

        /// <summary>The run or check did not succeed: an error, a timeout or a miss.</summary>
        public bool IsFailure => Status == "error" || Status == "missed" || Status == "timeout";

        /// <summary>When it was due, else when Sentry recorded it.</summary>
        public DateTimeOffset? At => ExpectedTime ?? DateCreated;

        public override string ToString() => $"{Status} {At:yyyy-MM-dd HH:mm}";
    }

    /// <summary>
    /// The triage report's Monitor section: what a cron or uptime issue's monitor says, read from its last check-ins
    /// instead of stack traces and breadcrumbs. Counts are over <see cref="CheckInsRead"/> check-ins only.
    /// </summary>
    public sealed class SentryMonitorHealth
    {
        public SentryMonitorHealth(SentryMonitor monitor, int checkInsRead, int ok, int missed, int failed, int timedOut, int consecutiveFailures, DateTimeOffset? failingSince, DateTimeOffset? lastOk, DateTimeOffset? lastCheckIn, IReadOnlyList<int> failingHttpStatusCodes, IReadOnlyList<string> failureReasons)
        {
            Monitor = monitor;
            CheckInsRead = checkInsRead;
            Ok = ok;
            Missed = missed;
            Failed = failed;
            TimedOut = timedOut;
            ConsecutiveFailures = consecutiveFailures;
            FailingSince = failingSince;
            LastOk = lastOk;
            LastCheckIn = lastCheckIn;
            FailingHttpStatusCodes = failingHttpStatusCodes;
            FailureReasons = failureReasons;
        }

        public SentryMonitor Monitor { get; }
        /// <summary><c>cron</c> or <c>uptime</c>.</summary>
        public string Kind => Monitor.Kind;
        public string Slug => Monitor.Slug;
        public string Name => Monitor.Name;
        public string? Schedule => Monitor.Schedule;
        public string? Url => Monitor.Url;
        public string? Status => Monitor.Status;
        /// <summary>How many of the latest check-ins were read; the counts below are over these.</summary>
        public int CheckInsRead { get; }
        public int Ok { get; }
        public int Missed { get; }
        /// <summary>Runs that reported an error (cron), or failed checks (uptime).</summary>
        public int Failed { get; }
        public int TimedOut { get; }
        /// <summary>Failures in a row up to the latest check-in; 0 when the latest succeeded.</summary>
        public int ConsecutiveFailures { get; }
        /// <summary>When the current run of failures began (the first failing check-in's due time); null when it is not failing.</summary>
        public DateTimeOffset? FailingSince { get; }
        /// <summary>The last successful check-in among those read; null when none was.</summary>
        public DateTimeOffset? LastOk { get; }
        public DateTimeOffset? LastCheckIn { get; }
        /// <summary>HTTP status codes of the current failures (uptime), most frequent first.</summary>
        public IReadOnlyList<int> FailingHttpStatusCodes { get; }
        /// <summary>Why the current failures failed (uptime: <c>failure</c>, <c>timeout</c>, <c>dns_error</c>; cron: missed, error, timeout).</summary>
        public IReadOnlyList<string> FailureReasons { get; }

        public override string ToString() =>
            $"{Kind} monitor {Monitor}: {Ok} ok, {Missed} missed, {Failed} failed, {TimedOut} timed out of the last {CheckInsRead}";
    }
}

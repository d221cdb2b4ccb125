using System;
using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>
    /// Whether a release is healthy enough to promote, judged against its baseline (by default the release
    /// deployed to the environment before it). Every reason cites its numbers and the query behind them.
    /// </summary>
    public sealed class ReleaseHealthVerdict
    {
        public ReleaseHealthVerdict(
            string release,
            string? baseline,
            string environment,
            string? project,
            string verdict,
            IReadOnlyList<string> reasons,
            ReleaseHealthSignals signals,
            ReleaseHealthFigures figures,
            IReadOnlyList<string> missingSignals,
            string? recommendedAction)
        {
            Release = release;
            Baseline = baseline;
            Environment = environment;
            Project = project;
            Verdict = verdict;
            Reasons = reasons;
            Signals = signals;
            MissingSignals = missingSignals;
            RecommendedAction = recommendedAction;
            CrashFreeSessionRate = figures.CrashFreeSessionRate;
            CrashFreeSessionRateLower = figures.CrashFreeSessionRateLower;
            CrashFreeSessionRateUpper = figures.CrashFreeSessionRateUpper;
            BaselineCrashFreeSessionRate = figures.BaselineCrashFreeSessionRate;
            CrashFreeUserRate = figures.CrashFreeUserRate;
            BaselineCrashFreeUserRate = figures.BaselineCrashFreeUserRate;
            ErrorsPerThousandSessions = figures.ErrorsPerThousandSessions;
            BaselineErrorsPerThousandSessions = figures.BaselineErrorsPerThousandSessions;
        }

        public string Release { get; }
        /// <summary>The release judged, named so that a verdict pipes into Get-SentryRollbackTarget (-BadRelease) by property name.</summary>
        public string BadRelease => Release;
        /// <summary>The release compared with; null when there is none (the first release in the environment).</summary>
        public string? Baseline { get; }
        public string Environment { get; }
        public string? Project { get; }
        /// <summary><c>Pass</c>, <c>Warn</c>, <c>Fail</c> or <c>Inconclusive</c> (not enough data to tell yet).</summary>
        public string Verdict { get; }
        public IReadOnlyList<string> Reasons { get; }
        /// <summary>Percent 0–100; null without session data.</summary>
        public double? CrashFreeSessionRate { get; }
        /// <summary>The Wilson score interval's bounds around <see cref="CrashFreeSessionRate"/>, percent.</summary>
        public double? CrashFreeSessionRateLower { get; }
        public double? CrashFreeSessionRateUpper { get; }
        public double? BaselineCrashFreeSessionRate { get; }
        public double? CrashFreeUserRate { get; }
        public double? BaselineCrashFreeUserRate { get; }
        /// <summary>The release's sessions in the window (adoption); null without session data.</summary>
        public long? Sessions => Signals.Sessions?.Sessions;
        public long? BaselineSessions => Signals.BaselineSessions?.Sessions;
        /// <summary>Issues first seen in the release, with their users and level.</summary>
        public IReadOnlyList<ReleaseIssue> NewIssues => Signals.NewIssues;
        /// <summary>Issues that came back (regressed) in the release.</summary>
        public IReadOnlyList<ReleaseIssue> RegressedIssues => Signals.RegressedIssues;
        public double? ErrorsPerThousandSessions { get; }
        public double? BaselineErrorsPerThousandSessions { get; }
        /// <summary>p95 of the release's busiest transactions beside the baseline's.</summary>
        public IReadOnlyList<ReleaseTransaction> Transactions => Signals.Transactions;
        /// <summary>Signals Sentry could not give, with the reason; a verdict without them says what it was judged on.</summary>
        public IReadOnlyList<string> MissingSignals { get; }
        /// <summary>What to do next; on Fail, the rollback.</summary>
        public string? RecommendedAction { get; }
        /// <summary>The start of the window the release was judged on.</summary>
        public DateTimeOffset Since => Signals.Since;
        public DateTimeOffset EvaluatedAt => Signals.EvaluatedAt;
        /// <summary>What was asked of Sentry, for the record.</summary>
        public IReadOnlyList<ImpactQuery> Queries => Signals.Queries;
        /// <summary>The raw counts the verdict was computed from.</summary>
        public ReleaseHealthSignals Signals { get; }

        public override string ToString() => $"{Release} in {Environment}: {Verdict}";
    }

    /// <summary>The rates a verdict reports, in percent; computed by the judge from the signals.</summary>
    public sealed class ReleaseHealthFigures
    {
        public double? CrashFreeSessionRate { get; set; }
        public double? CrashFreeSessionRateLower { get; set; }
        public double? CrashFreeSessionRateUpper { get; set; }
        public double? BaselineCrashFreeSessionRate { get; set; }
        public double? CrashFreeUserRate { get; set; }
        public double? BaselineCrashFreeUserRate { get; set; }
        public double? ErrorsPerThousandSessions { get; set; }
        public double? BaselineErrorsPerThousandSessions { get; set; }
    }

    /// <summary>Session counts of one release in one environment over the window.</summary>
    public sealed class SessionCounts
    {
        public SessionCounts(long sessions, long crashedSessions, long? users, long? crashedUsers)
        {
            if (sessions < 0 || crashedSessions < 0 || crashedSessions > sessions) throw new ArgumentOutOfRangeException(nameof(crashedSessions), "crashed sessions must be between 0 and the sessions");
            if (users.HasValue && crashedUsers.HasValue && (crashedUsers < 0 || crashedUsers > users)) throw new ArgumentOutOfRangeException(nameof(crashedUsers), "crashed users must be between 0 and the users");
            Sessions = sessions;
            CrashedSessions = crashedSessions;
            Users = users;
            CrashedUsers = crashedUsers;
        }

        public long Sessions { get; }
        public long CrashedSessions { get; }
        public long? Users { get; }
        public long? CrashedUsers { get; }

        public override string ToString() => $"{CrashedSessions} crashed of {Sessions} sessions";
    }

    /// <summary>An issue new in (or regressed in) a release.</summary>
    public sealed class ReleaseIssue
    {
        public ReleaseIssue(string id, string? shortId, string title, string? level, long events, long users, bool? isUnhandled, string? permalink)
        {
            Id = id;
            ShortId = shortId;
            Title = title;
            Level = level;
            Events = events;
            Users = users;
            IsUnhandled = isUnhandled;
            Permalink = permalink;
        }

        public string Id { get; }
        public string? ShortId { get; }
        public string Title { get; }
        public string? Level { get; }
        public long Events { get; }
        public long Users { get; }
        public bool? IsUnhandled { get; }
        public string? Permalink { get; }

        public override string ToString() => $"{ShortId ?? Id} {Title}";
    }

    /// <summary>One busy transaction's p95 in the release beside the baseline's.</summary>
    public sealed class ReleaseTransaction
    {
        public ReleaseTransaction(string transaction, long count, double? p95DurationMs, long? baselineCount, double? baselineP95DurationMs)
        {
            Transaction = transaction;
            Count = count;
            P95DurationMs = p95DurationMs;
            BaselineCount = baselineCount;
            BaselineP95DurationMs = baselineP95DurationMs;
        }

        public string Transaction { get; }
        public long Count { get; }
        public double? P95DurationMs { get; }
        public long? BaselineCount { get; }
        public double? BaselineP95DurationMs { get; }
        /// <summary>Percent change of p95 over the baseline; null when either is unknown.</summary>
        public double? ChangePercent => P95DurationMs is double p && BaselineP95DurationMs is double b && b > 0 ? Math.Round((p - b) / b * 100, 1) : (double?)null;

        public override string ToString() => $"{Transaction}: p95 {P95DurationMs} ms (baseline {BaselineP95DurationMs} ms)";
    }

    /// <summary>
    /// What was gathered about a release and its baseline, as counts: the input of the verdict. A null figure
    /// means Sentry could not give it (the reason is in <see cref="MissingSignals"/>).
    /// </summary>
    public sealed class ReleaseHealthSignals
    {
        public string Release { get; set; } = string.Empty;
        public string? Baseline { get; set; }
        public string Environment { get; set; } = string.Empty;
        public string? Project { get; set; }
        public DateTimeOffset Since { get; set; }
        public DateTimeOffset EvaluatedAt { get; set; }
        /// <summary>False when neither the release nor its baseline sent sessions in their windows (the project sends none): the release is judged on issues alone.</summary>
        public bool ProjectHasSessions { get; set; }
        public SessionCounts? Sessions { get; set; }
        public SessionCounts? BaselineSessions { get; set; }
        /// <summary>The sessions query, cited by the reasons about crash-free rates and adoption.</summary>
        public string? SessionsQuery { get; set; }
        public long? Errors { get; set; }
        public long? BaselineErrors { get; set; }
        public string? ErrorsQuery { get; set; }
        public IReadOnlyList<ReleaseIssue> NewIssues { get; set; } = Array.Empty<ReleaseIssue>();
        public string? NewIssuesQuery { get; set; }
        public IReadOnlyList<ReleaseIssue> RegressedIssues { get; set; } = Array.Empty<ReleaseIssue>();
        public string? RegressedIssuesQuery { get; set; }
        public IReadOnlyList<ReleaseTransaction> Transactions { get; set; } = Array.Empty<ReleaseTransaction>();
        public string? TransactionsQuery { get; set; }
        /// <summary>How the baseline was chosen, in words (named by the caller, or the release deployed before).</summary>
        public string? BaselineSource { get; set; }
        public List<string> MissingSignals { get; } = new List<string>();
        public List<ImpactQuery> Queries { get; } = new List<ImpactQuery>();
    }
}

using System.Collections;
using SentryRunbook.Analysis;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Core;

public class ReleaseHealthJudgeTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private static ReleaseHealthSignals Signals(
        long? sessions = 1200, long crashed = 2, long? users = 400, long crashedUsers = 2,
        long? baselineSessions = 12000, long baselineCrashed = 20,
        long? errors = null, long? baselineErrors = null,
        ReleaseIssue[]? newIssues = null, ReleaseIssue[]? regressed = null, ReleaseTransaction[]? transactions = null,
        bool projectHasSessions = true, string? baseline = "web@1.0.0")
    {
        var signals = new ReleaseHealthSignals
        {
            Release = "web@1.1.0",
            Baseline = baseline,
            Environment = "production",
            Project = "web",
            Since = Since,
            EvaluatedAt = Since.AddHours(2),
            ProjectHasSessions = projectHasSessions,
            Sessions = sessions is long n ? new SessionCounts(n, crashed, users, users is null ? null : crashedUsers) : null,
            BaselineSessions = baselineSessions is long b && baseline != null ? new SessionCounts(b, baselineCrashed, b / 3, Math.Min(b / 3, baselineCrashed)) : null,
            SessionsQuery = "sessions/ q1",
            Errors = errors,
            BaselineErrors = baselineErrors,
            ErrorsQuery = "events/ q2",
            NewIssues = newIssues ?? Array.Empty<ReleaseIssue>(),
            NewIssuesQuery = "issues/ q3",
            RegressedIssues = regressed ?? Array.Empty<ReleaseIssue>(),
            RegressedIssuesQuery = "issues/ q4",
            Transactions = transactions ?? Array.Empty<ReleaseTransaction>(),
            TransactionsQuery = "events/ q5",
        };
        return signals;
    }

    private static ReleaseIssue Issue(string level, long users, bool unhandled = false) =>
        new("1", "WEB-1", "TypeError: x is undefined", level, users * 3, users, unhandled, null);

    public static TheoryData<string, ReleaseHealthSignals, string, string> Table => new()
    {
        // name, signals, expected verdict, a word the deciding reason must contain
        { "1 crash in 10 sessions is Inconclusive, not Fail", Signals(sessions: 10, crashed: 1, users: 10, crashedUsers: 1), ReleaseHealthJudge.Inconclusive, "straddles" },
        { "110 crashed of 800 fails the 95% line", Signals(sessions: 800, crashed: 110, users: 400, crashedUsers: 110), ReleaseHealthJudge.Fail, "below the 95% line even at the top" },
        { "2 crashed of 1200 like the baseline passes", Signals(), ReleaseHealthJudge.Pass, "above the 95% line" },
        // 0 crashes: the Wilson lower bound is n / (n + z²); ≥ 0.95 needs n ≥ 0.95 · 3.8415 / 0.05 = 72.99.
        { "0 crashes in 73 sessions clears the line", Signals(sessions: 73, crashed: 0, users: 73, crashedUsers: 0, baselineSessions: 73, baselineCrashed: 0), ReleaseHealthJudge.Pass, "above the 95% line" },
        { "0 crashes in 72 sessions cannot yet", Signals(sessions: 72, crashed: 0, users: 72, crashedUsers: 0, baselineSessions: 73, baselineCrashed: 0), ReleaseHealthJudge.Inconclusive, "too few sessions" },
        { "no sessions yet", Signals(sessions: 0, crashed: 0, users: 0, crashedUsers: 0), ReleaseHealthJudge.Inconclusive, "no sessions" },
        { "significant drop from the baseline warns", Signals(sessions: 5000, crashed: 150, users: 1000, crashedUsers: 20, baselineSessions: 10000, baselineCrashed: 50), ReleaseHealthJudge.Warn, "crash-free sessions fell" },
        { "a drop that is not significant does not", Signals(sessions: 3000, crashed: 18, users: 1000, crashedUsers: 10, baselineSessions: 10000, baselineCrashed: 50), ReleaseHealthJudge.Pass, "no significant drop" },
        // 1 crash in 10 against 20 in 12,000: z = 7.4, but 0.017 crashes are expected in the release (Cochran's rule fails).
        { "too few expected crashes to compare", Signals(sessions: 10, crashed: 1, users: 10, crashedUsers: 1), ReleaseHealthJudge.Inconclusive, "too few sessions to compare yet" },
        { "a new issue with 150 users fails", Signals(newIssues: new[] { Issue("error", 150) }), ReleaseHealthJudge.Fail, "more than the policy's 100 users" },
        { "a new issue with exactly 100 users warns", Signals(newIssues: new[] { Issue("error", 100) }), ReleaseHealthJudge.Warn, "new issue WEB-1" },
        { "a new warning with few users is noted", Signals(newIssues: new[] { Issue("warning", 3) }), ReleaseHealthJudge.Pass, "Noted" },
        { "a new unhandled warning warns", Signals(newIssues: new[] { Issue("warning", 3, unhandled: true) }), ReleaseHealthJudge.Warn, "unhandled" },
        { "a regression warns", Signals(regressed: new[] { Issue("error", 4) }), ReleaseHealthJudge.Warn, "regressed issue" },
        { "p95 up 50% warns", Signals(transactions: new[] { new ReleaseTransaction("GET /", 300, 900, 3000, 600) }), ReleaseHealthJudge.Warn, "latency regression" },
        { "p95 up exactly 25% warns", Signals(transactions: new[] { new ReleaseTransaction("GET /", 300, 750, 3000, 600) }), ReleaseHealthJudge.Warn, "+25%" },
        { "p95 up 24.9% does not", Signals(transactions: new[] { new ReleaseTransaction("GET /", 300, 749.4, 3000, 600) }), ReleaseHealthJudge.Pass, "+24.9%" },
        { "p95 on 49 transactions is not compared", Signals(transactions: new[] { new ReleaseTransaction("GET /", 49, 5000, 3000, 600) }), ReleaseHealthJudge.Pass, "fewer than the policy's 50" },
        { "errors per session up 150% warns", Signals(sessions: 1000, crashed: 1, baselineSessions: 1000, baselineCrashed: 1, errors: 50, baselineErrors: 20), ReleaseHealthJudge.Warn, "errors per 1,000 sessions rose 150%" },
        { "a few more errors on little traffic does not", Signals(sessions: 100, crashed: 0, users: 100, crashedUsers: 0, baselineSessions: 10000, baselineCrashed: 10, errors: 2, baselineErrors: 100), ReleaseHealthJudge.Pass, "too few errors to compare yet" },
        { "errors per session up 20% is below the policy's 50%", Signals(sessions: 10000, crashed: 10, baselineSessions: 10000, baselineCrashed: 10, errors: 600, baselineErrors: 500), ReleaseHealthJudge.Pass, "no significant rise" },
        { "no sessions at all: judged on issues alone", Signals(sessions: null, baselineSessions: null, projectHasSessions: false, newIssues: new[] { Issue("fatal", 5) }), ReleaseHealthJudge.Warn, "judged on issues alone" },
        { "no sessions and nothing wrong passes on issues alone", Signals(sessions: null, baselineSessions: null, projectHasSessions: false), ReleaseHealthJudge.Pass, "judged on issues alone" },
        { "no baseline: judged on its own", Signals(baseline: null), ReleaseHealthJudge.Pass, "No baseline" },
        { "crash-free users below the line warns", Signals(sessions: 2000, crashed: 40, users: 200, crashedUsers: 40), ReleaseHealthJudge.Warn, "crash-free users 80%" },
        { "fail beats warn", Signals(sessions: 800, crashed: 110, regressed: new[] { Issue("error", 4) }), ReleaseHealthJudge.Fail, "Get-SentryRollbackTarget" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Verdicts_on_tables_of_counts(string name, ReleaseHealthSignals signals, string verdict, string reasonWord)
    {
        ReleaseHealthVerdict result = ReleaseHealthJudge.Judge(signals);
        Assert.True(verdict == result.Verdict, $"{name}: expected {verdict}, got {result.Verdict}: {string.Join(" | ", result.Reasons)}");
        Assert.True(result.Reasons.Any(r => r.Contains(reasonWord, StringComparison.Ordinal)), $"{name}: no reason contains '{reasonWord}': {string.Join(" | ", result.Reasons)}");
    }

    [Fact]
    public void Reasons_cite_their_numbers_and_query()
    {
        ReleaseHealthVerdict result = ReleaseHealthJudge.Judge(Signals(sessions: 800, crashed: 110, users: 400, crashedUsers: 110));
        string fail = result.Reasons.First(r => r.StartsWith("Fail: crash-free", StringComparison.Ordinal));
        // 690/800 = 86.25%; Wilson at 1.96 by hand: centre (0.8625 + 0.0024010) / 1.0048020 = 0.8607564,
        // half 1.9505914 · √(0.00014824 + 0.0000015) = 1.9505914 · 0.01223638 = 0.0238682 → 83.69–88.46%.
        Assert.Contains("86.25%", fail);
        Assert.Contains("110 crashed of 800", fail);
        Assert.Contains("83.69–88.46%", fail);
        Assert.Contains("[sessions/ q1]", fail);
        Assert.Equal(86.25, result.CrashFreeSessionRate);
        Assert.Equal(83.69, result.CrashFreeSessionRateLower);
        Assert.Equal(88.46, result.CrashFreeSessionRateUpper);
        Assert.Equal(99.83, result.BaselineCrashFreeSessionRate);
        Assert.Equal(72.5, result.CrashFreeUserRate);
        Assert.Equal(800, result.Sessions);
        Assert.Contains("Get-SentryRollbackTarget", result.RecommendedAction);
        Assert.Equal("web@1.1.0", result.BadRelease);
    }

    [Fact]
    public void Errors_per_thousand_sessions_are_computed_for_both()
    {
        ReleaseHealthVerdict result = ReleaseHealthJudge.Judge(Signals(sessions: 1600, crashed: 2, errors: 40, baselineSessions: 12000, baselineErrors: 60));
        Assert.Equal(25, result.ErrorsPerThousandSessions);
        Assert.Equal(5, result.BaselineErrorsPerThousandSessions);
        Assert.Equal(ReleaseHealthJudge.Warn, result.Verdict);
    }

    [Fact]
    public void A_project_without_sessions_lists_the_missing_signal()
    {
        ReleaseHealthVerdict result = ReleaseHealthJudge.Judge(Signals(sessions: null, baselineSessions: null, projectHasSessions: false));
        Assert.Contains(result.MissingSignals, m => m.StartsWith("CrashFreeSessionRate", StringComparison.Ordinal));
        Assert.Null(result.CrashFreeSessionRate);
        Assert.Null(result.Sessions);
    }

    [Fact]
    public void Policy_moves_the_line_and_the_thresholds()
    {
        var policy = IncidentPolicy.FromOverrides(new Hashtable { ["CrashFreeRateBelow"] = 80, ["ReleaseNewIssueUsersAbove"] = 500, ["ReleaseLatencyIncreaseAbove"] = 60 });
        ReleaseHealthSignals signals = Signals(sessions: 800, crashed: 110, users: 400, crashedUsers: 20, newIssues: new[] { Issue("info", 150) }, transactions: new[] { new ReleaseTransaction("GET /", 300, 900, 3000, 600) });
        ReleaseHealthVerdict result = ReleaseHealthJudge.Judge(signals, policy);
        // 86.25% (83.69–88.46%) is above an 80% line; 150 users is below 500; +50% latency is below 60%;
        // but the crash rate is significantly worse than the baseline's 99.83%.
        Assert.Equal(ReleaseHealthJudge.Warn, result.Verdict);
        Assert.Contains(result.Reasons, r => r.StartsWith("Warn: crash-free sessions fell", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Reasons, r => r.StartsWith("Fail", StringComparison.Ordinal));
    }

    [Fact]
    public void Release_policy_keys_are_validated()
    {
        PolicyException ex = Assert.Throws<PolicyException>(() => IncidentPolicy.FromOverrides(new Hashtable { ["ReleaseSignificance"] = 2 }));
        Assert.Equal("ReleaseSignificance", ex.Key);
        Assert.Equal(0.01, IncidentPolicy.FromOverrides(new Hashtable { ["releasesignificance"] = 0.01 }).ReleaseSignificance);
        Assert.Contains("ReleaseMinimumTransactions", IncidentPolicy.SettingNames);
    }
}

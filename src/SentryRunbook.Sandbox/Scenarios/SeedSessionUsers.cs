using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// Gives seed-examples' session buckets distinct users, so `count_unique(user)` and
/// `crash_free_rate(user)` mean something: each per-minute bucket is split into one aggregate row per
/// user (a `did`), two sessions per healthy/errored user and up to three per crashed user (people retry a
/// checkout that crashes). Users come from a per-project pool (web 20,000, api 30,000) by a hash of the
/// minute's age, so ids are identical on every start. Web's crash-free users over the last hour: ≈93%.
/// Totals per bucket are unchanged (the Sessions_CrashFreeRates numbers hold).
/// </summary>
public static class SeedSessionUsers
{
    public static void Add(ScenarioBuilder b, SessionAggregate a)
    {
        var pool = a.Project.Slug == "api" ? 30_000UL : 20_000UL;
        var minute = (ulong)Math.Round((b.Now - a.Started).TotalMinutes);
        var k = 0UL;
        string User() => $"{a.Project.Slug}-user-{Mix((minute << 16) + k++ + (ulong)a.Started.Second) % pool}";

        for (var left = a.Crashed; left > 0; left -= 3)
            b.Store.AddSessionAggregate(a with { Did = User(), Exited = 0, Errored = 0, Crashed = Math.Min(3, left), Abnormal = 0 });

        int errored = a.Errored, abnormal = a.Abnormal, exited = a.Exited;
        while (errored + abnormal + exited > 0)
        {
            int e = 0, ab = 0, x = 0;
            for (var n = 0; n < 2 && errored + abnormal + exited > 0; n++)
            {
                if (errored > 0) { errored--; e++; }
                else if (abnormal > 0) { abnormal--; ab++; }
                else { exited--; x++; }
            }
            b.Store.AddSessionAggregate(a with { Did = User(), Exited = x, Errored = e, Crashed = 0, Abnormal = ab });
        }
    }

    /// <summary>SplitMix64's finaliser: a stable, well-spread hash (HashCode is randomised per process).</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

using SentryRunbook.Sandbox.Model;
using static SentryRunbook.Sandbox.Tests.StoreTestData;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// The store holds 100,000 events and its counters stay exact at that size. How fast it is belongs to
/// the benchmark in bench/, not to a test.
/// </summary>
public sealed class ScaleTests
{
    [Fact]
    public void HundredThousandEvents_KeepExactCounters()
    {
        var data = new StoreTestData();
        var frames = Enumerable.Range(0, 500).Select(i => new Frame[] { InApp("f" + i, "file.ts") }).ToArray();
        for (var i = 0; i < 100_000; i++)
            data.Store.Ingest(data.Error("E", "v", frames[i % 500], T0.AddSeconds(-i), i % 2 == 0 ? "web@1.0" : "web@1.1", user: "u" + (i % 997)));

        var top = data.Store.Read(s => s.Issues.OrderByDescending(i => i.Count).ThenByDescending(i => i.LastSeen).Take(100)
            .Select(i => (i.ShortId, i.Count, i.UserCount, Hourly: WireFormat.Stats.Hourly(i, T0, 24))).ToList());
        var inWindow = data.Store.Read(s => s.AllEvents.Count(e => e.Timestamp >= T0.AddHours(-1) && e.Release == "web@1.1"));

        Assert.Equal(500, data.Store.Issues.Count);
        Assert.Equal(100_000, data.Store.Read(s => s.AllEvents.Count));
        Assert.Equal(200, top[0].Count);
        Assert.Equal(1800, inWindow);
    }
}

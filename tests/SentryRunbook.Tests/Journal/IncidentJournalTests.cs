using System.Text.Json;
using SentryRunbook.Client.Json;
using SentryRunbook.Journal;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Journal;

/// <summary>The journal file: one JSON line per action, read back exactly, never interleaved by concurrent writers.</summary>
public class IncidentJournalTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"journal-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_path);

    private static readonly DateTimeOffset T = new(2026, 12, 3, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_status_change_round_trips_with_its_states_and_nothing_secret()
    {
        var before = new IssueState("ignored", "archived_until_condition_met", new SentryStatusDetails(ignoreCount: 100, ignoreWindow: 60, ignoreUntil: T.AddHours(2), actor: "Ada <b>"));
        var after = new IssueState("resolved", null, new SentryStatusDetails(inNextRelease: true));
        var entry = new JournalEntry(T, "ada@host", JournalActions.SetStatus, "4123", "WEB-1A", "web", "resolve in the next release", "rolled \"back\"\n", before, after);
        IncidentJournal.Append(_path, entry);
        IncidentJournal.Append(_path, new JournalEntry(T.AddMinutes(1), "ada@host", JournalActions.SendMessage, "PagerDuty", dedupKey: "sentry-4123", messageKind: "Initial", succeeded: false, detail: "429"));

        string[] lines = File.ReadAllLines(_path);
        Assert.Equal(2, lines.Length);
        foreach (string line in lines) using (JsonDocument.Parse(line)) { }
        Assert.StartsWith("""{"time":"2026-12-03T03:00:00.000Z","user":"ada@host","action":"SetStatus","target":"4123",""", lines[0]);

        var read = JournalReader.Read(new StringReader(File.ReadAllText(_path)));
        Assert.Equal(2, read.Count);
        JournalEntry back = read[0];
        Assert.Equal(T, back.Time);
        Assert.Equal("WEB-1A", back.ShortId);
        Assert.Equal("rolled \"back\"\n", back.Reason);
        Assert.True(back.Before!.SameAs(before));
        Assert.Equal(100, back.Before.StatusDetails.IgnoreCount);
        Assert.Equal(T.AddHours(2), back.Before.StatusDetails.IgnoreUntil);
        Assert.Equal("Ada <b>", back.Before.StatusDetails.Actor);
        Assert.True(back.After!.SameAs(after));
        Assert.False(back.After.SameAs(before));
        Assert.Equal("sentry-4123", read[1].DedupKey);
        Assert.False(read[1].Succeeded);
    }

    [Fact]
    public void Concurrent_writers_append_whole_lines_and_lose_none()
    {
        const int writers = 6, each = 40;
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            for (int i = 0; i < each; i++)
            {
                // Batches of two lines must stay together.
                IncidentJournal.Append(_path, new[]
                {
                    new JournalEntry(T, $"w{w}@host", JournalActions.AddNote, $"{w}-{i}", change: new string('x', 3000)),
                    new JournalEntry(T, $"w{w}@host", JournalActions.AddNote, $"{w}-{i}-b"),
                });
            }
        });

        var read = JournalReader.Read(new StringReader(File.ReadAllText(_path)));
        Assert.Equal(writers * each * 2, read.Count);
        Assert.Equal(writers * each * 2, read.Select(e => e.Target).Distinct().Count());
        for (int i = 0; i < read.Count; i += 2) Assert.Equal(read[i].Target + "-b", read[i + 1].Target);
    }

    [Fact]
    public void A_line_that_is_not_an_entry_is_named()
    {
        var ex = Assert.Throws<InvalidDataException>(() => JournalReader.Read(new StringReader("{\"time\":\"2026-12-03T03:00:00Z\",\"action\":\"AddNote\",\"target\":\"1\"}\n\nnot json\n")));
        Assert.Contains("line 3", ex.Message);
        Assert.Throws<InvalidDataException>(() => JournalReader.Read(new StringReader("{\"action\":\"AddNote\"}")));
    }
}

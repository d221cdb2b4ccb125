using System.Text.Json;
using SentryRunbook.Analysis;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Core;

/// <summary>The watch's state machine over tables of per-minute counts: one round a minute, the clock given by the test.</summary>
public class IncidentWatchTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Feeds the counts minute by minute (each round 10 s after its minute ends) and returns the rounds.</summary>
    private static List<WatchRound> Run(IncidentWatch watch, IReadOnlyList<double> counts, string status = "unresolved", string? substatus = "ongoing", int offset = 0)
    {
        var rounds = new List<WatchRound>();
        for (int i = 0; i < counts.Count; i++)
        {
            DateTimeOffset minute = Start.AddMinutes(offset + i);
            rounds.Add(watch.Observe(minute.AddSeconds(70), new[] { new KeyValuePair<DateTimeOffset, double>(minute, counts[i]) }, status, substatus));
        }

        return rounds;
    }

    private static List<string> States(IEnumerable<WatchRound> rounds) => rounds.Select(r => r.State).ToList();

    private static double[] Repeat(double value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>Poisson-like noise around 20/min: fixed, so every run sees the same minutes (all within the 99.9% band).</summary>
    private static readonly double[] NoiseAround20 = { 18, 24, 15, 21, 27, 19, 13, 22, 25, 17, 20, 29, 16, 23, 19, 26, 14, 21, 18, 24, 22, 17, 20, 28, 19 };

    [Fact]
    public void A_spike_is_ongoing_then_mitigating_and_recovers_after_exactly_fifteen_minutes_at_the_baseline()
    {
        var watch = new IncidentWatch(Start, 20, TimeSpan.FromMinutes(15));
        double[] counts = new double[] { 400, 420, 390 }.Concat(NoiseAround20.Take(20)).ToArray();
        List<WatchRound> rounds = Run(watch, counts);

        Assert.Equal(WatchStates.Ongoing, rounds[0].State);
        Assert.Equal(WatchStates.Ongoing, rounds[2].State);
        Assert.Contains(WatchStates.Mitigating, States(rounds.Take(17)));
        // Minutes 3..17 are the first fifteen at the baseline: round 17 is the first that may say Recovered.
        Assert.All(rounds.Take(17), r => Assert.NotEqual(WatchStates.Recovered, r.State));
        Assert.Equal(WatchStates.Recovered, rounds[17].State);
        Assert.Equal(15, rounds[17].MinutesAtBaseline);
        Assert.Equal(420, rounds[17].PeakEventsPerMinute);
        Assert.Equal(20, rounds[17].BaselineEventsPerMinute);
        Assert.All(rounds.Skip(17), r => Assert.Equal(WatchStates.Recovered, r.State));
    }

    [Fact]
    public void A_plateau_stays_ongoing_however_long_and_however_noisy()
    {
        var watch = new IncidentWatch(Start, 5, TimeSpan.FromMinutes(15));
        double[] plateau = { 60, 180, 240, 250, 236, 261, 244, 255, 239, 248, 262, 241, 250, 257, 238, 246, 252, 243, 259, 240, 251, 249, 236, 263, 247, 250, 244, 256, 239, 252 };
        List<WatchRound> rounds = Run(watch, plateau);
        Assert.All(rounds, r => Assert.Equal(WatchStates.Ongoing, r.State));
        Assert.Equal(263, rounds[^1].PeakEventsPerMinute);
        Assert.Equal(0, rounds[^1].MinutesAtBaseline);
    }

    [Fact]
    public void A_slow_decay_is_mitigating_for_as_long_as_any_minute_is_above_the_baseline_s_noise()
    {
        // 2/min before the incident; 200/min at its start, halving every 7 minutes.
        double[] decay = Enumerable.Range(0, 80).Select(t => Math.Round(2 + 198 * Math.Pow(0.5, t / 7.0))).ToArray();
        var watch = new IncidentWatch(Start, 2, TimeSpan.FromMinutes(15));
        List<WatchRound> rounds = Run(watch, decay);

        double ceiling = watch.MinuteCeiling;
        Assert.InRange(ceiling, 6, 9);
        int firstQuiet = Array.FindIndex(decay, c => c <= ceiling);
        // Fifteen minutes each within the noise band, and together within the window's band: the tail of the decay
        // (8, 7, 7, 6, ... events a minute) is still above a 2/min baseline as a whole, so recovery waits for the
        // window to hold no more than the baseline's noise allows.
        int expectedRecovery = Enumerable.Range(14, decay.Length - 14).First(i => decay.Skip(i - 14).Take(15).All(c => c <= ceiling) && decay.Skip(i - 14).Take(15).Sum() <= watch.WindowCeiling);
        Assert.True(expectedRecovery > firstQuiet + 14);
        Assert.True(decay.Skip(expectedRecovery - 14).Take(15).Average() < 3.5);

        // Every minute had fewer events than the minute before long before that: that is not recovery.
        Assert.All(rounds.Take(expectedRecovery), r => Assert.NotEqual(WatchStates.Recovered, r.State));
        Assert.Equal(WatchStates.Recovered, rounds[expectedRecovery].State);
        int firstMitigating = States(rounds).IndexOf(WatchStates.Mitigating);
        Assert.InRange(firstMitigating, 7, 14);
        Assert.All(rounds.Skip(firstMitigating).Take(expectedRecovery - firstMitigating), r => Assert.Equal(WatchStates.Mitigating, r.State));
    }

    [Fact]
    public void Noise_around_the_baseline_counts_as_the_baseline_but_one_minute_above_it_starts_the_window_again()
    {
        double[] quiet = NoiseAround20.ToArray();
        var calm = new IncidentWatch(Start, 20, TimeSpan.FromMinutes(15));
        List<WatchRound> calmRounds = Run(calm, new double[] { 300, 300 }.Concat(quiet).ToArray());
        Assert.Equal(WatchStates.Recovered, calmRounds[16].State);

        double[] withBurst = (double[])quiet.Clone();
        withBurst[6] = 45; // above the 99.9% band of Poisson(20)
        var bursty = new IncidentWatch(Start, 20, TimeSpan.FromMinutes(15));
        List<WatchRound> rounds = Run(bursty, new double[] { 300, 300 }.Concat(withBurst).ToArray());
        int burst = 2 + 6;
        Assert.All(rounds.Take(burst + 15), r => Assert.NotEqual(WatchStates.Recovered, r.State));
        Assert.Equal(WatchStates.Recovered, rounds[burst + 15].State);
    }

    [Fact]
    public void A_window_of_minutes_each_just_under_the_ceiling_is_still_not_the_baseline()
    {
        var watch = new IncidentWatch(Start, 20, TimeSpan.FromMinutes(15));
        double underCeiling = watch.MinuteCeiling;
        List<WatchRound> rounds = Run(watch, new double[] { 300 }.Concat(Repeat(underCeiling, 20)).ToArray());
        // Each minute is noise on its own, but fifteen of them in a row are far more than the baseline gives.
        Assert.All(rounds, r => Assert.NotEqual(WatchStates.Recovered, r.State));
        Assert.Equal(WatchStates.Mitigating, rounds[^1].State);
    }

    [Fact]
    public void A_baseline_of_zero_means_no_event_at_all()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(15));
        Assert.Equal(0, watch.MinuteCeiling);
        double[] counts = new double[] { 50, 30, 10 }.Concat(Repeat(0, 7)).Concat(new double[] { 1 }).Concat(Repeat(0, 16)).ToArray();
        List<WatchRound> rounds = Run(watch, counts);
        // The single event at minute 10 starts the fifteen minutes again: recovered at minute 25, not 17.
        Assert.All(rounds.Take(25), r => Assert.NotEqual(WatchStates.Recovered, r.State));
        Assert.Equal(WatchStates.Recovered, rounds[25].State);

        var trickle = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(15));
        Assert.All(Run(trickle, new double[] { 40 }.Concat(Repeat(1, 30)).ToArray()), r => Assert.NotEqual(WatchStates.Recovered, r.State));
    }

    [Fact]
    public void An_unknown_baseline_is_taken_as_zero_and_said()
    {
        var watch = new IncidentWatch(Start, null, TimeSpan.FromMinutes(1));
        List<WatchRound> rounds = Run(watch, new double[] { 10, 0 });
        Assert.False(rounds[1].BaselineKnown);
        Assert.Equal(WatchStates.Recovered, rounds[1].State);
        Assert.Contains("assumed", rounds[1].Reason);
    }

    [Fact]
    public void Mitigating_does_not_flap_when_the_rate_hovers_near_half_the_peak()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(15));
        // Peak 100; then between 45 and 70 (45%..70% of the peak's excess): once mitigating, it stays so.
        double[] counts = new double[] { 100, 100, 100, 100, 100 }.Concat(new double[] { 40, 40, 40, 40, 40, 70, 60, 70, 65, 70, 60, 70 }).ToArray();
        List<WatchRound> rounds = Run(watch, counts);
        int first = States(rounds).IndexOf(WatchStates.Mitigating);
        Assert.True(first > 0);
        Assert.All(rounds.Skip(first), r => Assert.Equal(WatchStates.Mitigating, r.State));

        // Back above four fifths of the peak: ongoing again.
        List<WatchRound> more = Run(watch, Repeat(100, 5), offset: counts.Length);
        Assert.Equal(WatchStates.Ongoing, more[^1].State);
    }

    [Fact]
    public void Resolved_then_new_events_is_a_regression_with_its_own_wave()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(3));
        List<WatchRound> first = Run(watch, new double[] { 80, 20, 0, 0, 0 });
        Assert.Equal(WatchStates.Recovered, first[^1].State);

        List<WatchRound> resolved = Run(watch, new double[] { 0, 0 }, status: "resolved", substatus: null, offset: 5);
        Assert.All(resolved, r => Assert.Equal(WatchStates.Resolved, r.State));
        Assert.NotNull(watch.ResolvedAt);

        List<WatchRound> back = Run(watch, new double[] { 12, 30, 30, 30, 30, 6, 2, 0, 0, 0 }, status: "unresolved", substatus: "regressed", offset: 7);
        Assert.Equal(WatchStates.Regressed, back[0].State);
        Assert.True(back[0].Changed);
        Assert.All(back.Take(7), r => Assert.Equal(WatchStates.Regressed, r.State));
        // The regression's own peak, not the first wave's 80.
        Assert.Equal(30, back[4].PeakEventsPerMinute);
        // Back at the baseline (a minute without events) but not for the whole window yet.
        Assert.Equal(WatchStates.Mitigating, back[7].State);
        Assert.Equal(WatchStates.Mitigating, back[8].State);
        Assert.Equal(WatchStates.Recovered, back[9].State);
    }

    [Fact]
    public void A_watch_that_starts_on_an_issue_sentry_marks_regressed_reports_it()
    {
        var watch = new IncidentWatch(Start, 1, TimeSpan.FromMinutes(15));
        WatchRound round = Run(watch, new double[] { 25 }, substatus: "regressed")[0];
        Assert.Equal(WatchStates.Regressed, round.State);
        Assert.Null(round.PreviousState);
    }

    [Fact]
    public void A_minute_read_again_with_late_events_replaces_the_first_reading()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(1));
        Run(watch, new double[] { 40 });
        DateTimeOffset quietMinute = Start.AddMinutes(1);
        WatchRound early = watch.Observe(quietMinute.AddSeconds(65), new[] { KeyValuePair.Create(quietMinute, 0.0) }, "unresolved", null);
        Assert.Equal(WatchStates.Recovered, early.State);
        WatchRound late = watch.Observe(quietMinute.AddSeconds(125), new[] { KeyValuePair.Create(quietMinute, 9.0), KeyValuePair.Create(quietMinute.AddMinutes(1), 9.0) }, "unresolved", null);
        Assert.NotEqual(WatchStates.Recovered, late.State);
    }

    [Fact]
    public void Minutes_that_were_never_read_are_not_quiet_minutes()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(3));
        Run(watch, new double[] { 50, 50 });
        // Ten minutes later with no new reading (the reads failed): nothing is known about them, so no recovery.
        WatchRound round = watch.Observe(Start.AddMinutes(12), Array.Empty<KeyValuePair<DateTimeOffset, double>>(), "unresolved", null);
        Assert.NotEqual(WatchStates.Recovered, round.State);
        Assert.Equal(50, round.EventsPerMinute);
    }

    [Fact]
    public void The_minute_still_running_is_not_counted()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(1));
        WatchRound round = watch.Observe(Start.AddSeconds(30), new[] { KeyValuePair.Create(Start, 0.0) }, "unresolved", null);
        Assert.Null(round.EventsPerMinute);
        Assert.Equal(WatchStates.Ongoing, round.State);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0.05, 1, 2)]
    [InlineData(2, 6, 9)]
    [InlineData(20, 33, 36)]
    [InlineData(300, 350, 360)]
    [InlineData(10000, 10300, 10340)]
    public void The_noise_band_is_poisson_s_99_9_percent_quantile(double mean, double low, double high) =>
        Assert.InRange(IncidentWatch.PoissonUpper(mean, IncidentWatch.NoiseAlpha), low, high);

    [Fact]
    public void The_baseline_is_the_mean_per_minute_of_the_hour_before()
    {
        var buckets = Enumerable.Range(0, 60).Select(i => KeyValuePair.Create(Start.AddMinutes(-60 + i), i % 2 == 0 ? 3.0 : 1.0))
            .Append(KeyValuePair.Create(Start, 500.0)).ToList();
        Assert.Equal(2.0, IncidentWatch.MeanPerMinute(buckets, Start.AddHours(-1), Start));
        Assert.Null(IncidentWatch.MeanPerMinute(Array.Empty<KeyValuePair<DateTimeOffset, double>>(), Start.AddHours(-1), Start));
    }

    [Fact]
    public void A_recovery_window_shorter_than_a_minute_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new IncidentWatch(Start, 0, TimeSpan.FromSeconds(30)));

    [Fact]
    public void The_cadence_is_the_severity_s_unless_given()
    {
        Assert.Equal(TimeSpan.FromMinutes(30), WatchMessages.Cadence("P0", null, null));
        Assert.Equal(TimeSpan.FromHours(4), WatchMessages.Cadence("P2", null, null));
        Assert.Equal(TimeSpan.FromHours(1), WatchMessages.Cadence(null, null, null));
        Assert.Equal(TimeSpan.FromSeconds(20), WatchMessages.Cadence("P0", null, TimeSpan.FromSeconds(20)));
        IncidentPolicy policy = IncidentPolicy.FromOverrides(new System.Collections.Hashtable { ["Levels"] = new System.Collections.Hashtable { ["P0"] = new System.Collections.Hashtable { ["UpdateEveryMinutes"] = 10 } } });
        Assert.Equal(TimeSpan.FromMinutes(10), WatchMessages.Cadence("P0", policy, null));
    }

    [Fact]
    public void Updates_are_due_on_the_cadence_and_at_once_on_recovery_or_regression_but_never_while_resolved()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(1));
        List<WatchRound> rounds = Run(watch, new double[] { 30, 0 });
        DateTimeOffset now = Start.AddMinutes(2);
        Assert.Null(WatchMessages.UpdateDue(rounds[0], now, now.AddMinutes(5)));
        Assert.NotNull(WatchMessages.UpdateDue(rounds[0], now, now));
        Assert.Equal(WatchStates.Recovered, rounds[1].State);
        Assert.Contains("recovered", WatchMessages.UpdateDue(rounds[1], now, now.AddMinutes(5)));

        WatchRound resolved = Run(watch, new double[] { 0 }, status: "resolved", offset: 2)[0];
        Assert.Null(WatchMessages.UpdateDue(resolved, now, now.AddMinutes(-5)));
        WatchRound regressed = Run(watch, new double[] { 5 }, substatus: "regressed", offset: 3)[0];
        Assert.Contains("regressed", WatchMessages.UpdateDue(regressed, now, now.AddMinutes(5)));
    }

    [Fact]
    public void A_watch_update_re_triggers_pagerduty_with_the_incident_s_dedup_key_and_never_acknowledges()
    {
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(1));
        WatchRound round = Run(watch, new double[] { 30, 0 })[1];
        var incident = new MessageRequest { Kind = "Initial", Service = "web", Severity = "P0", IssueId = "4501", ShortId = "WEB-1", Organization = "acme", Started = Start };
        IncidentMessage initial = IncidentMessages.Build(incident);
        IncidentMessage update = IncidentMessages.Build(WatchMessages.Update(incident, round, null, TimeSpan.FromMinutes(30), Start.AddMinutes(2)));

        using JsonDocument pd = JsonDocument.Parse(update.PagerDutyPayloadFor("key"));
        Assert.Equal("trigger", pd.RootElement.GetProperty("event_action").GetString());
        Assert.Equal(initial.DedupKey, pd.RootElement.GetProperty("dedup_key").GetString());
        Assert.Equal("Recovered", pd.RootElement.GetProperty("payload").GetProperty("custom_details").GetProperty("status").GetString());
        Assert.Equal("Update", update.Kind);
        Assert.Contains("resolve the issue in Sentry in the next release", update.Text);
        Assert.Contains("postmortem due by", update.Text);
        Assert.Equal(Start.AddMinutes(32), update.NextUpdate);

        // New-IncidentMessage's own update still acknowledges, as before: only the watch re-triggers.
        Assert.Equal("acknowledge", IncidentMessages.Build(new MessageRequest { Kind = "Update", IssueId = "4501" }).PagerDutyAction);
    }

    [Fact]
    public void The_resolution_after_recovery_resolves_pagerduty_and_says_why()
    {
        var watch = new IncidentWatch(Start, 0.5, TimeSpan.FromMinutes(2));
        WatchRound round = Run(watch, new double[] { 30, 0, 0 })[2];
        var incident = new MessageRequest { Kind = "Initial", Service = "web", Severity = "P1", IssueId = "4501", Organization = "acme", Started = Start };
        IncidentMessage resolution = IncidentMessages.Build(WatchMessages.Resolution(incident, round, null, Start.AddMinutes(3)));
        Assert.Equal("Resolution", resolution.Kind);
        Assert.Equal("resolve", resolution.PagerDutyAction);
        Assert.Contains("returned to baseline (0.5 events/min) for 2 minutes", resolution.FixApplied);
        Assert.Equal(Start.AddMinutes(3).AddHours(48), resolution.PostmortemDue);
    }

    [Fact]
    public void Wide_buckets_are_spread_over_their_minutes_and_minute_buckets_kept()
    {
        var hourly = new SentryTimeSeries("count()", new[] { new SentryTimePoint(Start, 120), new SentryTimePoint(Start.AddHours(1), 60) });
        IReadOnlyList<KeyValuePair<DateTimeOffset, double>> minutes = IncidentWatch.PerMinute(hourly);
        Assert.Equal(120, minutes.Count);
        Assert.Equal(2, minutes[0].Value);
        Assert.Equal(Start.AddMinutes(59), minutes[59].Key);
        Assert.Equal(1, minutes[60].Value);
        Assert.Equal(180, minutes.Sum(m => m.Value), 6);

        var perMinute = new SentryTimeSeries("count()", new[] { new SentryTimePoint(Start, 4), new SentryTimePoint(Start.AddMinutes(1), null) });
        Assert.Equal(new[] { 4.0, 0.0 }, IncidentWatch.PerMinute(perMinute).Select(m => m.Value));
        Assert.Empty(IncidentWatch.PerMinute(null));
    }

    [Fact]
    public void A_short_incident_is_seen_falling_before_the_recovery_window_is_over()
    {
        // Five minutes at most: the decay shows in the comparison of the last minutes with the busiest ones.
        var watch = new IncidentWatch(Start, 0, TimeSpan.FromMinutes(2));
        List<WatchRound> rounds = Run(watch, new double[] { 98, 47, 0, 0 });
        Assert.Equal(new[] { WatchStates.Ongoing, WatchStates.Mitigating, WatchStates.Mitigating, WatchStates.Recovered }, States(rounds));
        Assert.Equal(98, rounds[3].PeakEventsPerMinute);
        Assert.Equal(36.25, rounds[3].LastFiveMinutes);
    }

    [Fact]
    public void An_update_before_the_first_complete_minute_says_so_rather_than_unknown_figures()
    {
        var watch = new IncidentWatch(Start, 1.5, TimeSpan.FromMinutes(15));
        WatchRound round = watch.Observe(Start.AddSeconds(20), Array.Empty<KeyValuePair<DateTimeOffset, double>>(), "unresolved", null);
        string progress = WatchMessages.Progress(round, Start.AddSeconds(20));
        Assert.StartsWith("No complete minute since the incident began yet", progress);
        Assert.Contains("baseline 1.5/min", progress);
        Assert.DoesNotContain("unknown", progress);
    }
}

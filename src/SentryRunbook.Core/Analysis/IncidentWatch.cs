using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SentryRunbook.Analysis
{
    /// <summary>The states of a watched incident (Watch-SentryIncident).</summary>
    public static class WatchStates
    {
        /// <summary>Errors are still near their peak (or rising).</summary>
        public const string Ongoing = "Ongoing";
        /// <summary>Errors fell well below the peak but are not yet back to the pre-incident baseline.</summary>
        public const string Mitigating = "Mitigating";
        /// <summary>Back to the pre-incident baseline for the whole recovery window.</summary>
        public const string Recovered = "Recovered";
        /// <summary>Sentry has the issue resolved.</summary>
        public const string Resolved = "Resolved";
        /// <summary>Errors came back after a resolution (Sentry marks the issue regressed).</summary>
        public const string Regressed = "Regressed";
    }

    /// <summary>What one round of a watch concluded, with the figures it concluded it from.</summary>
    public sealed class WatchRound
    {
        internal WatchRound(string state, string? previousState, double? eventsPerMinute, double? lastFiveMinutes, double? lastFifteenMinutes, double? peak, double baseline, bool baselineKnown, double minuteCeiling, int minutesAtBaseline, string reason)
        {
            State = state;
            PreviousState = previousState;
            EventsPerMinute = eventsPerMinute;
            LastFiveMinutes = lastFiveMinutes;
            LastFifteenMinutes = lastFifteenMinutes;
            PeakEventsPerMinute = peak;
            BaselineEventsPerMinute = baseline;
            BaselineKnown = baselineKnown;
            MinuteCeiling = minuteCeiling;
            MinutesAtBaseline = minutesAtBaseline;
            Reason = reason;
        }

        public string State { get; }
        /// <summary>The state of the round before; null on the first round.</summary>
        public string? PreviousState { get; }
        public bool Changed => PreviousState != State;
        /// <summary>Events in the last complete minute.</summary>
        public double? EventsPerMinute { get; }
        /// <summary>Mean events per minute over the last 5 complete minutes (fewer when the incident is younger).</summary>
        public double? LastFiveMinutes { get; }
        /// <summary>Mean events per minute over the last 15 complete minutes.</summary>
        public double? LastFifteenMinutes { get; }
        /// <summary>The most events in one minute since the incident (or its regression) began.</summary>
        public double? PeakEventsPerMinute { get; }
        /// <summary>Mean events per minute in the hour before the incident began.</summary>
        public double BaselineEventsPerMinute { get; }
        /// <summary>False when the hour before could not be read and zero was assumed.</summary>
        public bool BaselineKnown { get; }
        /// <summary>The most events in one minute that still count as the baseline's ordinary noise.</summary>
        public double MinuteCeiling { get; }
        /// <summary>Complete minutes in a row, up to now, at the baseline.</summary>
        public int MinutesAtBaseline { get; }
        /// <summary>Why this state, with its numbers.</summary>
        public string Reason { get; }
    }

    /// <summary>
    /// The state machine of a watched incident, over per-minute event counts. It is fed each round with the minutes
    /// it was given (re-read minutes replace the earlier reading: late events count) and the issue's status in Sentry,
    /// and takes the time from its caller, so it never reads a clock.
    /// <list type="bullet">
    /// <item>Recovered means back to the pre-incident baseline (the mean of the hour before the incident began) for every
    /// minute of the recovery window, and for the window as a whole; never "fewer events than a minute ago". What counts
    /// as the baseline's noise is Poisson's: a minute or a window above the 99.9% quantile of the baseline's count is not
    /// the baseline. A baseline of zero means no event at all.</item>
    /// <item>Mitigating means the last five minutes' excess over the baseline is at most half the peak's (the busiest five
    /// minutes; fewer in a wave younger than ten minutes), or the last minute is back at the baseline after a peak above
    /// it; going back to Ongoing takes more than four fifths, so noise near the line does not flap.</item>
    /// <item>Resolved is Sentry's word; an issue that is unresolved again after it (or that Sentry marks regressed) is
    /// Regressed, and a new wave begins: its own peak, the same pre-incident baseline.</item>
    /// </list>
    /// </summary>
    public sealed class IncidentWatch
    {
        /// <summary>The chance that ordinary baseline noise is taken for "not recovered" in one minute or window.</summary>
        public const double NoiseAlpha = 0.001;
        /// <summary>Mitigating once the excess over the baseline is at most this share of the peak's.</summary>
        public const double MitigatingAtOrBelow = 0.5;
        /// <summary>Back to Ongoing from Mitigating only above this share.</summary>
        public const double OngoingAbove = 0.8;

        private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
        private readonly SortedDictionary<DateTimeOffset, double> _minutes = new SortedDictionary<DateTimeOffset, double>();
        private readonly int _recoveryMinutes;
        private DateTimeOffset _waveStart;
        private bool _mitigating;
        private bool _regressed;

        /// <param name="incidentStart">When the incident began; the minute it falls in is its first.</param>
        /// <param name="baselinePerMinute">Mean events per minute in the hour before; null when unknown (zero is assumed, and said).</param>
        /// <param name="recoveredAfter">How long every minute must be at the baseline; whole minutes, at least one.</param>
        public IncidentWatch(DateTimeOffset incidentStart, double? baselinePerMinute, TimeSpan recoveredAfter)
        {
            if (recoveredAfter < Minute) throw new ArgumentOutOfRangeException(nameof(recoveredAfter), "The recovery window is at least one minute: the counts are per minute.");
            if (baselinePerMinute is double b && (b < 0 || double.IsNaN(b))) throw new ArgumentOutOfRangeException(nameof(baselinePerMinute), "A baseline is zero or more events per minute.");
            IncidentStart = Floor(incidentStart);
            _waveStart = IncidentStart;
            BaselineKnown = baselinePerMinute.HasValue;
            Baseline = baselinePerMinute ?? 0;
            _recoveryMinutes = (int)Math.Ceiling(recoveredAfter.TotalMinutes - 1e-9);
            MinuteCeiling = PoissonUpper(Baseline, NoiseAlpha);
            WindowCeiling = PoissonUpper(Baseline * _recoveryMinutes, NoiseAlpha);
        }

        public DateTimeOffset IncidentStart { get; }
        /// <summary>When the current wave began: the incident's start, or the minute of its regression.</summary>
        public DateTimeOffset WaveStart => _waveStart;
        public double Baseline { get; }
        public bool BaselineKnown { get; }
        /// <summary>The most events in one minute that are still the baseline's noise.</summary>
        public double MinuteCeiling { get; }
        /// <summary>The most events in the whole recovery window that are still the baseline's noise.</summary>
        public double WindowCeiling { get; }
        /// <summary>The last state; null before the first round.</summary>
        public string? State { get; private set; }
        /// <summary>When the watch last saw the issue resolved; null if never.</summary>
        public DateTimeOffset? ResolvedAt { get; private set; }

        /// <summary>
        /// A count() series as minutes: 1-minute buckets as they are; a wider bucket (Sentry widens the interval of long
        /// windows) spread evenly over its minutes, which is exact for a mean and the best that can be said for a minute.
        /// </summary>
        public static IReadOnlyList<KeyValuePair<DateTimeOffset, double>> PerMinute(SentryRunbook.Models.SentryTimeSeries? series)
        {
            var minutes = new List<KeyValuePair<DateTimeOffset, double>>();
            IReadOnlyList<SentryRunbook.Models.SentryTimePoint> points = series?.Points ?? Array.Empty<SentryRunbook.Models.SentryTimePoint>();
            TimeSpan width = points.Count > 1 ? points[1].Time - points[0].Time : Minute;
            int perBucket = Math.Max(1, (int)Math.Round(width.TotalMinutes));
            foreach (SentryRunbook.Models.SentryTimePoint point in points)
            {
                double value = point.Value ?? 0;
                for (int i = 0; i < perBucket; i++) minutes.Add(new KeyValuePair<DateTimeOffset, double>(Floor(point.Time) + TimeSpan.FromMinutes(i), value / perBucket));
            }

            return minutes;
        }

        /// <summary>The mean events per minute of a series over [start, end): the baseline from the hour before the incident.</summary>
        public static double? MeanPerMinute(IEnumerable<KeyValuePair<DateTimeOffset, double>> buckets, DateTimeOffset start, DateTimeOffset end)
        {
            double minutes = (end - start).TotalMinutes;
            if (minutes <= 0) return null;
            double sum = 0;
            bool any = false;
            foreach (KeyValuePair<DateTimeOffset, double> bucket in buckets)
            {
                if (bucket.Key < start || bucket.Key >= end) continue;
                sum += bucket.Value;
                any = true;
            }

            return any ? sum / minutes : (double?)null;
        }

        /// <summary>
        /// One round: <paramref name="minutes"/> are 1-minute buckets (start, count), <paramref name="status"/> and
        /// <paramref name="substatus"/> the issue's in Sentry now. Only minutes that are over by <paramref name="now"/> count.
        /// </summary>
        public WatchRound Observe(DateTimeOffset now, IEnumerable<KeyValuePair<DateTimeOffset, double>> minutes, string? status, string? substatus)
        {
            foreach (KeyValuePair<DateTimeOffset, double> minute in minutes ?? Array.Empty<KeyValuePair<DateTimeOffset, double>>())
            {
                _minutes[Floor(minute.Key)] = Math.Max(0, minute.Value);
            }

            string? previous = State;
            bool resolved = string.Equals(status, "resolved", StringComparison.OrdinalIgnoreCase);
            bool unresolvedAgain = !resolved && (previous == WatchStates.Resolved || (previous is null && string.Equals(substatus, "regressed", StringComparison.OrdinalIgnoreCase)));
            if (unresolvedAgain)
            {
                // A new wave: its own peak; it began in the first busy minute after the resolution, if the counts show one.
                _regressed = true;
                _mitigating = false;
                DateTimeOffset after = ResolvedAt.HasValue ? Floor(ResolvedAt.Value) : Floor(now) - TimeSpan.FromMinutes(_recoveryMinutes);
                _waveStart = _minutes.Where(m => m.Key >= after && m.Value > 0).Select(m => (DateTimeOffset?)m.Key).FirstOrDefault() ?? Floor(now);
            }

            List<double> complete = CompleteMinutes(now);
            double? last = complete.Count > 0 ? complete[complete.Count - 1] : (double?)null;
            double? five = Mean(complete, 5);
            double? fifteen = Mean(complete, 15);
            double? peak = complete.Count > 0 ? complete.Max() : (double?)null;
            // The last few minutes against the busiest few: five once the wave is ten minutes old, fewer before, so a
            // young wave's fall is seen (the same window for both sides would always compare the wave with itself).
            int window = Math.Min(5, Math.Max(1, (complete.Count + 1) / 2));
            double recent = Mean(complete, window) ?? 0;
            double peakRecent = RollingMax(complete, window);
            int atBaseline = 0;
            for (int i = complete.Count - 1; i >= 0 && complete[i] <= MinuteCeiling; i--) atBaseline++;

            string state;
            string reason;
            if (resolved)
            {
                if (previous != WatchStates.Resolved) ResolvedAt = now;
                state = WatchStates.Resolved;
                reason = "Sentry has the issue resolved" + (last is double l && l > MinuteCeiling ? $", though {Number(l)} events came in the last minute (a resolution in a coming release keeps the issue resolved until that release has the errors)" : string.Empty);
            }
            else if (complete.Count >= _recoveryMinutes && atBaseline >= _recoveryMinutes && complete.Skip(complete.Count - _recoveryMinutes).Sum() <= WindowCeiling)
            {
                state = WatchStates.Recovered;
                reason = $"Back to the pre-incident baseline ({Baseline.ToString("0.##", CultureInfo.InvariantCulture)}/min{(BaselineKnown ? string.Empty : ", assumed: the hour before could not be read")}) for {_recoveryMinutes} minute(s): no minute above {Number(MinuteCeiling)} events and {Number(complete.Skip(complete.Count - _recoveryMinutes).Sum())} in the window (at most {Number(WindowCeiling)})";
                _mitigating = false;
            }
            else if (complete.Count == 0)
            {
                state = _regressed ? WatchStates.Regressed : WatchStates.Ongoing;
                reason = "No complete minute since the " + (_regressed ? "regression" : "incident") + " began yet";
            }
            else
            {
                double excess = Math.Max(0, recent - Baseline);
                double peakExcess = peakRecent - Baseline;
                double share = peakExcess > 0 ? excess / peakExcess : 1;
                if (peakExcess > 0) _mitigating = _mitigating ? share <= OngoingAbove : share <= MitigatingAtOrBelow;
                // Back at the baseline after a peak above it: falling, whatever the averages still carry of the peak.
                if (atBaseline > 0 && peak > MinuteCeiling) _mitigating = true;
                state = _mitigating ? WatchStates.Mitigating : _regressed ? WatchStates.Regressed : WatchStates.Ongoing;
                string atBase = atBaseline > 0 ? $"; {atBaseline} of {_recoveryMinutes} minute(s) at the baseline so far" : $"; not at the baseline ({Number(Baseline)}/min, up to {Number(MinuteCeiling)} in a minute is noise)";
                reason = $"{Number(recent)}/min over the last {window} minute(s) is {Math.Round(share * 100).ToString("0", CultureInfo.InvariantCulture)}% of the peak's excess over the baseline (busiest {window} minute(s) {Number(peakRecent)}/min){atBase}";
            }

            State = state;
            return new WatchRound(state, previous, last, five, fifteen, peak, Baseline, BaselineKnown, MinuteCeiling, atBaseline, reason);
        }

        /// <summary>
        /// The wave's minutes that are over by <paramref name="now"/>, oldest first. A minute missing between minutes that
        /// were read had no events (Sentry leaves out empty buckets in some answers); minutes after the last one read are
        /// unknown and not counted, so a failed read never looks like a quiet minute.
        /// </summary>
        private List<double> CompleteMinutes(DateTimeOffset now)
        {
            var list = new List<double>();
            if (_minutes.Count == 0) return list;
            DateTimeOffset lastRead = _minutes.Keys.Last();
            for (DateTimeOffset m = _waveStart; m <= lastRead && m + Minute <= now; m += Minute)
            {
                list.Add(_minutes.TryGetValue(m, out double count) ? count : 0);
            }

            return list;
        }

        /// <summary>The smallest k with P(X ≤ k) ≥ 1 − alpha for X ~ Poisson(mean); zero for a mean of zero.</summary>
        public static double PoissonUpper(double mean, double alpha)
        {
            if (mean <= 0) return 0;
            if (mean > 500) return Math.Ceiling(mean + 3.2 * Math.Sqrt(mean) + 1);
            double p = Math.Exp(-mean), cumulative = p;
            int k = 0;
            while (cumulative < 1 - alpha && k < 100000)
            {
                k++;
                p *= mean / k;
                cumulative += p;
            }

            return k;
        }

        private static double? Mean(List<double> values, int count)
        {
            if (values.Count == 0) return null;
            int n = Math.Min(count, values.Count);
            return Math.Round(values.Skip(values.Count - n).Average(), 2);
        }

        private static double RollingMax(List<double> values, int width)
        {
            if (values.Count == 0) return 0;
            int n = Math.Min(width, values.Count);
            double sum = values.Take(n).Sum(), best = sum / n;
            for (int i = n; i < values.Count; i++)
            {
                sum += values[i] - values[i - n];
                best = Math.Max(best, sum / n);
            }

            return best;
        }

        private static DateTimeOffset Floor(DateTimeOffset time)
        {
            DateTimeOffset utc = time.ToUniversalTime();
            return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        }

        private static string Number(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);
    }
}

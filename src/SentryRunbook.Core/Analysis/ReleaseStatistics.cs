using System;

namespace SentryRunbook.Analysis
{
    /// <summary>A two-sided confidence interval for a proportion, as fractions 0..1.</summary>
    public readonly struct ProportionInterval
    {
        public ProportionInterval(double lower, double upper)
        {
            Lower = lower;
            Upper = upper;
        }

        public double Lower { get; }
        public double Upper { get; }
    }

    /// <summary>The outcome of a one-sided test: the statistic and the probability of a result at least this extreme by chance.</summary>
    public readonly struct TestResult
    {
        public TestResult(double z, double pValue, double smallestExpected)
        {
            Z = z;
            PValue = pValue;
            SmallestExpected = smallestExpected;
        }

        public double Z { get; }
        /// <summary>The smallest count a cell of the table is expected to hold when there is no difference.</summary>
        public double SmallestExpected { get; }
        /// <summary>
        /// Whether the normal approximation behind z holds: every expected count at least
        /// <see cref="ReleaseStatistics.MinimumExpectedCount"/> (Cochran's rule). Otherwise the comparison
        /// cannot tell, however large z looks.
        /// </summary>
        public bool Valid => SmallestExpected >= ReleaseStatistics.MinimumExpectedCount;
        /// <summary>One-sided: the chance of a z this large (or larger) when the release is no worse than the baseline.</summary>
        public double PValue { get; }
    }

    /// <summary>
    /// The small-sample statistics behind the release-health verdict. Crash-free rates get Wilson score
    /// intervals, which stay inside 0..1 and keep their coverage for a handful of sessions (unlike p ± z·se,
    /// which claims 1 crash in 10 sessions is known to ±19 points and gives 0 ± 0 for no crashes). A release
    /// is compared with its baseline by a one-sided two-proportion z-test (pooled) on crash rates, and by a
    /// one-sided conditional test on error counts per session (two Poisson rates: given the total, the
    /// release's share of the errors is binomial with its share of the sessions).
    /// </summary>
    public static class ReleaseStatistics
    {
        /// <summary>
        /// Cochran's rule for the normal approximation: each cell expected to hold at least 5. One crash in ten
        /// sessions against a baseline crashing once in 600 expects 0.02 crashes: z would be 7, but it says nothing.
        /// </summary>
        public const double MinimumExpectedCount = 5;

        /// <summary>Wilson score interval for <paramref name="successes"/> of <paramref name="trials"/> at the normal quantile <paramref name="z"/>.</summary>
        public static ProportionInterval Wilson(long successes, long trials, double z)
        {
            if (trials <= 0) return new ProportionInterval(0, 1);
            if (successes < 0 || successes > trials) throw new ArgumentOutOfRangeException(nameof(successes), "successes must be between 0 and the number of trials");
            double n = trials;
            double p = successes / n;
            double z2 = z * z;
            double denominator = 1 + z2 / n;
            double centre = (p + z2 / (2 * n)) / denominator;
            double half = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
            // At 0 and n successes one bound is exactly 0 or 1; rounding must not move it.
            double lower = successes == 0 ? 0 : Math.Max(0, centre - half);
            double upper = successes == trials ? 1 : Math.Min(1, centre + half);
            return new ProportionInterval(lower, upper);
        }

        /// <summary>
        /// One-sided two-proportion z-test (pooled variance) that the release's rate
        /// (<paramref name="events"/> of <paramref name="trials"/>) is higher than the baseline's.
        /// No difference can be shown when either sample is empty or the pooled rate is 0 or 1: z = 0, p = 0.5.
        /// </summary>
        public static TestResult TwoProportionGreater(long events, long trials, long baselineEvents, long baselineTrials)
        {
            if (trials <= 0 || baselineTrials <= 0) return new TestResult(0, 0.5, 0);
            double p1 = (double)events / trials, p0 = (double)baselineEvents / baselineTrials;
            double pooled = (double)(events + baselineEvents) / (trials + baselineTrials);
            double smallest = Math.Min(Math.Min(trials, baselineTrials) * pooled, Math.Min(trials, baselineTrials) * (1 - pooled));
            double variance = pooled * (1 - pooled) * (1.0 / trials + 1.0 / baselineTrials);
            if (variance <= 0) return new TestResult(0, 0.5, smallest);
            double z = (p1 - p0) / Math.Sqrt(variance);
            return new TestResult(z, 1 - NormalCdf(z), smallest);
        }

        /// <summary>
        /// One-sided test that the release's event rate per unit of exposure (errors per session) is higher than
        /// the baseline's. Conditional on the total count, the release's count is Binomial(total, its exposure
        /// share) when the rates are equal; the normal approximation of that binomial gives z.
        /// </summary>
        public static TestResult PoissonRateGreater(long events, double exposure, long baselineEvents, double baselineExposure)
        {
            long total = events + baselineEvents;
            if (total <= 0 || exposure <= 0 || baselineExposure <= 0) return new TestResult(0, 0.5, 0);
            double share = exposure / (exposure + baselineExposure);
            double expected = total * share;
            double z = (events - expected) / Math.Sqrt(total * share * (1 - share));
            return new TestResult(z, 1 - NormalCdf(z), Math.Min(expected, total - expected));
        }

        /// <summary>The standard normal distribution function Φ(x).</summary>
        public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

        /// <summary>The x with Φ(x) = p, by bisection on <see cref="NormalCdf"/> (exact to its precision; called once per verdict).</summary>
        public static double NormalQuantile(double p)
        {
            if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), "p must be strictly between 0 and 1");
            double low = -40, high = 40;
            for (int i = 0; i < 200 && high - low > 1e-12; i++)
            {
                double mid = (low + high) / 2;
                if (NormalCdf(mid) < p) low = mid;
                else high = mid;
            }

            return (low + high) / 2;
        }

        /// <summary>The quantile for a two-sided interval whose two tails together hold <paramref name="significance"/> (0.05 → 1.96).</summary>
        public static double TwoSidedZ(double significance) => NormalQuantile(1 - significance / 2);

        /// <summary>
        /// The complementary error function, from its continued fraction for |x| ≥ 2 and its Taylor series of
        /// erf below that; both converge to double precision in the ranges used.
        /// </summary>
        internal static double Erfc(double x)
        {
            if (double.IsNaN(x)) return double.NaN;
            if (x < 0) return 2 - Erfc(-x);
            if (x < 2)
            {
                // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
                double sum = 0, term = x;
                for (int n = 0; n < 200; n++)
                {
                    double add = term / (2 * n + 1);
                    sum += add;
                    if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
                    term *= -x * x / (n + 1);
                }

                return 1 - 2 / Math.Sqrt(Math.PI) * sum;
            }

            if (x > 27) return 0;
            // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated from the tail.
            double fraction = x;
            for (int k = 60; k >= 1; k--) fraction = x + k / 2.0 / fraction;
            return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / fraction;
        }
    }
}

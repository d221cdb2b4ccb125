using SentryRunbook.Analysis;

namespace SentryRunbook.Tests.Core;

public class ReleaseStatisticsTests
{
    /// <summary>
    /// Wilson score intervals (no continuity correction) at z = 1.96, from Newcombe R.G. (1998), "Two-sided
    /// confidence intervals for the single proportion: comparison of seven methods", Statistics in Medicine
    /// 17:857-872, Table II, method 3 (four decimals as published). 9 of 10 by hand: centre
    /// (0.9 + 3.8416/20) / (1 + 3.8416/10) = 1.09208 / 1.38416 = 0.78898, half-width
    /// 1.96 / 1.38416 · √(0.009 + 3.8416/400) = 1.41603 · 0.13640 = 0.19314, so 0.5958-0.9821; 1 of 10 mirrors it.
    /// </summary>
    [Theory]
    [InlineData(81, 263, 0.2553, 0.3662)]
    [InlineData(15, 148, 0.0624, 0.1605)]
    [InlineData(0, 20, 0.0000, 0.1611)]
    [InlineData(1, 29, 0.0061, 0.1718)]
    [InlineData(29, 29, 0.8830, 1.0000)]
    [InlineData(1, 10, 0.0179, 0.4042)]
    [InlineData(9, 10, 0.5958, 0.9821)]
    public void Wilson_interval_matches_published_values(long successes, long trials, double lower, double upper)
    {
        ProportionInterval interval = ReleaseStatistics.Wilson(successes, trials, 1.96);
        Assert.Equal(lower, Math.Round(interval.Lower, 4), 4);
        Assert.Equal(upper, Math.Round(interval.Upper, 4), 4);
    }

    /// <summary>
    /// The bounds are the two roots of the score equation (p̂ - p)² = z² p (1 - p) / n; here found by
    /// bisection on that equation, not by the closed form the code uses.
    /// </summary>
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 1200)]
    [InlineData(690, 800)]
    [InlineData(5, 5)]
    [InlineData(0, 7)]
    [InlineData(9973, 10000)]
    public void Wilson_bounds_solve_the_score_equation(long successes, long trials)
    {
        const double z = 1.959963984540054;
        double phat = successes / (double)trials;
        double Score(double p) => (phat - p) * (phat - p) - z * z * p * (1 - p) / trials;
        double Root(double low, double high)
        {
            // Score is positive away from p̂ and negative at p̂.
            bool lowPositive = Score(low) > 0;
            for (int i = 0; i < 200; i++)
            {
                double mid = (low + high) / 2;
                if ((Score(mid) > 0) == lowPositive) low = mid;
                else high = mid;
            }

            return (low + high) / 2;
        }

        ProportionInterval interval = ReleaseStatistics.Wilson(successes, trials, z);
        double expectedLower = successes == 0 ? 0 : Root(0, phat);
        double expectedUpper = successes == trials ? 1 : Root(1, phat);
        Assert.Equal(expectedLower, interval.Lower, 9);
        Assert.Equal(expectedUpper, interval.Upper, 9);
    }

    [Fact]
    public void Wilson_with_no_trials_knows_nothing()
    {
        ProportionInterval interval = ReleaseStatistics.Wilson(0, 0, 1.96);
        Assert.Equal(0, interval.Lower);
        Assert.Equal(1, interval.Upper);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReleaseStatistics.Wilson(11, 10, 1.96));
    }

    /// <summary>Standard normal table values (Abramowitz and Stegun, table 26.1; R's pnorm).</summary>
    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.841344746068543)]
    [InlineData(-1, 0.158655253931457)]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(1.644853626951472, 0.95)]
    [InlineData(3, 0.998650101968370)]
    [InlineData(-5, 2.866515718791939e-07)]
    [InlineData(-2.5, 0.006209665325776)]
    public void Normal_distribution_function_matches_tables(double x, double expected)
    {
        Assert.Equal(expected, ReleaseStatistics.NormalCdf(x), 12);
    }

    [Theory]
    [InlineData(0.05, 1.959963984540054)]
    [InlineData(0.01, 2.575829303548901)]
    [InlineData(0.10, 1.644853626951472)]
    public void Two_sided_quantiles_match_tables(double significance, double z)
    {
        Assert.Equal(z, ReleaseStatistics.TwoSidedZ(significance), 9);
    }

    /// <summary>
    /// The pooled two-proportion z statistic squared is Pearson's chi-square of the 2x2 table,
    /// N (ad - bc)² / ((a+b)(c+d)(a+c)(b+d)), computed here from the table instead.
    /// </summary>
    [Theory]
    [InlineData(110, 800, 2, 1200)]
    [InlineData(1, 10, 20, 10000)]
    [InlineData(40, 1000, 50, 10000)]
    [InlineData(3, 1200, 2, 1200)]
    [InlineData(0, 50, 5, 500)]
    public void Two_proportion_z_squared_is_the_chi_square_of_the_table(long a, long n1, long c, long n0)
    {
        double b = n1 - a, d = n0 - c, n = n1 + n0;
        double chiSquare = n * Math.Pow(a * d - b * c, 2) / ((a + b) * (c + d) * (a + c) * (b + d));
        TestResult test = ReleaseStatistics.TwoProportionGreater(a, n1, c, n0);
        Assert.Equal(chiSquare, test.Z * test.Z, 6);
        Assert.Equal(a / (double)n1 > c / (double)n0, test.Z > 0);
        Assert.Equal(1 - ReleaseStatistics.NormalCdf(test.Z), test.PValue, 12);
    }

    [Fact]
    public void Two_proportion_test_with_no_events_anywhere_shows_nothing()
    {
        TestResult test = ReleaseStatistics.TwoProportionGreater(0, 100, 0, 1000);
        Assert.Equal(0, test.Z);
        Assert.Equal(0.5, test.PValue);
        Assert.Equal(0.5, ReleaseStatistics.TwoProportionGreater(3, 0, 1, 10).PValue);
    }

    /// <summary>With equal exposure the conditional rate test reduces to (e1 - e0) / √(e1 + e0) (share 1/2).</summary>
    [Theory]
    [InlineData(50, 20)]
    [InlineData(20, 50)]
    [InlineData(7, 0)]
    [InlineData(100, 100)]
    public void Poisson_rate_test_with_equal_exposure(long errors, long baselineErrors)
    {
        TestResult test = ReleaseStatistics.PoissonRateGreater(errors, 1000, baselineErrors, 1000);
        Assert.Equal((errors - baselineErrors) / Math.Sqrt(errors + baselineErrors), test.Z, 9);
    }

    /// <summary>
    /// Unequal exposure, by hand: 30 errors in 500 sessions against 60 in 4,500. Share = 500/5000 = 0.1,
    /// expected 90 · 0.1 = 9, sd √(90 · 0.1 · 0.9) = √8.1 = 2.84605, z = 21 / 2.84605 = 7.37864.
    /// </summary>
    [Fact]
    public void Poisson_rate_test_with_unequal_exposure_by_hand()
    {
        TestResult test = ReleaseStatistics.PoissonRateGreater(30, 500, 60, 4500);
        Assert.Equal(7.37864, test.Z, 4);
        Assert.True(test.PValue < 1e-10);
        Assert.Equal(0.5, ReleaseStatistics.PoissonRateGreater(0, 500, 0, 4500).PValue);
        // Expected counts: 9 in the release, 81 in the baseline: both at least 5.
        Assert.Equal(9, test.SmallestExpected, 9);
        Assert.True(test.Valid);
    }

    /// <summary>Cochran's rule by hand: 1 crash in 10 and 20 in 12,000 pool to 21/12,010; the release expects 10 · 21/12,010 = 0.0175.</summary>
    [Fact]
    public void Two_proportion_test_on_too_few_expected_events_is_not_valid()
    {
        TestResult test = ReleaseStatistics.TwoProportionGreater(1, 10, 20, 12000);
        Assert.Equal(10 * 21 / 12010.0, test.SmallestExpected, 9);
        Assert.False(test.Valid);
        Assert.True(test.Z > 7);
        Assert.True(ReleaseStatistics.TwoProportionGreater(150, 5000, 50, 10000).Valid);
    }
}

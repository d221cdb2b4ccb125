using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Core;

public class SparklineTests
{
    [Fact]
    public void One_character_per_value_scaled_to_the_peak() =>
        Assert.Equal("▁▂▅█", Sparkline.Render(new long[] { 0, 1, 4, 8 }));

    [Fact]
    public void A_single_event_is_visible_next_to_a_large_peak() =>
        Assert.Equal("▂█", Sparkline.Render(new long[] { 1, 10_000 }));

    [Fact]
    public void All_quiet_is_a_flat_line() => Assert.Equal("▁▁▁", Sparkline.Render(new long[] { 0, 0, 0 }));

    [Fact]
    public void Empty_is_empty() => Assert.Equal(string.Empty, Sparkline.Render(Array.Empty<long>()));
}

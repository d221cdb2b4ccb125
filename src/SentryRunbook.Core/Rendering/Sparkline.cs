using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace SentryRunbook.Rendering
{
    /// <summary>Block-character sparklines for a table cell: the shape of a trend at a glance.</summary>
    public static class Sparkline
    {
        private const string Blocks = "▁▂▃▄▅▆▇█";

        /// <summary>One character per value, scaled to the largest. Zero is the bottom block; any event lifts a bar above it.</summary>
        public static string Render(IEnumerable<long> values)
        {
            if (values is null) throw new ArgumentNullException(nameof(values));
            var list = values as IList<long> ?? values.ToList();
            if (list.Count == 0) return string.Empty;

            long max = list.Max();
            var sb = new StringBuilder(list.Count);
            foreach (long value in list)
            {
                if (value <= 0 || max <= 0)
                {
                    sb.Append(Blocks[0]);
                    continue;
                }

                // Non-zero values use the upper seven blocks so a single event never looks like silence.
                int index = (int)Math.Ceiling(value * (double)(Blocks.Length - 1) / max);
                sb.Append(Blocks[Math.Max(1, Math.Min(Blocks.Length - 1, index))]);
            }

            return sb.ToString();
        }
    }
}

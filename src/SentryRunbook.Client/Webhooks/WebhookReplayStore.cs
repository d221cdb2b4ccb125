using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;

namespace SentryRunbook.Client.Webhooks
{
    /// <summary>
    /// A file of delivery keys already acted on, so that a re-delivered alert does not page twice. One line
    /// per key: Unix seconds, a tab, the key. The file is locked while it is read and rewritten, so runbook
    /// jobs started in parallel on one worker cannot both take the same delivery.
    /// </summary>
    public sealed class WebhookReplayStore
    {
        private readonly string _path;
        private readonly TimeSpan _retention;

        /// <param name="retention">How long a key is remembered; Sentry's own retries end within minutes, a captured delivery may be replayed much later.</param>
        public WebhookReplayStore(string path, TimeSpan? retention = null)
        {
            _path = path;
            _retention = retention ?? TimeSpan.FromDays(30);
        }

        /// <summary>
        /// Records <paramref name="keys"/> unless one of them is already there; returns the key seen before, or null
        /// when the delivery is new (and now recorded). Checking and recording happen under one lock.
        /// </summary>
        public string? CheckAndRecord(IReadOnlyList<string> keys, DateTimeOffset now)
        {
            string? directory = Path.GetDirectoryName(Path.GetFullPath(_path));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);

            using FileStream file = OpenLocked();
            var kept = new List<(long Seconds, string Key)>();
            var known = new HashSet<string>(StringComparer.Ordinal);
            long cutoff = (now - _retention).ToUnixTimeSeconds();
            using (var reader = new StreamReader(file, new UTF8Encoding(false), false, 4096, leaveOpen: true))
            {
                string? line;
                while ((line = reader.ReadLine()) != null)
                {
                    int tab = line.IndexOf('\t');
                    if (tab <= 0 || !long.TryParse(line.Substring(0, tab), NumberStyles.Integer, CultureInfo.InvariantCulture, out long seconds)) continue;
                    if (seconds < cutoff) continue;
                    string key = line.Substring(tab + 1);
                    kept.Add((seconds, key));
                    known.Add(key);
                }
            }

            foreach (string key in keys)
            {
                if (known.Contains(key)) return key;
            }

            long stamp = now.ToUnixTimeSeconds();
            foreach (string key in keys) kept.Add((stamp, key));
            file.SetLength(0);
            file.Position = 0;
            using (var writer = new StreamWriter(file, new UTF8Encoding(false), 4096, leaveOpen: true))
            {
                foreach ((long seconds, string key) in kept) writer.Write(seconds.ToString(CultureInfo.InvariantCulture) + "\t" + key + "\n");
            }

            return null;
        }

        private FileStream OpenLocked()
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (attempt < 100)
                {
                    Thread.Sleep(50); // another job holds the lock for a few milliseconds
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Journal
{
    /// <summary>
    /// The incident journal: a JSON Lines file that is only ever appended to. Several runbooks (a person at a prompt
    /// and an Automation job) may append to the same file at once: each batch is written in one write while the
    /// file is held exclusively, and a writer that finds it held waits briefly and tries again.
    /// </summary>
    public static class IncidentJournal
    {
        /// <summary>How long a writer keeps trying to get the file before it gives up with the IOException.</summary>
        public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(15);

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        /// <summary>Appends the entries, one line each, in one write. Creates the file (not its folder) when missing.</summary>
        public static void Append(string path, IReadOnlyList<JournalEntry> entries)
        {
            if (entries.Count == 0) return;
            var text = new StringBuilder();
            foreach (JournalEntry entry in entries) text.Append(ToJsonLine(entry)).Append('\n');
            byte[] bytes = Utf8.GetBytes(text.ToString());

            DateTime deadline = DateTime.UtcNow + LockTimeout;
            var random = new Random();
            while (true)
            {
                try
                {
                    // FileShare.None: on Windows a share lock, on Unix .NET takes an exclusive advisory lock (flock),
                    // so two writers never interleave; Append positions every write at the end.
                    using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                    {
                        stream.Write(bytes, 0, bytes.Length);
                        stream.Flush(true);
                    }

                    return;
                }
                catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(path))
                {
                    Thread.Sleep(random.Next(5, 40));
                }
            }
        }

        public static void Append(string path, JournalEntry entry) => Append(path, new[] { entry });

        /// <summary>One entry as one line of JSON, with Sentry's names for the status details and nulls left out.</summary>
        public static string ToJsonLine(JournalEntry entry)
        {
            var w = new JsonWriter(indented: false).BeginObject();
            w.Property("time", Iso(entry.Time));
            w.Property("user", entry.User);
            w.Property("action", entry.Action);
            w.Property("target", entry.Target);
            Optional(w, "shortId", entry.ShortId);
            Optional(w, "project", entry.Project);
            Optional(w, "incident", entry.Incident);
            Optional(w, "change", entry.Change);
            Optional(w, "reason", entry.Reason);
            if (entry.Before != null) State(w.Name("before"), entry.Before);
            if (entry.After != null) State(w.Name("after"), entry.After);
            Optional(w, "messageKind", entry.MessageKind);
            Optional(w, "dedupKey", entry.DedupKey);
            Optional(w, "deployId", entry.DeployId);
            Optional(w, "release", entry.Release);
            Optional(w, "environment", entry.Environment);
            if (entry.Succeeded is bool succeeded) w.Name("succeeded").Bool(succeeded);
            Optional(w, "detail", entry.Detail);
            return w.EndObject().ToString();
        }

        private static void State(JsonWriter w, IssueState state)
        {
            w.BeginObject();
            w.Property("status", state.Status);
            w.Property("substatus", state.Substatus);
            w.Name("statusDetails").BeginObject();
            SentryStatusDetails d = state.StatusDetails;
            if (d.InNextRelease) w.Name("inNextRelease").Bool(true);
            Optional(w, "inRelease", d.InRelease);
            Optional(w, "inCommit", d.InCommit);
            Optional(w, "inCommitRepository", d.InCommitRepository);
            if (d.IgnoreUntil is DateTimeOffset until) w.Property("ignoreUntil", Iso(until));
            Number(w, "ignoreCount", d.IgnoreCount);
            Number(w, "ignoreWindow", d.IgnoreWindow);
            Number(w, "ignoreUserCount", d.IgnoreUserCount);
            Number(w, "ignoreUserWindow", d.IgnoreUserWindow);
            if (d.IgnoreUntilEscalating) w.Name("ignoreUntilEscalating").Bool(true);
            Optional(w, "actor", d.Actor);
            w.EndObject();
            w.EndObject();
        }

        private static void Optional(JsonWriter w, string name, string? value)
        {
            if (value != null) w.Property(name, value);
        }

        private static void Number(JsonWriter w, string name, int? value)
        {
            if (value is int n) w.Name(name).Number(n);
        }

        internal static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}

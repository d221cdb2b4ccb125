using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Json
{
    /// <summary>Reads the incident journal's JSON lines back (written by SentryRunbook.Journal.IncidentJournal).</summary>
    public static class JournalReader
    {
        /// <summary>Every entry, in file order. A line that is not a journal entry is an InvalidDataException naming its line number.</summary>
        public static IReadOnlyList<JournalEntry> Read(TextReader reader)
        {
            var entries = new List<JournalEntry>();
            int number = 0;
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                number++;
                if (line.Trim().Length == 0) continue;
                try
                {
                    using JsonDocument doc = JsonDocument.Parse(line);
                    entries.Add(Entry(doc.RootElement));
                }
                catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException)
                {
                    throw new InvalidDataException($"line {number} is not a journal entry: {ex.Message}", ex);
                }
            }

            return entries;
        }

        private static JournalEntry Entry(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Object) throw new FormatException("it is not a JSON object");
            DateTimeOffset time = e.Date("time") ?? throw new FormatException("it has no time");
            string action = e.String("action") ?? throw new FormatException("it has no action");
            return new JournalEntry(
                time,
                e.String("user") ?? string.Empty,
                action,
                e.String("target") ?? string.Empty,
                shortId: e.String("shortId"),
                project: e.String("project"),
                change: e.String("change"),
                reason: e.String("reason"),
                before: State(e.Property("before")),
                after: State(e.Property("after")),
                dedupKey: e.String("dedupKey"),
                messageKind: e.String("messageKind"),
                deployId: e.String("deployId"),
                release: e.String("release"),
                environment: e.String("environment"),
                incident: e.String("incident"),
                succeeded: e.Property("succeeded") is JsonElement s && (s.ValueKind == JsonValueKind.True || s.ValueKind == JsonValueKind.False) ? s.ValueKind == JsonValueKind.True : (bool?)null,
                detail: e.String("detail"));
        }

        private static IssueState? State(JsonElement? state)
        {
            if (state is null || state.Value.ValueKind != JsonValueKind.Object) return null;
            JsonElement s = state.Value;
            SentryStatusDetails details = IssueReader.StatusDetails(s.Property("statusDetails"));
            // The journal keeps the repository beside the commit id (Sentry nests it in the commit object).
            if (details.InCommit != null && s.Property("statusDetails")?.String("inCommitRepository") is string repository)
            {
                details = new SentryStatusDetails(details.InNextRelease, details.InRelease, details.InCommit, repository, details.IgnoreUntil, details.IgnoreCount,
                    details.IgnoreWindow, details.IgnoreUserCount, details.IgnoreUserWindow, details.IgnoreUntilEscalating, details.Actor);
            }

            return new IssueState(s.String("status") ?? throw new FormatException("a state has no status"), s.String("substatus"), details);
        }
    }
}

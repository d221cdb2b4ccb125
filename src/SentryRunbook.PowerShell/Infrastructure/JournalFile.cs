using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using SentryRunbook.Journal;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// The -Journal file of a cmdlet that changes Sentry or sends a message. Its folder is checked before anything is
    /// done, so a typo never costs the record of a change; a write that fails afterwards is an error, never silent.
    /// </summary>
    internal sealed class JournalFile
    {
        private JournalFile(string path) => Path = path;

        public string Path { get; }

        /// <summary>Null when -Journal was not given; otherwise the resolved path, or a terminating error naming the problem.</summary>
        public static JournalFile? Open(PSCmdlet cmdlet, string? journal)
        {
            if (journal is null) return null;
            string path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(journal);
            string? folder = System.IO.Path.GetDirectoryName(path);
            if (Directory.Exists(path) || (folder != null && folder.Length > 0 && !Directory.Exists(folder)))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Input(
                    "SentryJournalPathInvalid",
                    Directory.Exists(path) ? $"The journal '{path}' is a folder." : $"The journal's folder '{folder}' does not exist.",
                    "Pass a file path in an existing folder, e.g. -Journal ./INC-42.journal.jsonl; the file is created on the first action.",
                    path));
            }

            return new JournalFile(path);
        }

        /// <summary>Every entry of an existing journal, or a terminating error naming the problem (missing, not a journal).</summary>
        public static IReadOnlyList<JournalEntry> Read(PSCmdlet cmdlet, string journal)
        {
            string path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(journal);
            if (!File.Exists(path))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Input("SentryJournalNotFound", $"The journal '{path}' does not exist.", "Pass the file given to -Journal when the runbook acted.", path, ErrorCategory.ObjectNotFound));
            }

            try
            {
                // Another runbook may be appending: read what is there without blocking it.
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                return ClientFactory.ReadJournal(reader);
            }
            catch (InvalidDataException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Input("SentryJournalInvalid", $"'{path}' is not an incident journal SentryRunbook can read: {ex.Message}", "Pass the file written by -Journal, unedited.", path, ErrorCategory.InvalidData));
                throw;
            }
        }

        public void Write(PSCmdlet cmdlet, IReadOnlyList<JournalEntry> entries)
        {
            if (entries.Count == 0) return;
            try
            {
                IncidentJournal.Append(Path, entries);
                cmdlet.WriteVerbose($"Journal: {entries.Count} action(s) appended to {Path}");
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                cmdlet.WriteError(ErrorRecords.Input(
                    "SentryJournalWriteFailed",
                    $"The actions were taken, but {entries.Count} journal line(s) could not be appended to '{Path}': {ex.Message}",
                    "Check the file's permissions and that no other program holds it; the lost lines are: " + string.Join(" ", MapLines(entries)),
                    Path,
                    ErrorCategory.WriteError));
            }
        }

        private static IEnumerable<string> MapLines(IReadOnlyList<JournalEntry> entries)
        {
            foreach (JournalEntry entry in entries) yield return IncidentJournal.ToJsonLine(entry);
        }
    }
}

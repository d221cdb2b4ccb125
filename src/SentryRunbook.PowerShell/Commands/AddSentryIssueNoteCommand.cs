using System;
using System.Management.Automation;
using SentryRunbook.Actions;
using SentryRunbook.Models;
using SentryRunbook.Text;
using SentryRunbook.PowerShell.Completion;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Writes a note (comment) on issues, once: a note whose POST failed is looked for before it is posted again.</summary>
    [Cmdlet(VerbsCommon.Add, "SentryIssueNote", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SentryActivity))]
    public sealed class AddSentryIssueNoteCommand : SentryApiCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(IssueIdCompleter))]
        public string[] IssueId { get; set; } = Array.Empty<string>();

        /// <summary>The note; Markdown as Sentry renders it.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Text { get; set; } = string.Empty;

        /// <summary>The incident journal: one JSON line per note written.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Journal { get; set; }

        private JournalFile? _journal;

        protected override void BeginProcessing() => _journal = JournalFile.Open(this, Journal);

        protected override void ProcessRecord()
        {
            foreach (string input in IssueId)
            {
                string? id = ResolveIssueId(input);
                if (id is null || !ShouldProcess(input, $"Add the note \"{Formats.Clip(Text, 60)}\"")) continue;
                if (TryCall((api, ct) => api.AddNoteAsync(id, Text, ct), input, out SentryActivity note))
                {
                    _journal?.Write(this, new[] { new JournalEntry(DateTimeOffset.UtcNow, JournalEntry.CurrentUser(), JournalActions.AddNote, id, shortId: IsNumeric(input) ? null : input, change: Text, detail: note.Id) });
                    WriteObject(note);
                }
            }
        }

        private static bool IsNumeric(string text) => text.Length > 0 && System.Linq.Enumerable.All(text, char.IsDigit);

    }
}

using System.IO;
using System.Management.Automation;
using System.Text.Json;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Reads an evidence bundle and checks its SHA-256; analysis cmdlets take it with -Evidence to work offline.</summary>
    [Cmdlet(VerbsData.Import, "IncidentEvidence")]
    [OutputType(typeof(IncidentEvidence))]
    public sealed class ImportIncidentEvidenceCommand : SentryCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        protected override void ProcessRecord()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!File.Exists(path))
            {
                WriteError(ErrorRecords.Input("IncidentEvidenceNotFound", $"'{path}' does not exist.", "Pass the path Save-IncidentEvidence wrote.", path, ErrorCategory.ObjectNotFound));
                return;
            }

            IncidentEvidence evidence;
            try
            {
                evidence = ClientFactory.Deserialize(File.ReadAllText(path), path);
            }
            catch (System.Exception ex) when (ex is JsonException || ex is InvalidDataException || ex is System.Collections.Generic.KeyNotFoundException || ex is System.FormatException || ex is System.InvalidOperationException || ex is System.ArgumentException || ex is System.NullReferenceException)
            {
                WriteError(ErrorRecords.Input("IncidentEvidenceInvalid", $"'{path}' is not an evidence bundle SentryRunbook can read: {ex.Message}", "Save it again with Save-IncidentEvidence.", path, ErrorCategory.InvalidData));
                return;
            }

            if (!evidence.Verified)
            {
                WriteWarning($"'{path}' was changed after it was saved: its content no longer matches its SHA-256 ({evidence.Sha256}). Analysis from it may not reflect what Sentry answered.");
            }

            WriteObject(evidence);
        }
    }
}

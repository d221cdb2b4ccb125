using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>Writes an evidence bundle from the answers a recording connection collected.</summary>
    internal static class EvidenceFiles
    {
        public static IncidentEvidence Write(SentryConnection live, string issueId, string? shortId, DateTimeOffset fetchedAt, string statsPeriod, IReadOnlyList<RecordedExchange> exchanges, string path, IncidentRecord? incident = null)
        {
            // One issue's bundle stays schema 1, which earlier versions read.
            int schema = incident is null ? IncidentEvidence.IssueSchemaVersion : IncidentEvidence.IncidentSchemaVersion;
            var evidence = new IncidentEvidence(schema, live.BaseUri.ToString(), live.Organization, issueId, shortId, fetchedAt, statsPeriod, exchanges, string.Empty, true, path, incident);
            string json = ClientFactory.Serialize(evidence, out string sha256);
            string? directory = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            File.WriteAllText(path, json, new UTF8Encoding(false));
            return new IncidentEvidence(evidence.SchemaVersion, evidence.SentryHost, evidence.Organization, issueId, shortId, fetchedAt, statsPeriod, exchanges, sha256, true, path, incident);
        }
    }
}

using System.Management.Automation;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Shows the stored connection (host, organization, project, region); never the token.</summary>
    [Cmdlet(VerbsCommon.Get, "SentryConnection")]
    [OutputType(typeof(SentryConnection))]
    public sealed class GetSentryConnectionCommand : SentryCmdlet
    {
        protected override void EndProcessing()
        {
            SentryConnection? connection = SentrySession.Current;
            if (connection is null)
            {
                WriteError(ErrorRecords.Input(
                    "SentryNotConnected",
                    "Not connected to Sentry.",
                    "Run Connect-Sentry -Organization <slug> -Token (Read-Host -AsSecureString).",
                    null,
                    ErrorCategory.ObjectNotFound));
                return;
            }

            WriteObject(connection);
        }
    }
}

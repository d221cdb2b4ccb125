using System.Management.Automation;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>Forgets the stored connection. Sentry itself is not called and the token is not revoked.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Sentry")]
    [OutputType(typeof(void))]
    public sealed class DisconnectSentryCommand : SentryCmdlet
    {
        protected override void EndProcessing()
        {
            SentryConnection? previous = SentrySession.Clear();
            WriteVerbose(previous is null ? "There was no stored connection." : $"Disconnected from '{previous.Organization}' at {previous.BaseUri}.");
        }
    }
}

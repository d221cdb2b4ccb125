using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Commands
{
    /// <summary>
    /// Connects to a Sentry organization: checks the token against it, finds its region on sentry.io,
    /// and stores the connection for the other cmdlets.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Sentry", DefaultParameterSetName = TokenSet)]
    [OutputType(typeof(SentryConnection))]
    public sealed class ConnectSentryCommand : SentryCmdlet
    {
        private const string TokenSet = "Token";
        private const string CredentialSet = "Credential";
        private const string KeyVaultSet = "KeyVault";

        /// <summary>The Sentry host. Default: SENTRY_URL, else https://sentry.io.</summary>
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? BaseUri { get; set; }

        /// <summary>The organization slug. Default: SENTRY_ORG.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        [Alias("Org")]
        public string? Organization { get; set; }

        /// <summary>A default project slug for commands that take -Project. Default: SENTRY_PROJECT.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Project { get; set; }

        /// <summary>The auth token. Default: SENTRY_AUTH_TOKEN.</summary>
        [Parameter(ParameterSetName = TokenSet)]
        [ValidateNotNull]
        public SecureString? Token { get; set; }

        /// <summary>A credential whose password is the token (Azure Automation credential assets).</summary>
        [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
        [ValidateNotNull]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>A Key Vault secret holding the token, read with the managed identity of the Azure host (Automation, Functions, App Service, VM).</summary>
        [Parameter(Mandatory = true, ParameterSetName = KeyVaultSet)]
        [ValidateNotNullOrEmpty]
        public string? KeyVaultSecretUri { get; set; }

        /// <summary>The sentry.io region: us or de.</summary>
        [Parameter]
        [ValidateSet("us", "de", IgnoreCase = true)]
        public string? Region { get; set; }

        /// <summary>Output the connection.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            Uri baseUri = ResolveBaseUri();
            string organization = Organization ?? Environment.GetEnvironmentVariable("SENTRY_ORG") ?? string.Empty;
            if (string.IsNullOrWhiteSpace(organization))
            {
                ThrowTerminatingError(ErrorRecords.Input(
                    "SentryOrganizationMissing",
                    "No organization given: pass -Organization or set SENTRY_ORG.",
                    "Use the slug from your Sentry URL: https://<slug>.sentry.io or /organizations/<slug>/.",
                    null));
            }

            string token = ResolveToken();
            if (token.StartsWith("sntrys_", StringComparison.Ordinal))
            {
                WriteWarning("This is an organization auth token (sntrys_...): Sentry lets it upload releases but not read issues or write notes. Use an internal integration or user token with the scopes event:read, event:write, project:read, project:releases, org:read.");
            }

            string? project = Project ?? Environment.GetEnvironmentVariable("SENTRY_PROJECT");
            SentryConnection connection = ClientFactory.Create(baseUri, organization, project, token);
            SentryOrganization organizationInfo = Check(connection);

            // sentry.io serves an organization's data from its region host; use it directly when the user did not pick one.
            if (Region is null && ClientFactory.RegionHostToUse(connection.BaseUri, organizationInfo.RegionUrl) is Uri regionHost)
            {
                WriteVerbose($"Organization '{organization}' is served by {regionHost}: connecting there.");
                connection.Api.Dispose();
                connection = ClientFactory.Create(regionHost, organization, project, token);
            }

            SentrySession.Set(connection);
            SentrySession.RememberProject(connection.Project);
            WriteVerbose($"Connected to organization '{connection.Organization}' at {connection.BaseUri}.");
            if (PassThru) WriteObject(connection);
        }

        /// <summary>Proves the token against the organization before anything is stored.</summary>
        private SentryOrganization Check(SentryConnection connection)
        {
            try
            {
                return Await(ct => connection.Api.GetOrganizationAsync(ct));
            }
            catch (SentryApiException ex)
            {
                connection.Api.Dispose();
                ThrowSentryError(ex, connection.BaseUri);
                throw; // not reached: ThrowTerminatingError throws
            }
        }

        private Uri ResolveBaseUri()
        {
            try
            {
                if (Region != null)
                {
                    Uri regionHost = ClientFactory.ForRegion(Region);
                    if (BaseUri != null && !string.Equals(ClientFactory.NormalizeBaseUri(BaseUri).Host, regionHost.Host, StringComparison.OrdinalIgnoreCase))
                    {
                        ThrowTerminatingError(ErrorRecords.Input(
                            "SentryRegionConflict",
                            $"-BaseUri '{BaseUri}' and -Region '{Region}' name different hosts.",
                            "Pass -Region for sentry.io, or -BaseUri for a self-hosted Sentry, not both.",
                            BaseUri));
                    }

                    return regionHost;
                }

                return ClientFactory.NormalizeBaseUri(BaseUri ?? Environment.GetEnvironmentVariable("SENTRY_URL"));
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, BaseUri);
                throw;
            }
        }

        private string ResolveToken()
        {
            string? token = null;
            if (KeyVaultSecretUri != null) token = ReadKeyVaultToken(KeyVaultSecretUri);
            else if (Credential != null) token = Credential.GetNetworkCredential().Password;
            else if (Token != null) token = new NetworkCredential(string.Empty, Token).Password;
            else token = Environment.GetEnvironmentVariable("SENTRY_AUTH_TOKEN");

            if (string.IsNullOrWhiteSpace(token))
            {
                ThrowTerminatingError(ErrorRecords.Input(
                    "SentryTokenMissing",
                    "No token given: pass -Token or -Credential, or set SENTRY_AUTH_TOKEN.",
                    "Create an internal integration (Settings > Developer Settings > Custom Integrations) with the scopes event:read, event:write, project:read, project:releases, org:read, and pass its token: -Token (Read-Host -AsSecureString).",
                    null));
            }

            return token!.Trim();
        }

        private string ReadKeyVaultToken(string secretUri)
        {
            try
            {
                Uri uri = ClientFactory.ParseKeyVaultSecretUri(secretUri);
                WriteVerbose($"Reading the token from Key Vault secret {uri.GetLeftPart(UriPartial.Path)} with the managed identity.");
                return Await(ct => ClientFactory.ReadKeyVaultSecretAsync(uri, ct));
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, secretUri);
                throw; // not reached: ThrowTerminatingError throws
            }
        }
    }
}

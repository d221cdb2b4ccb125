using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>A cmdlet that talks to Sentry: it takes -Connection and resolves it the same way everywhere.</summary>
    public abstract class SentryApiCmdlet : SentryCmdlet
    {
        /// <summary>The connection to use instead of the one Connect-Sentry stored.</summary>
        [Parameter]
        [ValidateNotNull]
        public SentryConnection? Connection { get; set; }

        private SentryConnection? _resolved;

        /// <summary>-Connection, else the stored connection, else SENTRY_AUTH_TOKEN/SENTRY_ORG/SENTRY_URL.</summary>
        protected SentryConnection ResolvedConnection
        {
            get
            {
                if (_resolved != null) return _resolved;
                SentryConnection? connection = Connection ?? SentrySession.Current;
                if (connection is null)
                {
                    try
                    {
                        connection = ClientFactory.FromEnvironment();
                    }
                    catch (SentryApiException ex)
                    {
                        ThrowSentryError(ex, Environment.GetEnvironmentVariable("SENTRY_URL"));
                    }
                }

                if (connection is null)
                {
                    ThrowTerminatingError(ErrorRecords.Input(
                        "SentryNotConnected",
                        "Not connected to Sentry: there is no stored connection and SENTRY_AUTH_TOKEN and SENTRY_ORG are not both set.",
                        "Run Connect-Sentry -Organization <slug> -Token (Read-Host -AsSecureString), or set SENTRY_AUTH_TOKEN and SENTRY_ORG.",
                        null,
                        ErrorCategory.ConnectionError));
                }

                _resolved = connection;
                return connection!;
            }
        }

        protected ISentryApi Api => ResolvedConnection.Api;

        /// <summary>Awaits a client call with this cmdlet receiving the client's verbose lines.</summary>
        protected T Call<T>(Func<ISentryApi, CancellationToken, Task<T>> call)
        {
            ISentryApi api = Api;
            return Await(ct => call(api, ct));
        }
    }
}

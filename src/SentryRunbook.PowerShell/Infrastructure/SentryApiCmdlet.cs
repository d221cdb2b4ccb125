using System;
using System.Collections.Generic;
using System.Linq;
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

        /// <summary>Work against this connection from now on (an offline replay of evidence): no live connection is needed.</summary>
        protected void UseConnection(SentryConnection connection) => _resolved = connection;

        /// <summary>Awaits a client call with this cmdlet receiving the client's verbose lines.</summary>
        protected T Call<T>(Func<ISentryApi, CancellationToken, Task<T>> call)
        {
            ISentryApi api = Api;
            return Await(ct => call(api, ct));
        }

        /// <summary>
        /// A call for one input: a failure for that input is written as a non-terminating error and false is
        /// returned so the pipeline goes on; failures that no later input can escape (a bad token, an
        /// unreachable host) end the command.
        /// </summary>
        protected bool TryCall<T>(Func<ISentryApi, CancellationToken, Task<T>> call, object? target, out T result)
        {
            try
            {
                result = Call(call);
                return true;
            }
            catch (SentryApiException ex) when (!ex.IsFatal)
            {
                WriteSentryError(ex, target);
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, target);
            }

            result = default!;
            return false;
        }

        /// <summary>
        /// Issues named by numeric id, read 100 to a request (the issue list's group=), in the order named; an id
        /// Sentry did not return is written as SentryIssueNotFound. A failed read ends the command: nothing can
        /// be decided without it.
        /// </summary>
        protected IEnumerable<(object Target, string Id, SentryIssue Issue)> ReadIssues(IReadOnlyList<(object Target, string Id)> named)
        {
            WriteVerbose($"Reading {named.Count} issues 100 to a request from the issue list (its rows carry no first and last release)");
            IReadOnlyList<SentryIssue> rows = Array.Empty<SentryIssue>();
            try
            {
                rows = Call((api, ct) => api.GetIssuesAsync(named.Select(p => p.Id).ToList(), ct));
            }
            catch (SentryApiException ex)
            {
                ThrowSentryError(ex, null);
            }

            var byId = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
            foreach ((object target, string id) in named)
            {
                if (byId.TryGetValue(id, out SentryIssue? issue)) yield return (target, id, issue);
                else WriteError(ErrorRecords.IssueNotFound(id, $"was not found in organization '{ResolvedConnection.Organization}'", target));
            }
        }

        /// <summary>
        /// Turns what the user typed (numeric id, short id, issue URL) into the id Sentry's routes take, or
        /// writes a SentryIssueIdInvalid / SentryIssueOrganizationMismatch error and returns null.
        /// </summary>
        protected string? ResolveIssueId(string input)
        {
            if (!IssueReference.TryParse(input, out IssueReference? reference, out string? problem))
            {
                WriteError(ErrorRecords.Input("SentryIssueIdInvalid", char.ToUpperInvariant(problem![0]) + problem.Substring(1) + ".", "Pass a numeric id (4123), a short id (WEB-1A) or an issue URL.", input));
                return null;
            }

            SentryConnection connection = ResolvedConnection;
            if (reference!.Host != null && !IssueReference.IsSameSentry(reference.Host, connection.BaseUri))
            {
                WriteError(ErrorRecords.Input(
                    "SentryIssueHostMismatch",
                    $"The URL '{IssueReference.Echo(input)}' is on {reference.Host}, but the connection is to {connection.BaseUri.Host}: its issue id means another issue there.",
                    $"Connect to that Sentry first (Connect-Sentry -BaseUri https://{reference.Host}), or pass the issue's short id.",
                    input));
                return null;
            }

            if (reference!.Organization != null && !string.Equals(reference.Organization, connection.Organization, StringComparison.OrdinalIgnoreCase))
            {
                WriteError(ErrorRecords.Input(
                    "SentryIssueOrganizationMismatch",
                    $"The URL '{IssueReference.Echo(input)}' names organization '{reference.Organization}', but the connection is to '{connection.Organization}'.",
                    $"Connect to that organization first: Connect-Sentry -Organization {reference.Organization}.",
                    input));
                return null;
            }

            return reference.Id;
        }
    }
}

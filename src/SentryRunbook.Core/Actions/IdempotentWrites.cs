using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Actions
{
    /// <summary>
    /// Notes and deploys are POSTs, which the client never repeats once they reached Sentry. When such a POST
    /// fails in a way that leaves its fate unknown (5xx, 429, a dropped connection), these look whether it was
    /// stored before writing again, so a flaky Sentry never gets the same note or deploy twice.
    /// </summary>
    public static class IdempotentWrites
    {
        public const int MaxAttempts = 4;

        /// <summary>How far Sentry's clock may run behind ours when a stored note is looked for.</summary>
        public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

        public static async Task<SentryActivity> AddNoteOnceAsync(ISentryApi api, string issueId, string text, Action<string>? log, CancellationToken cancellationToken)
        {
            // Only a note written since this call began can be this call's note; an older one with the same text is another's.
            DateTimeOffset since = DateTimeOffset.UtcNow - ClockSkew;
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return await api.AddNoteAsync(issueId, text, cancellationToken).ConfigureAwait(false);
                }
                catch (SentryApiException ex) when (ex.ErrorId == "SentryNoteDuplicate" || IsUnknownOutcome(ex))
                {
                    // Sentry itself refuses a duplicate within the hour: then the earlier note is the one to return.
                    bool duplicate = ex.ErrorId == "SentryNoteDuplicate";
                    SentryActivity? stored = (await api.GetIssueActivityAsync(issueId, cancellationToken).ConfigureAwait(false))
                        .FirstOrDefault(a => a.Type == "note" && a.Text == text && (duplicate || (a.DateCreated is DateTimeOffset created && created >= since)));
                    if (stored != null)
                    {
                        log?.Invoke($"The note on {issueId} was stored despite {Describe(ex)}; not posting it again.");
                        return stored;
                    }

                    if (ex.ErrorId == "SentryNoteDuplicate" || attempt >= MaxAttempts) throw;
                    log?.Invoke($"The note on {issueId} was not stored ({Describe(ex)}); posting it again ({attempt + 1}/{MaxAttempts}).");
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>A deploy is recognised by its environment, name and finish time, which the caller always sets.</summary>
        public static async Task<SentryDeploy> CreateDeployOnceAsync(ISentryApi api, string version, DeployRequest deploy, Action<string>? log, CancellationToken cancellationToken)
        {
            if (deploy.DateFinished is null) throw new ArgumentException("Set DateFinished so that a stored deploy can be recognised.", nameof(deploy));
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return await api.CreateDeployAsync(version, deploy, cancellationToken).ConfigureAwait(false);
                }
                catch (SentryApiException ex) when (IsUnknownOutcome(ex))
                {
                    IReadOnlyList<SentryDeploy> deploys = await api.GetDeploysAsync(version, cancellationToken).ConfigureAwait(false);
                    SentryDeploy? stored = deploys.FirstOrDefault(d => Same(d, deploy));
                    if (stored != null)
                    {
                        log?.Invoke($"The deploy of {version} to {deploy.Environment} was stored despite {Describe(ex)}; not creating it again.");
                        return stored;
                    }

                    if (attempt >= MaxAttempts) throw;
                    log?.Invoke($"The deploy of {version} was not stored ({Describe(ex)}); creating it again ({attempt + 1}/{MaxAttempts}).");
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private static bool Same(SentryDeploy stored, DeployRequest wanted) =>
            string.Equals(stored.Environment, wanted.Environment, StringComparison.Ordinal)
            && string.Equals(stored.Name ?? string.Empty, wanted.Name ?? string.Empty, StringComparison.Ordinal)
            && stored.DateFinished is DateTimeOffset finished
            && Math.Abs((finished - wanted.DateFinished!.Value).TotalSeconds) < 1;

        private static bool IsUnknownOutcome(SentryApiException ex) =>
            ex.Kind == SentryErrorKind.Server || ex.Kind == SentryErrorKind.Transport || ex.Kind == SentryErrorKind.RateLimited || ex.Kind == SentryErrorKind.InvalidResponse;

        private static string Describe(SentryApiException ex) => ex.StatusCode is int status ? $"a {status} answer" : "a network failure";
    }
}

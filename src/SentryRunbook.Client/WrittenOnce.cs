using System;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using SentryRunbook.Errors;

namespace SentryRunbook.Client
{
    /// <summary>
    /// Notes and deploys are POSTs, which the HTTP layer never repeats once they reached Sentry. When such a POST
    /// fails in a way that leaves its fate unknown (5xx, 429, a dropped connection, an unreadable answer), this
    /// looks whether it was stored before writing again (a Polly retry, paced by the client's clock), so a flaky
    /// Sentry never gets the same note or deploy twice.
    /// </summary>
    internal static class WrittenOnce
    {
        public const int MaxAttempts = 4;

        /// <summary>How far Sentry's clock may run behind ours when a stored note is looked for.</summary>
        public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

        /// <summary>
        /// Writes with <paramref name="write"/>; after a failure with an unknown outcome (or one <paramref name="alreadyThere"/>
        /// names) asks <paramref name="findStored"/>, returns what it finds, and otherwise writes again, up to
        /// <see cref="MaxAttempts"/> in all.
        /// </summary>
        public static Task<T> WriteAsync<T>(
            string what,
            Func<CancellationToken, Task<T>> write,
            Func<SentryApiException, CancellationToken, Task<T?>> findStored,
            Func<SentryApiException, bool> alreadyThere,
            TimeProvider time,
            Action<string> log,
            CancellationToken cancellationToken)
            where T : class
        {
            ResiliencePipeline pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = MaxAttempts - 1,
                    BackoffType = DelayBackoffType.Linear,
                    Delay = TimeSpan.FromMilliseconds(250),
                    ShouldHandle = new PredicateBuilder().Handle<SentryApiException>(ex => IsUnknownOutcome(ex) && !alreadyThere(ex)),
                    OnRetry = args =>
                    {
                        log($"{what} was not stored ({Describe((SentryApiException)args.Outcome.Exception!)}); writing it again ({args.AttemptNumber + 2}/{MaxAttempts}).");
                        return default;
                    },
                })
                .Build();

            return pipeline.ExecuteAsync(
                async token =>
                {
                    try
                    {
                        return await write(token).ConfigureAwait(false);
                    }
                    catch (SentryApiException ex) when (alreadyThere(ex) || IsUnknownOutcome(ex))
                    {
                        T? stored = await findStored(ex, token).ConfigureAwait(false);
                        if (stored is null) throw;
                        log($"{what} was stored despite {Describe(ex)}; not writing it again.");
                        return stored;
                    }
                },
                cancellationToken).AsTask();
        }

        private static bool IsUnknownOutcome(SentryApiException ex) =>
            ex.Kind == SentryErrorKind.Server || ex.Kind == SentryErrorKind.Transport || ex.Kind == SentryErrorKind.RateLimited || ex.Kind == SentryErrorKind.InvalidResponse;

        private static string Describe(SentryApiException ex) => ex.StatusCode is int status ? $"a {status} answer" : "a network failure";
    }
}

using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace SentryRunbook.Client
{
    /// <summary>
    /// The one place that decides whether an HTTP attempt may be made again, for Sentry and for webhooks alike,
    /// as a Polly retry strategy. What is safe to repeat comes from the request, never from the response:
    /// a request that is safe to repeat (a read, a PUT, a POST the target deduplicates) is retried after a 429,
    /// a 5xx or a network fault; any other POST only when the connection never opened, since an answer, even a
    /// 5xx, means the target may already have acted on it.
    /// </summary>
    internal static class RetryRules
    {
        /// <summary>Whether the request being guarded may be sent again after the target answered.</summary>
        public static readonly ResiliencePropertyKey<bool> SafeToRepeatKey = new ResiliencePropertyKey<bool>("SentryRunbook.SafeToRepeat");

        /// <summary>Whether a 429 means the target refused the request unread (chat webhooks), so even a POST may be sent again.</summary>
        public static readonly ResiliencePropertyKey<bool> RateLimitRefusesKey = new ResiliencePropertyKey<bool>("SentryRunbook.RateLimitRefuses");

        /// <summary>Adds the retry strategy: exponential back-off with jitter, the server's Retry-After when it gives one.</summary>
        public static ResiliencePipelineBuilder<HttpResponseMessage> AddRetryRules(
            this ResiliencePipelineBuilder<HttpResponseMessage> builder,
            int maxRetries,
            TimeSpan baseDelay,
            TimeSpan maxDelay,
            Func<HttpResponseMessage?, TimeSpan?> serverRequestedDelay,
            Action<string> log)
        {
            if (maxRetries <= 0) return builder;
            return builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                MaxDelay = maxDelay,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(serverRequestedDelay(args.Outcome.Result)),
                OnRetry = args =>
                {
                    string reason = args.Outcome.Exception is { } ex
                        ? ex.GetBaseException().Message
                        : $"{(int)args.Outcome.Result!.StatusCode} {args.Outcome.Result.ReasonPhrase}";
                    log($"retry {args.AttemptNumber + 1}/{maxRetries} in {args.RetryDelay.TotalSeconds:0.0} s after {reason}");
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
        {
            if (context.CancellationToken.IsCancellationRequested) return false;
            bool safe = context.Properties.GetValue(SafeToRepeatKey, false);
            if (outcome.Exception is { } ex)
            {
                return IsTransportFault(ex) && (safe || NeverReachedServer(ex));
            }

            int status = (int)outcome.Result!.StatusCode;
            if (status == 429) return safe || context.Properties.GetValue(RateLimitRefusesKey, false);
            return status >= 500 && status != 501 && safe;
        }

        /// <summary>Whether an answer leaves it open if the target acted on the request: a 5xx (or a fault after the connection opened).</summary>
        public static bool OutcomeUnknown(int? status, Exception? fault) =>
            status is int s ? s >= 500 : fault != null && !NeverReachedServer(fault);

        /// <summary>The wait a 429 or 503 asks for in Retry-After (seconds or a date); null when it names none.</summary>
        public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
        {
            RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta) return delta;
            if (retryAfter?.Date is DateTimeOffset date) return date - now;
            return null;
        }

        public static bool IsTransportFault(Exception ex) =>
            ex is HttpRequestException || ex is IOException || ex is TimeoutException || ex is SocketException || ex is WebException;

        /// <summary>Connection set-up failures: the request was never sent, so even a POST may be repeated.</summary>
        public static bool NeverReachedServer(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                // .NET Framework (Windows PowerShell 5.1) reports connection failures as WebException, not SocketException.
                if (e is WebException web && (web.Status == WebExceptionStatus.ConnectFailure || web.Status == WebExceptionStatus.NameResolutionFailure || web.Status == WebExceptionStatus.ProxyNameResolutionFailure))
                {
                    return true;
                }

                if (e is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused:
                        case SocketError.HostNotFound:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                        case SocketError.TryAgain:
                        case SocketError.NoData:
                            return true;
                    }
                }
            }

            return false;
        }
    }
}

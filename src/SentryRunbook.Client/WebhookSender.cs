using System;
using System.Diagnostics;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;
using static SentryRunbook.Text.Formats;

namespace SentryRunbook.Client
{
    /// <summary>
    /// Sends incident messages to Slack, Teams, PagerDuty or any webhook through the client's retry rules
    /// (<see cref="RetryRules"/>, under Polly). A 429 is a refusal and is retried after Retry-After. A 5xx or a
    /// dropped connection is retried only for PagerDuty, which deduplicates by the incident's dedup_key: Slack,
    /// Teams or a generic webhook may already have posted the message, so it is not sent again and the delivery
    /// says its outcome is unknown. The URL is never logged beyond its host: webhook URLs carry their secret.
    /// </summary>
    public sealed class WebhookSender : IMessageSender, IDisposable
    {
        private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

        private readonly HttpClient _http;
        private readonly int _maxAttempts;
        private readonly TimeSpan _maxDelay;
        private readonly TimeProvider _time;
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

        public WebhookSender(HttpMessageHandler? handler = null, int maxAttempts = 4, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, TimeProvider? timeProvider = null)
        {
            // Attempts have their own timeout so that a slow attempt ends in a fault the retry rules can judge.
            _http = handler is null
                ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan }
                : new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            _maxAttempts = Math.Max(1, maxAttempts);
            _maxDelay = maxDelay ?? TimeSpan.FromSeconds(30);
            _time = timeProvider ?? TimeProvider.System;
            _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
                .AddRetryRules(_maxAttempts - 1, baseDelay ?? TimeSpan.FromSeconds(1), _maxDelay, ServerRequestedDelay, line => Log?.Invoke(line))
                .Build();
        }

        /// <summary>One line per attempt, host only. May be called from any thread.</summary>
        public Action<string>? Log { get; set; }

        /// <summary>Whether a target deduplicates repeated deliveries, so that a delivery whose outcome is unknown may be sent again.</summary>
        public static bool Deduplicates(string target) => string.Equals(target, "PagerDuty", StringComparison.OrdinalIgnoreCase);

        public async Task<IncidentDelivery> SendAsync(string target, string kind, Uri uri, string json, CancellationToken cancellationToken)
        {
            int attempts = 0;
            bool safe = Deduplicates(target);
            ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(RetryRules.SafeToRepeatKey, safe);
            context.Properties.Set(RetryRules.RateLimitRefusesKey, true);
            try
            {
                using HttpResponseMessage response = await _pipeline.ExecuteAsync(
                    async ctx =>
                    {
                        int attempt = Interlocked.Increment(ref attempts);
                        return await SendOnceAsync(target, uri, json, attempt, ctx.CancellationToken).ConfigureAwait(false);
                    },
                    context).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status >= 200 && status < 300) return new IncidentDelivery(target, uri.Host, kind, status, attempts, true, null);

                string body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return Failed(target, uri, kind, status, attempts, Clip(body, 300), safe, null);
            }
            catch (Exception ex) when (RetryRules.IsTransportFault(ex) && !cancellationToken.IsCancellationRequested)
            {
                return Failed(target, uri, kind, null, attempts, ex.GetBaseException().Message, safe, ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        private async Task<HttpResponseMessage> SendOnceAsync(string target, Uri uri, string json, int attempt, CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(AttemptTimeout);
            try
            {
                HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                Log?.Invoke($"POST {target} {uri.Host} -> {(int)response.StatusCode} {response.ReasonPhrase} ({watch.ElapsedMilliseconds} ms, attempt {attempt}/{_maxAttempts})");
                return response;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log?.Invoke($"POST {target} {uri.Host} timed out (attempt {attempt}/{_maxAttempts})");
                throw new TimeoutException($"no answer within {AttemptTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex) when (RetryRules.IsTransportFault(ex))
            {
                Log?.Invoke($"POST {target} {uri.Host} failed: {ex.GetBaseException().Message} (attempt {attempt}/{_maxAttempts})");
                throw;
            }
        }

        /// <summary>
        /// A delivery that did not succeed. When the target may have acted on it (a 5xx, or a connection lost after it
        /// opened) and does not deduplicate, the detail says the message may or may not have been posted.
        /// </summary>
        private static IncidentDelivery Failed(string target, Uri uri, string kind, int? status, int attempts, string detail, bool safe, Exception? fault)
        {
            bool unknown = !safe && RetryRules.OutcomeUnknown(status, fault);
            if (unknown)
            {
                detail = $"{detail} — the message may or may not have been posted to {target}; it was not sent again, so that it is not posted twice";
            }

            return new IncidentDelivery(target, uri.Host, kind, status, attempts, false, detail) { OutcomeUnknown = unknown };
        }

        private TimeSpan? ServerRequestedDelay(HttpResponseMessage? response)
        {
            if (response is null || !(RetryRules.RetryAfter(response, _time.GetUtcNow()) is TimeSpan wait)) return null;
            if (wait < TimeSpan.Zero) return TimeSpan.Zero;
            return wait > _maxDelay ? _maxDelay : wait;
        }

        public void Dispose() => _http.Dispose();
    }
}

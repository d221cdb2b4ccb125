using System;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;

namespace SentryRunbook.Client
{
    /// <summary>
    /// Sends incident messages to Slack, Teams, PagerDuty or any webhook: bounded retries on 429 (honouring
    /// Retry-After) and 5xx with exponential back-off and jitter. The URL is never logged beyond its host:
    /// webhook URLs carry their secret in the path or query.
    /// </summary>
    public sealed class WebhookSender : IMessageSender, IDisposable
    {
        private readonly HttpClient _http;
        private readonly int _maxAttempts;
        private readonly TimeSpan _baseDelay;
        private readonly TimeSpan _maxDelay;

        public WebhookSender(HttpMessageHandler? handler = null, int maxAttempts = 4, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null)
        {
            _http = handler is null
                ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) }
                : new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
            _maxAttempts = Math.Max(1, maxAttempts);
            _baseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
            _maxDelay = maxDelay ?? TimeSpan.FromSeconds(30);
        }

        /// <summary>One line per attempt, host only. May be called from any thread.</summary>
        public Action<string>? Log { get; set; }

        public async Task<IncidentDelivery> SendAsync(string target, string kind, Uri uri, string json, CancellationToken cancellationToken)
        {
            int? status = null;
            string? detail = null;
            for (int attempt = 1; attempt <= _maxAttempts; attempt++)
            {
                TimeSpan? wait = null;
                var watch = Stopwatch.StartNew();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                    using HttpResponseMessage response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    status = (int)response.StatusCode;
                    string body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    Log?.Invoke($"POST {target} {uri.Host} -> {status} {response.ReasonPhrase} ({watch.ElapsedMilliseconds} ms, attempt {attempt}/{_maxAttempts})");
                    if (status >= 200 && status < 300) return new IncidentDelivery(target, uri.Host, kind, status, attempt, true, null);

                    detail = Clip(body);
                    if (status != 429 && status < 500) return new IncidentDelivery(target, uri.Host, kind, status, attempt, false, detail);
                    if (response.Headers.RetryAfter?.Delta is TimeSpan delta) wait = delta;
                    else if (response.Headers.RetryAfter?.Date is DateTimeOffset date) wait = date - DateTimeOffset.UtcNow;
                }
                catch (HttpRequestException ex)
                {
                    detail = ex.GetBaseException().Message;
                    Log?.Invoke($"POST {target} {uri.Host} failed: {detail} (attempt {attempt}/{_maxAttempts})");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    detail = "no answer within 30 s";
                    Log?.Invoke($"POST {target} {uri.Host} timed out (attempt {attempt}/{_maxAttempts})");
                }

                if (attempt == _maxAttempts) break;
                TimeSpan delay = wait ?? Backoff(attempt);
                if (delay > _maxDelay) delay = _maxDelay;
                if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
                Log?.Invoke($"retry {attempt}/{_maxAttempts - 1} of {target} in {delay.TotalSeconds:0.0} s");
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            return new IncidentDelivery(target, uri.Host, kind, status, _maxAttempts, false, detail);
        }

        private TimeSpan Backoff(int attempt) =>
            TimeSpan.FromMilliseconds(_baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + 0.4 * ThreadSafeRandom.Next(0, 1000) / 1000.0));

        private static string Clip(string text) => text.Length <= 300 ? text : text.Substring(0, 297) + "...";

        public void Dispose() => _http.Dispose();
    }
}

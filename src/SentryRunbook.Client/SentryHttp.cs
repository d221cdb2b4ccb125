using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using SentryRunbook.Errors;

namespace SentryRunbook.Client
{
    /// <summary>
    /// The one HTTP path to Sentry: bearer auth for the configured host only, Sentry's rate-limit budget per
    /// endpoint (requests it would refuse are never sent), bounded retries with jitter, verbose lines with the
    /// token redacted, and typed errors.
    /// </summary>
    internal sealed class SentryHttp : IDisposable
    {
        private readonly SentryClientOptions _options;
        private readonly HttpClient _http;
        private readonly RateLimitBudgets _budgets;
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

        // What the retry and rate-limit strategies need to know about the request they guard.
        private static readonly ResiliencePropertyKey<string> BudgetKey = new ResiliencePropertyKey<string>("SentryRunbook.Budget");

        public SentryHttp(SentryClientOptions options)
        {
            _options = options;
            HttpMessageHandler handler = options.Handler ?? new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };

            // Redirects would carry the Authorization header to wherever they point; the token must stay on its host.
            if (handler is HttpClientHandler clientHandler) clientHandler.AllowAutoRedirect = false;

            // Attempts have their own timeout (RequestTimeout) so that a slow attempt is retried, not fatal.
            _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
            _budgets = new RateLimitBudgets(options.MaxConcurrency, options.TimeProvider, options.MaxRetryDelay, Log);
            _pipeline = BuildPipeline();
        }

        public async Task<SentryResponse> SendAsync(SentryRequest request, CancellationToken cancellationToken)
        {
            int attempts = 0;
            HttpResponseMessage response;
            ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(BudgetKey, RateLimitBudgets.Key(request.Method, request.Uri));
            context.Properties.Set(RetryRules.SafeToRepeatKey, request.SafeToRepeat);
            try
            {
                response = await _pipeline.ExecuteAsync(
                    async ctx =>
                    {
                        Interlocked.Increment(ref attempts);
                        return await SendOnceAsync(request, ctx.Properties.GetValue(BudgetKey, string.Empty), ctx.CancellationToken).ConfigureAwait(false);
                    },
                    context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (RetryRules.IsTransportFault(ex))
            {
                throw SentryErrors.Transport(request.Method, RedactUri(request.Uri), ex, attempts);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            using (response)
            {
                string body = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (status < 200 || status > 299)
                {
                    if (status >= 300 && status < 400)
                    {
                        throw new SentryApiException(
                            SentryErrorKind.Configuration,
                            "SentryRedirected",
                            $"Sentry answered {status} with a redirect to '{response.Headers.Location}' for {request.Method.Method} {request.Uri.GetLeftPart(UriPartial.Path)}; SentryRunbook does not follow redirects, so the token never leaves its host.",
                            "Connect to the address the redirect names (Connect-Sentry -BaseUri), or for sentry.io use your region: -Region us or -Region de.",
                            status, null, request.Method.Method, request.Uri);
                    }

                    if (Header(response, ReplayHandler.MissHeader) != null) throw SentryErrors.EvidenceMiss(request.Method, request.Uri);

                    // Errors end up on screens and in logs: neither the URL nor an echoed body may carry the token.
                    throw SentryErrors.FromResponse(request.Method, RedactUri(request.Uri), status, Redact(body), request.RequiredScope, attempts);
                }

                return new SentryResponse(response.StatusCode, RedactUri(request.Uri), body, CollectHeaders(response));
            }
        }

        private async Task<HttpResponseMessage> SendOnceAsync(SentryRequest request, string budget, CancellationToken cancellationToken)
        {
            var stopwatch = Stopwatch.StartNew();
            using HttpRequestMessage message = BuildMessage(request);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log($"{request.Method.Method} {request.Uri} timed out after {stopwatch.ElapsedMilliseconds} ms");
                throw new TimeoutException($"no answer within {_options.RequestTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                Log($"{request.Method.Method} {request.Uri} failed after {stopwatch.ElapsedMilliseconds} ms: {ex.GetBaseException().Message}");
                throw;
            }

            Log($"{request.Method.Method} {request.Uri} -> {(int)response.StatusCode} {response.ReasonPhrase} ({stopwatch.ElapsedMilliseconds} ms)");
            _budgets.Observe(budget, (int)response.StatusCode, name => Header(response, name));
            return response;
        }

        private HttpRequestMessage BuildMessage(SentryRequest request)
        {
            var message = new HttpRequestMessage(request.Method, request.Uri);
            message.Headers.UserAgent.ParseAdd(_options.UserAgent);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

            // A Link header or a caller may name another host: that host never sees the token.
            if (SentryHosts.IsSameOrigin(request.Uri, _options.BaseUri))
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
            }
            else
            {
                Log($"{request.Uri.GetLeftPart(UriPartial.Authority)} is not the connected host {_options.BaseUri.GetLeftPart(UriPartial.Authority)}: sending without the token");
            }

            if (request.JsonBody != null)
            {
                message.Content = new StringContent(request.JsonBody, Encoding.UTF8, "application/json");
            }

            return message;
        }

        /// <summary>
        /// The one resilience pipeline: bounded retries with jitter outside, Sentry's rate-limit budget inside,
        /// so every attempt, the first and each retry, waits its turn in the budget of its endpoint.
        /// </summary>
        private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
        {
            var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _options.TimeProvider };
            builder.AddRetryRules(_options.MaxRetries, _options.RetryBaseDelay, _options.MaxRetryDelay, ServerRequestedDelay, Log);

            builder.AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => _budgets.AcquireAsync(args.Context.Properties.GetValue(BudgetKey, string.Empty), args.Context.CancellationToken),
            });
            return builder.Build();
        }

        /// <summary>For 429 (and 503 with Retry-After): the wait Sentry asked for; null means the exponential back-off.</summary>
        private TimeSpan? ServerRequestedDelay(HttpResponseMessage? response)
        {
            if (response is null) return null;
            int status = (int)response.StatusCode;
            if (status != 429 && status != 503) return null;

            DateTimeOffset now = _options.TimeProvider.GetUtcNow();
            TimeSpan? wait = RetryRules.RetryAfter(response, now);
            if (wait is null && RateLimitBudgets.ResetTime(name => Header(response, name)) is DateTimeOffset reset) wait = reset - now;

            if (wait is null) return null;

            // A little jitter so that concurrent callers that were limited together do not return together.
            TimeSpan jitter = TimeSpan.FromMilliseconds(ThreadSafeRandom.Next(0, 250));
            TimeSpan result = (wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value) + jitter;
            return result > _options.MaxRetryDelay ? _options.MaxRetryDelay : result;
        }

        private static string? Header(HttpResponseMessage response, string name) =>
            response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

        /// <summary>The budget an endpoint belongs to (see <see cref="RateLimitBudgets.Key"/>).</summary>
        internal static string RateLimitKey(Uri uri) => RateLimitBudgets.RouteTemplate(uri);

        /// <summary>For tests: each budget's limit as now known (null: not paced).</summary>
        internal IReadOnlyDictionary<string, int?> BudgetLimits() => _budgets.Limits();

        private static IReadOnlyDictionary<string, string> CollectHeaders(HttpResponseMessage response)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }

            return headers;
        }

        private void Log(string message)
        {
            Action<string>? log = _options.Log;
            if (log is null) return;
            log(Redact(message));
        }

        /// <summary>The token never appears in a log line, even if a caller put it in a URL.</summary>
        internal string Redact(string text) =>
            text.IndexOf(_options.Token, StringComparison.Ordinal) >= 0 ? text.Replace(_options.Token, "***") : text;

        private Uri RedactUri(Uri uri) => new Uri(Redact(uri.ToString()));

        public void Dispose()
        {
            _http.Dispose();
            _budgets.Dispose();
        }
    }

    internal static class ThreadSafeRandom
    {
        private static readonly Random Seed = new Random();
        [ThreadStatic] private static Random? _local;

        public static int Next(int min, int max)
        {
            if (_local is null)
            {
                int seed;
                lock (Seed) seed = Seed.Next();
                _local = new Random(seed);
            }

            return _local.Next(min, max);
        }
    }
}

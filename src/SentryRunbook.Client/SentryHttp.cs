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
using Polly.Retry;
using SentryRunbook.Errors;

namespace SentryRunbook.Client
{
    /// <summary>
    /// The one HTTP path to Sentry: bearer auth for the configured host only, a shared concurrency limit,
    /// Sentry's rate-limit budget, bounded retries with jitter, verbose lines with the token redacted,
    /// and typed errors.
    /// </summary>
    internal sealed class SentryHttp : IDisposable
    {
        private readonly SentryClientOptions _options;
        private readonly HttpClient _http;
        private readonly SemaphoreSlim _slots;
        private readonly ResiliencePipeline<HttpResponseMessage> _retry;
        private const string MethodKey = "SentryRunbook.Method";

        // Sentry's budgets are per endpoint (REFERENCE.md §1.6): a spent issue-detail budget must not stall the issue list.
        private readonly ConcurrentDictionary<string, long> _notBeforeUtcTicks = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);

        public SentryHttp(SentryClientOptions options)
        {
            _options = options;
            HttpMessageHandler handler = options.Handler ?? new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };

            // Redirects would carry the Authorization header to wherever they point; the token must stay on its host.
            if (handler is HttpClientHandler clientHandler) clientHandler.AllowAutoRedirect = false;

            // Attempts have their own timeout (RequestTimeout) so that a slow attempt is retried, not fatal.
            _http = new HttpClient(handler, disposeHandler: options.Handler is null) { Timeout = Timeout.InfiniteTimeSpan };
            _slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
            _retry = BuildRetryPipeline();
        }

        public async Task<SentryResponse> SendAsync(SentryRequest request, CancellationToken cancellationToken)
        {
            int attempts = 0;
            HttpResponseMessage response;
            try
            {
                response = await _retry.ExecuteAsync(
                    async ct =>
                    {
                        Interlocked.Increment(ref attempts);
                        return await SendOnceAsync(request, ct).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (IsTransportFault(ex))
            {
                throw SentryErrors.Transport(request.Method, RedactUri(request.Uri), ex, attempts);
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

                    // Errors end up on screens and in logs: neither the URL nor an echoed body may carry the token.
                    throw SentryErrors.FromResponse(request.Method, RedactUri(request.Uri), status, Redact(body), request.RequiredScope, attempts);
                }

                return new SentryResponse(response.StatusCode, RedactUri(request.Uri), body, CollectHeaders(response));
            }
        }

        private async Task<HttpResponseMessage> SendOnceAsync(SentryRequest request, CancellationToken cancellationToken)
        {
            await WaitForRateLimitWindowAsync(request.Uri, cancellationToken).ConfigureAwait(false);
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            try
            {
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
                    var timeout = new TimeoutException($"no answer within {_options.RequestTimeout.TotalSeconds:0} s");
                    timeout.Data[MethodKey] = request.Method.Method;
                    throw timeout;
                }
                catch (Exception ex) when (!(ex is OperationCanceledException))
                {
                    Log($"{request.Method.Method} {request.Uri} failed after {stopwatch.ElapsedMilliseconds} ms: {ex.GetBaseException().Message}");
                    ex.Data[MethodKey] = request.Method.Method;
                    throw;
                }

                Log($"{request.Method.Method} {request.Uri} -> {(int)response.StatusCode} {response.ReasonPhrase} ({stopwatch.ElapsedMilliseconds} ms)");
                NoteRateLimit(request.Uri, response);
                return response;
            }
            finally
            {
                _slots.Release();
            }
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

        private ResiliencePipeline<HttpResponseMessage> BuildRetryPipeline()
        {
            if (_options.MaxRetries <= 0) return ResiliencePipeline<HttpResponseMessage>.Empty;

            var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _options.TimeProvider };
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.MaxRetryDelay,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(ServerRequestedDelay(args.Outcome.Result)),
                OnRetry = args =>
                {
                    string reason = args.Outcome.Exception is { } ex
                        ? ex.GetBaseException().Message
                        : $"{(int)args.Outcome.Result!.StatusCode} {args.Outcome.Result.ReasonPhrase}";
                    Log($"retry {args.AttemptNumber + 1}/{_options.MaxRetries} in {args.RetryDelay.TotalSeconds:0.0} s after {reason}");
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
            return builder.Build();
        }

        private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested) return false;

            HttpResponseMessage? response = outcome.Result;
            HttpMethod method = response?.RequestMessage?.Method ?? HttpMethod.Get;
            if (outcome.Exception is { } ex)
            {
                // An exception has no request attached: SendOnceAsync records the method in its Data.
                bool idempotent = !(ex.Data[MethodKey] is string m) || m != HttpMethod.Post.Method;
                return IsTransportFault(ex) && (idempotent || NeverReachedServer(ex));
            }

            int status = (int)response!.StatusCode;
            bool retriable = status == 429 || (status >= 500 && status != 501);
            // A POST that got any answer reached the server: repeating it could create a second note or deploy.
            return retriable && method != HttpMethod.Post;
        }

        /// <summary>For 429 (and 503 with Retry-After): the wait Sentry asked for; null means the exponential back-off.</summary>
        private TimeSpan? ServerRequestedDelay(HttpResponseMessage? response)
        {
            if (response is null) return null;
            int status = (int)response.StatusCode;
            if (status != 429 && status != 503) return null;

            DateTimeOffset now = _options.TimeProvider.GetUtcNow();
            TimeSpan? wait = null;
            RetryConditionHeaderValue? retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta) wait = delta;
            else if (retryAfter?.Date is DateTimeOffset date) wait = date - now;
            else if (ReadResetTime(response) is DateTimeOffset reset) wait = reset - now;

            if (wait is null) return null;

            // A little jitter so that concurrent callers that were limited together do not return together.
            TimeSpan jitter = TimeSpan.FromMilliseconds(ThreadSafeRandom.Next(0, 250));
            TimeSpan result = (wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value) + jitter;
            return result > _options.MaxRetryDelay ? _options.MaxRetryDelay : result;
        }

        private static DateTimeOffset? ReadResetTime(HttpResponseMessage response)
        {
            if (response.Headers.TryGetValues("X-Sentry-Rate-Limit-Reset", out IEnumerable<string>? values)
                && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
            {
                return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
            }

            return null;
        }

        /// <summary>When Sentry says the window's budget is spent, later requests wait for its reset instead of collecting 429s.</summary>
        private void NoteRateLimit(Uri uri, HttpResponseMessage response)
        {
            if (!response.Headers.TryGetValues("X-Sentry-Rate-Limit-Remaining", out IEnumerable<string>? remaining)
                || !long.TryParse(remaining.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long left)
                || left > 0)
            {
                return;
            }

            if (ReadResetTime(response) is DateTimeOffset reset)
            {
                DateTimeOffset latest = _options.TimeProvider.GetUtcNow() + _options.MaxRetryDelay;
                long ticks = (reset > latest ? latest : reset).UtcTicks;
                _notBeforeUtcTicks.AddOrUpdate(RateLimitKey(uri), ticks, (_, current) => Math.Max(current, ticks));
            }
        }

        /// <summary>
        /// The budget an endpoint belongs to: its path with ids, short ids and versions folded, so that every
        /// issue's detail route shares one budget as in Sentry.
        /// </summary>
        internal static string RateLimitKey(Uri uri)
        {
            string[] segments = uri.AbsolutePath.Split('/');
            for (int i = 0; i < segments.Length; i++)
            {
                if (i > 0 && (segments[i - 1] == "issues" || segments[i - 1] == "events" || segments[i - 1] == "releases" || segments[i - 1] == "shortids" || segments[i - 1] == "tags") && segments[i].Length > 0)
                {
                    segments[i] = "{id}";
                }
            }

            return string.Join("/", segments);
        }

        private async Task WaitForRateLimitWindowAsync(Uri uri, CancellationToken cancellationToken)
        {
            if (!_notBeforeUtcTicks.TryGetValue(RateLimitKey(uri), out long notBefore)) return;
            TimeSpan wait = new DateTimeOffset(notBefore, TimeSpan.Zero) - _options.TimeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                Log($"rate-limit budget spent: waiting {wait.TotalSeconds:0.0} s for Sentry's window to reset");
                await _options.TimeProvider.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        internal static bool IsTransportFault(Exception ex) =>
            ex is HttpRequestException || ex is IOException || ex is TimeoutException || ex is SocketException || ex is WebException;

        /// <summary>Connection set-up failures: the request was never sent, so even a POST may be repeated.</summary>
        private static bool NeverReachedServer(Exception ex)
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
            _slots.Dispose();
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

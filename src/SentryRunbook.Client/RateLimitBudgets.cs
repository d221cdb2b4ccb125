using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.RateLimiting;
using System.Threading.Tasks;

namespace SentryRunbook.Client
{
    /// <summary>
    /// Sentry's rate limits kept on our side, so that a request Sentry would refuse is never sent
    /// (REFERENCE.md §1.6). Sentry counts each (caller, endpoint, method) in fixed one-second windows and
    /// bounds the requests in flight per endpoint; every answer carries X-Sentry-Rate-Limit-* headers.
    /// One budget per route template and method: a sliding-window limiter sized from those headers (from the
    /// limits known from Sentry's source until the first answer), a concurrency limiter, and the server's own
    /// word that a window is spent. A server that sends no headers (self-hosted) has no limits: its budgets
    /// stop pacing after the first answer, and a 429 there is left to the retry's exponential back-off.
    /// </summary>
    internal sealed class RateLimitBudgets : IDisposable
    {
        /// <summary>
        /// Sentry's windows are whole seconds. A sliding window 60 ms longer, in 20 ms segments, reuses a permit
        /// 1.04 to 1.06 s after it was used: any one second stays within the limit even when two requests' flights
        /// differ by up to 40 ms, at 94% of the rate.
        /// </summary>
        private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(60);
        private static readonly TimeSpan Segment = TimeSpan.FromMilliseconds(20);

        private readonly ConcurrentDictionary<string, Budget> _budgets = new ConcurrentDictionary<string, Budget>(StringComparer.Ordinal);
        private readonly ConcurrentBag<RateLimiter> _retired = new ConcurrentBag<RateLimiter>();
        private readonly int _maxConcurrency;
        private readonly TimeProvider _time;
        private readonly TimeSpan _maxWait;
        private readonly Action<string>? _log;

        public RateLimitBudgets(int maxConcurrency, TimeProvider time, TimeSpan maxWait, Action<string>? log)
        {
            _maxConcurrency = Math.Max(1, maxConcurrency);
            _time = time;
            _maxWait = maxWait;
            _log = log;
        }

        /// <summary>The budget a request belongs to: its method and route template.</summary>
        public static string Key(HttpMethod method, Uri uri) => method.Method + " " + RouteTemplate(uri);

        /// <summary>
        /// The route with ids, slugs of projects, short ids and versions folded, so that every issue's detail
        /// route shares one budget, as it does in Sentry.
        /// </summary>
        internal static string RouteTemplate(Uri uri)
        {
            string[] segments = uri.AbsolutePath.Split('/');

            // "", "api", "0", "projects", org, project, ...: the project slug first, so a project named like a
            // collection ("issues") is not mistaken for one.
            if (segments.Length > 5 && segments[1] == "api" && segments[3] == "projects" && segments[5].Length > 0) segments[5] = "{project}";
            for (int i = 1; i < segments.Length; i++)
            {
                if (segments[i].Length > 0 && segments[i] != "{project}" && IdCollections.Contains(segments[i - 1])) segments[i] = "{id}";
            }

            return string.Join("/", segments);
        }

        private static readonly HashSet<string> IdCollections = new HashSet<string>(StringComparer.Ordinal)
        {
            "issues", "events", "releases", "shortids", "tags", "eventids", "monitors", "checkins", "keys", "groups",
        };

        /// <summary>
        /// The per-endpoint limits found in Sentry's source (REFERENCE.md §1.6), used until Sentry's own headers
        /// say otherwise: issue details GET and PUT 5 a second, DELETE 5 in 5 seconds, issue tags 10 a second,
        /// the legacy project issue list 5 a second, 40 a second elsewhere. Seer's summary (POST …/summarize/) is
        /// counted per minute: 10 a minute per user in Sentry's source until 2025, 20 since (group_ai_summary.py);
        /// the lower one until the first answer. Its window matters more than its count: the headers carry the
        /// limit but not the window, so without it a "20" would be paced as 20 a second.
        /// </summary>
        internal static (int Limit, TimeSpan Window) KnownLimit(string key)
        {
            int space = key.IndexOf(' ');
            string method = key.Substring(0, space);
            string template = key.Substring(space + 1);
            bool issueDetail = EndsWithSegments(template, "issues", "{id}");
            if (issueDetail && method == "DELETE") return (5, TimeSpan.FromSeconds(5));
            if (issueDetail && (method == "GET" || method == "PUT")) return (5, TimeSpan.FromSeconds(1));
            if (EndsWithSegments(template, "issues", "{id}", "tags") && method == "GET") return (10, TimeSpan.FromSeconds(1));
            if (EndsWithSegments(template, "{project}", "issues") && method == "GET") return (5, TimeSpan.FromSeconds(1));
            if (EndsWithSegments(template, "issues", "{id}", "summarize") && method == "POST") return (SeerSummariesPerMinute, TimeSpan.FromMinutes(1));
            return (40, TimeSpan.FromSeconds(1));
        }

        /// <summary>Seer's summaries a user may ask for in a minute, as far as is known before Sentry answers.</summary>
        internal const int SeerSummariesPerMinute = 10;

        private static bool EndsWithSegments(string template, params string[] tail)
        {
            string[] parts = template.Trim('/').Split('/');
            if (parts.Length < tail.Length) return false;
            for (int i = 0; i < tail.Length; i++)
            {
                if (parts[parts.Length - tail.Length + i] != tail[i]) return false;
            }

            return true;
        }

        /// <summary>
        /// Waits, first come first served, until the budget lets one more request go: a slot among the
        /// requests in flight, a permit of the window, and the end of a window Sentry said was spent.
        /// The lease is held while the request is in flight. Cancellation stops the wait at once.
        /// </summary>
        public async ValueTask<RateLimitLease> AcquireAsync(string key, CancellationToken cancellationToken)
        {
            Budget budget = _budgets.GetOrAdd(key, k => new Budget(k, KnownLimit(k), _maxConcurrency));
            RateLimitLease slot = await budget.Concurrency.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            try
            {
                if (budget.Window is RateLimiter window)
                {
                    using RateLimitLease permit = await window.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                    if (!permit.IsAcquired) throw new InvalidOperationException($"The rate limiter of {key} refused a request.");
                }

                TimeSpan wait = new DateTimeOffset(Interlocked.Read(ref budget.NotBeforeUtcTicks), TimeSpan.Zero) - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    if (wait > _maxWait) wait = _maxWait;
                    _log?.Invoke($"rate limit: Sentry said the window of {key} is spent; waiting {wait.TotalSeconds:0.0} s for it to reset");
                    await _time.Delay(wait, cancellationToken).ConfigureAwait(false);
                }

                return slot;
            }
            catch
            {
                slot.Dispose();
                throw;
            }
        }

        /// <summary>What Sentry said about the budget: its limit, what is left of the window, and the concurrency.</summary>
        public void Observe(string key, int status, Func<string, string?> header)
        {
            if (!_budgets.TryGetValue(key, out Budget? budget)) return;
            int? limit = Integer(header("X-Sentry-Rate-Limit-Limit"));
            int? remaining = Integer(header("X-Sentry-Rate-Limit-Remaining"));
            if (limit is null && remaining is null)
            {
                // Self-hosted Sentry has no rate limits and sends no headers (REFERENCE.md §1.1). Only a success
                // proves that: a proxy's 502 has no headers either.
                if (status >= 200 && status < 300 && !budget.FromHeaders)
                {
                    lock (budget)
                    {
                        if (budget.Window is RateLimiter unused)
                        {
                            _retired.Add(unused);
                            budget.Window = null;
                        }
                    }
                }

                return;
            }

            if (limit is int l && l > 0)
            {
                lock (budget)
                {
                    if (budget.Window is null || budget.Limit != l)
                    {
                        if (budget.Window != null) _retired.Add(budget.Window);
                        budget.Window = Budget.NewWindow(l, budget.ServerWindow);
                        if (budget.Limit != l) _log?.Invoke($"rate limit: Sentry allows {l} requests to {key} per {budget.ServerWindow.TotalSeconds:0} s; pacing to that");
                        budget.Limit = l;
                    }

                    budget.FromHeaders = true;
                    int? concurrent = Integer(header("X-Sentry-Rate-Limit-ConcurrentLimit"));
                    if (concurrent is int c && c > 0 && c < budget.ConcurrencyLimit)
                    {
                        // Only ever narrowed: a wider server limit than ours changes nothing.
                        _retired.Add(budget.Concurrency);
                        budget.Concurrency = Budget.NewConcurrency(c);
                        budget.ConcurrencyLimit = c;
                    }
                }
            }

            if ((remaining is int left && left <= 0) || status == 429)
            {
                // Someone else (another script on the same token) may share the budget: Sentry's count wins.
                if (ResetTime(header) is DateTimeOffset reset)
                {
                    long ticks = reset.UtcTicks;
                    long current;
                    do
                    {
                        current = Interlocked.Read(ref budget.NotBeforeUtcTicks);
                        if (ticks <= current) break;
                    }
                    while (Interlocked.CompareExchange(ref budget.NotBeforeUtcTicks, ticks, current) != current);
                }
            }
        }

        internal static DateTimeOffset? ResetTime(Func<string, string?> header) =>
            double.TryParse(header("X-Sentry-Rate-Limit-Reset"), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
                : (DateTimeOffset?)null;

        private static int? Integer(string? text) =>
            int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : (int?)null;

        /// <summary>For tests: each budget's window (Sentry's headers carry the limit, never the window).</summary>
        internal IReadOnlyDictionary<string, TimeSpan> Windows() =>
            _budgets.ToDictionary(b => b.Key, b => b.Value.ServerWindow, StringComparer.Ordinal);

        /// <summary>For -Verbose and tests: each budget's limit as now known.</summary>
        internal IReadOnlyDictionary<string, int?> Limits() =>
            _budgets.ToDictionary(b => b.Key, b => b.Value.Window is null ? (int?)null : b.Value.Limit, StringComparer.Ordinal);

        public void Dispose()
        {
            foreach (Budget budget in _budgets.Values)
            {
                budget.Window?.Dispose();
                budget.Concurrency.Dispose();
            }

            foreach (RateLimiter limiter in _retired) limiter.Dispose();
        }

        private sealed class Budget
        {
            public Budget(string key, (int Limit, TimeSpan Window) known, int maxConcurrency)
            {
                Limit = known.Limit;
                ServerWindow = known.Window;
                Window = NewWindow(known.Limit, known.Window);
                ConcurrencyLimit = maxConcurrency;
                Concurrency = NewConcurrency(maxConcurrency);
            }

            public int Limit;
            public readonly TimeSpan ServerWindow;
            /// <summary>Null once the server proved it has no limits.</summary>
            public RateLimiter? Window;
            public RateLimiter Concurrency;
            public int ConcurrencyLimit;
            public bool FromHeaders;
            public long NotBeforeUtcTicks;

            public static RateLimiter NewWindow(int limit, TimeSpan serverWindow)
            {
                TimeSpan window = serverWindow + Slack;
                return new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, limit),
                    Window = window,
                    SegmentsPerWindow = Math.Max(1, (int)(window.Ticks / Segment.Ticks)),
                    QueueLimit = int.MaxValue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = true,
                });
            }

            public static RateLimiter NewConcurrency(int limit) =>
                new ConcurrencyLimiter(new ConcurrencyLimiterOptions
                {
                    PermitLimit = Math.Max(1, limit),
                    QueueLimit = int.MaxValue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
        }
    }
}

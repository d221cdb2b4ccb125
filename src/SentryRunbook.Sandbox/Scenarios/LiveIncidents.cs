using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// What a live incident looks like: an issue (an existing one, or a new one opened by its first event) receiving events
/// in real time at a rate that rises from the baseline to the peak, holds, decays back to the baseline and stays there for
/// the tail; then it ends, or, with <see cref="RestartAfterResolve"/>, waits for the issue to be resolved and starts the
/// same shape again that long afterwards, so that Sentry's own rule regresses it (REFERENCE.md §2.5: a new event on an
/// issue resolved without a release regresses it).
/// </summary>
public sealed class LiveShape
{
    public string? Issue { get; init; }
    public string Project { get; init; } = "web";
    public string ExceptionType { get; init; } = "LiveIncidentError";
    public string ExceptionValue { get; init; } = "Upstream checkout API failing";
    public string Environment { get; init; } = "production";
    public string? Release { get; init; }
    public double BaselinePerMinute { get; init; }
    public double PeakPerMinute { get; init; } = 60;
    public TimeSpan Rise { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Plateau { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan Decay { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan Tail { get; init; }
    public int Users { get; init; } = 25;
    public TimeSpan? RestartAfterResolve { get; init; }

    public TimeSpan Length => Rise + Plateau + Decay + Tail;

    /// <summary>Events per minute <paramref name="t"/> after the start: linear rise, plateau, linear decay, tail at the baseline.</summary>
    public double RateAt(TimeSpan t)
    {
        if (t < TimeSpan.Zero || t >= Length) return 0;
        if (t < Rise) return BaselinePerMinute + (PeakPerMinute - BaselinePerMinute) * (t / Rise);
        t -= Rise;
        if (t < Plateau) return PeakPerMinute;
        t -= Plateau;
        if (t < Decay) return PeakPerMinute - (PeakPerMinute - BaselinePerMinute) * (t / Decay);
        return BaselinePerMinute;
    }
}

/// <summary>One running live incident and what it has sent so far.</summary>
public sealed class LiveIncident
{
    private long _events;

    internal LiveIncident(string id, LiveShape shape, Issue issue)
    {
        Id = id;
        Shape = shape;
        Issue = issue;
    }

    public string Id { get; }
    public LiveShape Shape { get; }
    public Issue Issue { get; }
    public long Events => Interlocked.Read(ref _events);
    /// <summary>rising, plateau, decaying, tail, waiting-for-resolution, restart-pending, finished or stopped.</summary>
    public string Phase { get; internal set; } = "rising";
    public DateTimeOffset StartedAt { get; internal set; }
    public int Waves { get; internal set; } = 1;
    internal CancellationTokenSource Stop { get; } = new();

    internal void Count() => Interlocked.Increment(ref _events);
}

/// <summary>
/// The sandbox's live incidents (POST /sandbox/live): each runs on its own timer and ingests through the store, so
/// everything Sentry would do with the events (counts, last seen, regressions, webhooks) happens as for any event.
/// </summary>
public sealed class LiveIncidents(SandboxState state) : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, LiveIncident> _running = new(StringComparer.Ordinal);
    private int _next;

    public IReadOnlyList<LiveIncident> All => _running.Values.OrderBy(l => l.StartedAt).ToList();

    public LiveIncident? Find(string id) => _running.GetValueOrDefault(id);

    /// <summary>Starts a live incident. The issue is known at once: a new one is opened by the first event, sent now.</summary>
    public LiveIncident Start(LiveShape shape)
    {
        var store = state.Store;
        var now = DateTimeOffset.UtcNow;
        ErrorEvent template;
        if (shape.Issue is { } named)
        {
            var issue = store.FindByIdOrShortId(named) ?? throw new ArgumentException($"'issue': no issue '{named}'");
            template = store.Read(s => s.AllEvents.LastOrDefault(e => ReferenceEquals(e.Issue, issue)))
                ?? throw new ArgumentException($"'issue': '{named}' has no event to repeat");
        }
        else
        {
            var project = store.FindProject(shape.Project) ?? throw new ArgumentException($"'project': no project '{shape.Project}'");
            template = new ErrorEvent
            {
                EventId = NewEventId(), Project = project, Timestamp = now, Received = now,
                Level = "error", Platform = "javascript", Environment = shape.Environment, Release = shape.Release,
                Exceptions = [new ExceptionValue(shape.ExceptionType, shape.ExceptionValue, null, new Mechanism("generic", false),
                    [new Frame("src/live/incident.ts", "/app/src/live/incident.ts", "handleRequest", "live/incident", 42, 7, true)])],
                Transaction = "POST /live",
            };
        }

        var id = "live-" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        var first = store.Ingest(Repeat(template, shape, 0, now));
        var live = new LiveIncident(id, shape, first.Issue) { StartedAt = now };
        live.Count();
        _running[id] = live;
        _ = Task.Run(() => RunAsync(live, template, live.Stop.Token));
        return live;
    }

    public bool Stop(string id)
    {
        if (!_running.TryGetValue(id, out var live)) return false;
        live.Stop.Cancel();
        live.Phase = "stopped";
        return true;
    }

    private async Task RunAsync(LiveIncident live, ErrorEvent template, CancellationToken ct)
    {
        var shape = live.Shape;
        try
        {
            using var timer = new PeriodicTimer(Tick);
            while (true)
            {
                // The first wave already sent its first event; a restarted wave sends its own.
                double owed = 0;
                var last = DateTimeOffset.UtcNow;
                while (await timer.WaitForNextTickAsync(ct))
                {
                    var now = DateTimeOffset.UtcNow;
                    var t = now - live.StartedAt;
                    if (t >= shape.Length) break;
                    live.Phase = t < shape.Rise ? "rising" : t < shape.Rise + shape.Plateau ? "plateau" : t < shape.Rise + shape.Plateau + shape.Decay ? "decaying" : "tail";
                    owed += shape.RateAt(t) / 60.0 * (now - last).TotalSeconds;
                    last = now;
                    for (; owed >= 1; owed--)
                    {
                        state.Store.Ingest(Repeat(template, shape, live.Events, now));
                        live.Count();
                    }
                }

                if (shape.RestartAfterResolve is not { } delay || live.Waves > 1)
                {
                    live.Phase = "finished";
                    return;
                }

                live.Phase = "waiting-for-resolution";
                while (live.Issue.Status != "resolved") await timer.WaitForNextTickAsync(ct);
                live.Phase = "restart-pending";
                await Task.Delay(delay, ct);
                live.Waves++;
                live.StartedAt = DateTimeOffset.UtcNow;
                live.Phase = "rising";
                state.Store.Ingest(Repeat(template, shape, live.Events, live.StartedAt));
                live.Count();
            }
        }
        catch (OperationCanceledException)
        {
            live.Phase = "stopped";
        }
    }

    /// <summary>The template again with a new id, the time now and the next user of the pool.</summary>
    private static ErrorEvent Repeat(ErrorEvent e, LiveShape shape, long index, DateTimeOffset at) => new()
    {
        EventId = NewEventId(), Project = e.Project, Timestamp = at, Received = at.AddMilliseconds(20),
        Level = e.Level, Platform = e.Platform, Release = e.Release, Dist = e.Dist, Environment = e.Environment,
        Message = e.Message, MessageTemplate = e.MessageTemplate, MessageParams = e.MessageParams, Logger = e.Logger,
        Transaction = e.Transaction, ServerName = e.ServerName, Exceptions = e.Exceptions, Breadcrumbs = e.Breadcrumbs,
        User = shape.Users > 0 ? new EventUser("live-user-" + (index % shape.Users).ToString(CultureInfo.InvariantCulture), null, null, null, null, null) : e.User,
        SdkTags = e.SdkTags, ContextsJson = e.ContextsJson, ContextTags = e.ContextTags, Request = e.Request, Sdk = e.Sdk,
        Fingerprint = e.Fingerprint, Size = e.Size == 0 ? 1200 : e.Size,
    };

    private static string NewEventId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public void Dispose()
    {
        foreach (var live in _running.Values)
        {
            live.Stop.Cancel();
        }
    }
}

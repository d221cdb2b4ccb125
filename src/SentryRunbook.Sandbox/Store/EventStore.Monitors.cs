using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>Cron monitors and their check-ins.</summary>
public sealed partial class EventStore
{
    private readonly List<Model.Monitor> _monitors = [];

    /// <summary>Monitors by name; read inside Read/Write only.</summary>
    public IReadOnlyList<Model.Monitor> Monitors => _monitors;

    /// <summary>A monitor by id or slug (slugs are unique per project; the first match wins across projects).</summary>
    public Model.Monitor? FindMonitor(string idOrSlug, Project? project = null)
    {
        lock (_sync)
            return _monitors.FirstOrDefault(m => (project is null || m.Project.Id == project.Id) && (m.Id == idOrSlug || m.Slug == idOrSlug));
    }

    /// <summary>Creates the monitor, or updates its schedule when it exists (a check-in's `monitor_config` upserts).</summary>
    public Model.Monitor UpsertMonitor(Project project, string slug, string? name, MonitorSchedule? schedule, int? margin, int? maxRuntime, string? timezone, DateTimeOffset at)
    {
        lock (_sync)
        {
            var monitor = _monitors.FirstOrDefault(m => m.Project.Id == project.Id && m.Slug == slug);
            if (monitor is null)
            {
                monitor = new Model.Monitor { Id = Guid.NewGuid().ToString("D"), Slug = slug, Project = project, DateCreated = at, Name = name ?? slug };
                _monitors.Add(monitor);
            }
            if (name is not null) monitor.Name = name;
            if (schedule is not null) monitor.Schedule = schedule;
            if (margin is not null) monitor.CheckinMargin = margin;
            if (maxRuntime is not null) monitor.MaxRuntime = maxRuntime;
            if (timezone is not null) monitor.Timezone = timezone;
            return monitor;
        }
    }

    /// <summary>Records a check-in, or completes the earlier one with the same id (in_progress → ok/error).</summary>
    public CheckIn RecordCheckIn(Model.Monitor monitor, string checkInId, string environment, string status, long? durationMs, DateTimeOffset at)
    {
        lock (_sync)
        {
            var existing = monitor.CheckIns.FirstOrDefault(c => c.Id == checkInId);
            if (existing is not null)
            {
                existing.Status = status;
                existing.DateUpdated = at;
                existing.DurationMs = durationMs ?? (long)(at - existing.DateCreated).TotalMilliseconds;
                return existing;
            }
            var previous = monitor.CheckIns.LastOrDefault(c => c.Environment == environment);
            var checkIn = new CheckIn
            {
                Id = checkInId,
                Environment = environment,
                DateCreated = at,
                Status = status,
                DurationMs = durationMs,
                DateUpdated = at,
                DateInProgress = status == "in_progress" ? at : null,
                // The run it answers: the slot after the previous check-in, or this one's own minute for the first.
                ExpectedTime = previous is null ? new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero) : monitor.Schedule.Next(previous.DateCreated),
            };
            monitor.CheckIns.Add(checkIn);
            return checkIn;
        }
    }
}

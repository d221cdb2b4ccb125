using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Store;

/// <summary>Uptime monitors and their checks.</summary>
public sealed partial class EventStore
{
    private readonly List<UptimeMonitor> _uptimeMonitors = [];

    /// <summary>Read inside Read/Write only.</summary>
    public IReadOnlyList<UptimeMonitor> UptimeMonitors => _uptimeMonitors;

    public UptimeMonitor AddUptimeMonitor(Project project, string name, string url, int intervalSeconds, string environment)
    {
        lock (_sync)
        {
            var monitor = new UptimeMonitor
            {
                Id = (_uptimeMonitors.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Project = project, Name = name, Url = url, IntervalSeconds = intervalSeconds, Environment = environment,
            };
            _uptimeMonitors.Add(monitor);
            return monitor;
        }
    }

    public void RecordUptimeCheck(UptimeMonitor monitor, UptimeCheck check)
    {
        lock (_sync) monitor.Checks.Add(check);
    }

    /// <summary>An uptime monitor of the project by id.</summary>
    public UptimeMonitor? FindUptimeMonitor(Project project, string id)
    {
        lock (_sync) return _uptimeMonitors.FirstOrDefault(m => m.Project.Id == project.Id && m.Id == id);
    }
}

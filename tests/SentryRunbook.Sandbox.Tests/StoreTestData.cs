using SentryRunbook.Sandbox.Model;
using SentryRunbook.Sandbox.Store;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>A bare store with one project, and terse event builders, for grouping and lifecycle tests.</summary>
public sealed class StoreTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    public StoreTestData()
    {
        var team = new Team("1", "backend", "Backend");
        Project = new Project("1", "web", "Web", "javascript", T0.AddDays(-100), team, new string('a', 32));
        Store = new EventStore(new Organization("1", "acme", "Acme", T0.AddDays(-100)), [Project], T0);
    }

    public EventStore Store { get; }
    public Project Project { get; }

    public static Frame InApp(string function, string file) => new(file, "/app/" + file, function, null, 10, 1, true);
    public static Frame SystemFrame(string function) => new("node:internal", null, function, null, 1, 1, false);

    public ErrorEvent Error(string type, string value, Frame[] frames, DateTimeOffset? at = null, string? release = null,
        IReadOnlyList<string>? fingerprint = null, string? user = null, bool handled = true) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        Project = Project,
        Timestamp = at ?? T0,
        Received = at ?? T0,
        Release = release,
        Environment = "production",
        Exceptions = [new ExceptionValue(type, value, null, new Mechanism("generic", handled), frames)],
        Fingerprint = fingerprint,
        User = user is null ? null : new EventUser(user, null, null, null, null, null),
    };

    public ErrorEvent Message(string message, DateTimeOffset? at = null) => new()
    {
        EventId = Guid.NewGuid().ToString("N"),
        Project = Project,
        Timestamp = at ?? T0,
        Received = at ?? T0,
        Level = "info",
        Message = message,
    };

    public Issue Ingest(ErrorEvent e) => Store.Ingest(e).Issue;
}

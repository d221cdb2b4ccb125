using SentryRunbook.Sandbox.Store;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox;

/// <summary>Everything the routes share. The base URI is known only once Kestrel picked the port.</summary>
public sealed class SandboxState(SandboxOptions options, EventStore store)
{
    private string? _baseUri;

    public SandboxOptions Options { get; } = options;
    public EventStore Store { get; } = store;
    /// <summary>What the web API was asked and what it refused (GET /sandbox/traffic).</summary>
    public Http.Traffic Traffic { get; } = new();

    public string BaseUri
    {
        get => _baseUri ?? throw new InvalidOperationException("the server has not started yet");
        set
        {
            _baseUri = value.TrimEnd('/');
            Issues = new IssueWriter(_baseUri, Store);
            Events = new EventWriter(Store);
            Organizations = new OrganizationWriter(_baseUri, Store);
        }
    }

    public IssueWriter Issues { get; private set; } = null!;
    public OrganizationWriter Organizations { get; private set; } = null!;
    public EventWriter Events { get; private set; } = null!;
}

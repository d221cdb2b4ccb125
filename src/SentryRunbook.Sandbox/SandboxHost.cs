using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SentryRunbook.Sandbox.Http;
using SentryRunbook.Sandbox.Routes;
using SentryRunbook.Sandbox.Scenarios;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox;

/// <summary>
/// A running sandbox on a real Kestrel socket. Used by Program (as a process) and by tests (in-process).
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxHost(WebApplication app, SandboxState state, string dsn)
    {
        _app = app;
        State = state;
        Dsn = dsn;
    }

    public SandboxState State { get; }
    public string BaseUri => State.BaseUri;
    public string Token => State.Options.Token;
    public string Organization => State.Store.Organization.Slug;
    public string Project => State.Options.Project;
    public string Dsn { get; }

    /// <summary>The one-line JSON announcement Program prints first on stdout.</summary>
    public string ReadyLine => JsonOut.Serialize(new JsonObject
    {
        ["baseUri"] = BaseUri,
        ["organization"] = Organization,
        ["project"] = Project,
        ["token"] = Token,
        ["dsn"] = Dsn,
    });

    public static async Task<SandboxHost> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        // Self-hosted Sentry has no API rate limits and sends no X-Sentry-Rate-Limit-* headers (REFERENCE.md §1.1).
        if (SandboxProfile.IsLegacy(options)) options.RateLimits = false;
        var store = ScenarioFile.IsFile(options.Scenario) ? (options.ScenarioFile ??= ScenarioFile.Load(options.Scenario)).Build(options, now)
            : options.Scenario == ScenarioNames.Empty ? SeedExamples.BuildEmpty(options, now)
            : options.Scenario == ScenarioNames.Releases ? ScenarioFile.BuiltIn(ScenarioNames.Releases).Build(options, now)
            : options.Scenario == ScenarioNames.Storm ? ScenarioFile.BuiltIn(ScenarioNames.Storm).Build(options, now)
            : SeedExamples.Build(options, now);
        var state = new SandboxState(options, store);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // stdout belongs to the announcement line; ASP.NET's own logging stays off.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            if (IPAddress.TryParse(options.Host, out var ip)) k.Listen(ip, options.Port);
            else k.ListenLocalhost(options.Port);
        });
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(new Faults.FaultInjector(options.Faults));
        builder.Services.AddSingleton<Webhooks.WebhookDispatcher>();
        builder.Services.AddSingleton<LiveIncidents>();

        var app = builder.Build();
        if (options.Verbose) app.Use(LogToStderr);
        app.UseMiddleware<Faults.FaultControl>(); // fault control endpoint: loopback only, never faulted
        app.UseMiddleware<SandboxOptionsControl>(); // /sandbox/options: loopback only, never faulted
        app.UseMiddleware<TrafficControl>(); // /sandbox/traffic: what was asked and refused, for benchmarks and tests
        app.UseMiddleware<Webhooks.WebhookControl>(); // /sandbox/webhooks: loopback only, never faulted
        app.UseMiddleware<LiveControl>(); // /sandbox/live: live incidents in real time, loopback only, never faulted
        app.UseRouting();
        app.UseMiddleware<RateLimits>();
        app.UseMiddleware<Faults.FaultMiddleware>(); // before auth; see FaultMiddleware for why
        app.UseMiddleware<PathRules>();
        app.UseMiddleware<AuthMiddleware>();
        app.UseMiddleware<SnoozeExpiry>();
        RootRoutes.Map(app, state);
        OrganizationRoutes.Map(app, state);
        IssueListRoute.Map(app, state);
        IssueRoutes.Map(app, state);
        EventRoutes.Map(app, state);
        IngestRoutes.Map(app, state);
        DiscoverRoutes.Map(app, state);
        SessionsRoutes.Map(app, state);
        ActRoutes.Map(app, state);
        AccountRoutes.Map(app, state);
        MonitorRoutes.Map(app, state);
        SeerRoutes.Map(app, state);
        TraceRoutes.Map(app, state);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        state.BaseUri = address;
        // Deliveries start once the scenario is loaded and URLs are known: seeding fires nothing.
        _ = app.Services.GetRequiredService<Webhooks.WebhookDispatcher>();
        // A scenario file's live incidents start now, in real time, as POST /sandbox/live would start them.
        foreach (var shape in options.ScenarioFile?.Live ?? [])
        {
            app.Services.GetRequiredService<LiveIncidents>().Start(shape);
        }

        // The announced DSN carries the announced project's own key, so SDKs pointed at it ingest there.
        var project = store.FindProject(options.Project) ?? store.Projects[0];
        var uri = new Uri(state.BaseUri);
        var dsn = $"{uri.Scheme}://{project.PublicKey}@{uri.Authority}/{project.Id}";
        return new SandboxHost(app, state, dsn);
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task LogToStderr(HttpContext context, RequestDelegate next)
    {
        await next(context);
        await Console.Error.WriteLineAsync($"{DateTimeOffset.UtcNow:O} {context.Request.Method} {context.Request.Path}{context.Request.QueryString} -> {context.Response.StatusCode}");
    }
}

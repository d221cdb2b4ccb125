using SentryRunbook.Sandbox;

const string Usage = "usage: SentryRunbook.Sandbox [--port N] [--host 127.0.0.1] [--scenario seed-examples|empty|releases|FILE.json] [--profile saas|self-hosted-legacy] [--token TOKEN] [--organization acme] [--project web] [--legacy-brownout] [--no-rate-limits] [--no-bulk-fallback-to-search] [--verbose]";

if (args.Any(a => a is "--help" or "-h" or "-?"))
{
    Console.Out.WriteLine(Usage);
    Console.Out.WriteLine(SentryRunbook.Sandbox.Faults.FaultFlags.Usage);
    Console.Out.WriteLine(SentryRunbook.Sandbox.Webhooks.WebhookSettings.Usage);
    return 0;
}

var options = SandboxOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine($"sentry sandbox: {error}");
    Console.Error.WriteLine(Usage);
    Console.Error.WriteLine(SentryRunbook.Sandbox.Faults.FaultFlags.Usage);
    return 2;
}

await using var host = await SandboxHost.StartAsync(options);
// Callers read this first line to find the port, token and DSN; flush so pipes see it immediately.
Console.Out.WriteLine(host.ReadyLine);
Console.Out.Flush();
await host.WaitForShutdownAsync();
return 0;

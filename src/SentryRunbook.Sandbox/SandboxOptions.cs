using System.Security.Cryptography;

namespace SentryRunbook.Sandbox;

/// <summary>Start-up settings; parsed from the fixed command line other tooling depends on.</summary>
public sealed class SandboxOptions
{
    public int Port { get; set; }
    public string Host { get; set; } = "127.0.0.1";
    public string Scenario { get; set; } = Scenarios.ScenarioNames.SeedExamples;
    public string Token { get; set; } = NewUserToken();
    public string Organization { get; set; } = "acme";
    public string Project { get; set; } = "web";
    public bool LegacyBrownout { get; set; }
    public bool Verbose { get; set; }
    /// <summary>
    /// Enforce sentry.io's API rate limits and send its X-Sentry-Rate-Limit-* headers (Http/RateLimits.cs); self-hosted
    /// has neither (REFERENCE.md §1.1). On by default; `--no-rate-limits` (alias `--no-rate-limit-headers`); /sandbox/options.
    /// </summary>
    public bool RateLimits { get; set; } = true;
    /// <summary>
    /// Reproduce Sentry's bulk-PUT hazard: ids none of which exist → mutate the search instead (§2.4). On by default, as in
    /// Sentry; `--no-bulk-fallback-to-search`; /sandbox/options.
    /// </summary>
    public bool BulkFallbackToSearch { get; set; } = true;
    /// <summary>
    /// One-shot, for rehearsing a race (/sandbox/options `deleteNamedIssuesOnNextBulkChange`): the next bulk PUT first
    /// deletes the issues it names, as if someone deleted them between the client's check and its write.
    /// </summary>
    public bool DeleteNamedIssuesOnNextBulkChange { get; set; }
    /// <summary>`saas` or `self-hosted-legacy` (see SandboxProfile).</summary>
    public string Profile { get; set; } = SandboxProfile.Saas;
    /// <summary>The parsed scenario file when `Scenario` names one (loaded at start-up if not set).</summary>
    public Scenarios.ScenarioFile? ScenarioFile { get; set; }

    /// <summary>The integration's signed webhook deliveries (Webhooks/WebhookSettings.cs); changeable at run time via /sandbox/webhooks.</summary>
    public global::SentryRunbook.Sandbox.Webhooks.WebhookSettings Webhooks { get; set; } = new();

    /// <summary>Start-up fault injection (Faults/FaultFlags.cs); changeable at run time via /sandbox/faults.</summary>
    public global::SentryRunbook.Sandbox.Faults.FaultSettings Faults { get; set; } = new();

    /// <summary>User tokens look like real ones (`sntryu_` + 64 lowercase hex) so client-side format checks pass.</summary>
    public static string NewUserToken() => "sntryu_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Parses argv; returns null and an error message on bad input.</summary>
    public static SandboxOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var o = new SandboxOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? Value()
            {
                if (i + 1 < args.Count) return args[++i];
                return null;
            }

            switch (arg)
            {
                case "--port":
                    if (!int.TryParse(Value(), out var port) || port < 0 || port > 65535) { error = "--port needs a number 0-65535"; return null; }
                    o.Port = port;
                    break;
                case "--host":
                    o.Host = Value() ?? "";
                    break;
                case "--scenario":
                    o.Scenario = Value() ?? "";
                    if (Scenarios.ScenarioFile.IsFile(o.Scenario))
                    {
                        // Anything but a built-in name is a scenario file (Scenarios/README.md), validated now so errors exit 2.
                        if (!o.Scenario.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !File.Exists(o.Scenario)) { error = $"unknown scenario '{o.Scenario}' (use {string.Join("|", Scenarios.ScenarioNames.All)} or a .json scenario file)"; return null; }
                        try { o.ScenarioFile = Scenarios.ScenarioFile.Load(o.Scenario); }
                        catch (Scenarios.ScenarioFileException ex) { error = $"scenario file '{o.Scenario}': {ex.Message}"; return null; }
                    }
                    break;
                case "--token":
                    o.Token = Value() ?? "";
                    break;
                case "--organization":
                    o.Organization = Value() ?? "";
                    break;
                case "--project":
                    o.Project = Value() ?? "";
                    break;
                case "--legacy-brownout":
                    o.LegacyBrownout = true;
                    break;
                case "--profile":
                    o.Profile = Value() ?? "";
                    if (!SandboxProfile.All.Contains(o.Profile)) { error = $"unknown profile '{o.Profile}' (use {string.Join("|", SandboxProfile.All)})"; return null; }
                    break;
                case "--verbose":
                    o.Verbose = true;
                    break;
                case "--no-rate-limits" or "--no-rate-limit-headers":
                    o.RateLimits = false;
                    break;
                case "--bulk-fallback-to-search":
                    o.BulkFallbackToSearch = true;
                    break;
                case "--no-bulk-fallback-to-search":
                    o.BulkFallbackToSearch = false;
                    break;
                default:
                    if (global::SentryRunbook.Sandbox.Webhooks.WebhookSettings.TryApply(arg, Value, o.Webhooks, out var webhookError))
                    {
                        if (webhookError is null) break;
                        error = webhookError;
                        return null;
                    }

                    if (global::SentryRunbook.Sandbox.Faults.FaultFlags.TryApply(arg, Value, o.Faults, out var faultError))
                    {
                        if (faultError is null) break;
                        error = faultError;
                        return null;
                    }

                    error = $"unknown argument '{arg}'";
                    return null;
            }
        }

        if (o.Host.Length == 0 || o.Token.Length == 0 || o.Organization.Length == 0 || o.Project.Length == 0)
        {
            error = "--host, --token, --organization and --project need a non-empty value";
            return null;
        }

        return o;
    }
}

namespace SentryRunbook.Sandbox;

/// <summary>
/// Which Sentry the sandbox imitates (`--profile`). `saas` (default): today's sentry.io, with the spans
/// dataset, release health and rate-limit headers. `self-hosted-legacy`: an old self-hosted server:
/// Discover knows only discover/errors/transactions (`dataset=spans` → 400), the sessions endpoint is
/// absent (release health off → 404), events-timeseries does not exist (404) and no
/// X-Sentry-Rate-Limit-* headers are sent.
/// </summary>
public static class SandboxProfile
{
    public const string Saas = "saas";
    public const string SelfHostedLegacy = "self-hosted-legacy";
    public static readonly IReadOnlyList<string> All = [Saas, SelfHostedLegacy];

    public static bool IsLegacy(SandboxOptions options) => options.Profile == SelfHostedLegacy;
}

using System.Reflection;
using SentryRunbook.Abstractions;
using SentryRunbook.Analysis;
using SentryRunbook.Errors;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Core;

/// <summary>An optional read that fails is a missing signal with its error id in the report and the postmortem, never a silent default.</summary>
public class HonestGatheringTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SentryIssue Issue() => new("4123", "WEB-1", "PaymentProcessingError", null, "fatal", "unresolved", "new", "web", "1", "node",
        Now.AddMinutes(-50), Now, 200, 150, null, "web@2.4.0", "web@2.4.0", true, null, Array.Empty<IssueStatPoint>());

    /// <summary>A Sentry that answers the issue and fails every other read with a 500.</summary>
    public class FailingSentry : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == "get_BaseUri") return new Uri("https://us.sentry.io/");
            if (method.Name == "get_Organization") return "acme";
            if (method.Name == nameof(ISentryApi.GetIssueAsync)) return Task.FromResult(Issue());
            if (method.Name == "Dispose") return null;
            Type result = method.ReturnType.GetGenericArguments()[0];
            var error = new SentryApiException(SentryErrorKind.Server, "SentryServerError", "Sentry failed.", "Try again.", 500, "boom");
            return typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod).MakeGenericMethod(result).Invoke(null, new object[] { error });
        }
    }

    private static ISentryApi Failing() => DispatchProxy.Create<ISentryApi, FailingSentry>();

    [Fact]
    public async Task Failed_reads_of_triage_are_missing_signals_with_their_error_id()
    {
        TriageReport report = await new TriageRunner(Failing()).RunAsync("4123", null, new TriageOptions { IncludeSeer = false }, Now, CancellationToken.None);

        foreach (string name in new[] { "Activity", "Deploys", "Latest event", "Release health", "Releases", "Tags", "Traffic", "Events and UniqueUsers", "PeakEventsPerMinute" })
        {
            Assert.Contains($"{name}: Sentry answered 500 (boom) [SentryServerError]", report.MissingSignals);
        }
    }

    [Fact]
    public async Task Failed_reads_of_the_dossier_are_named_and_reach_the_postmortem()
    {
        ISentryApi api = Failing();
        TriageReport triage = await new TriageRunner(api).RunAsync("4123", null, new TriageOptions { IncludeSeer = false }, Now, CancellationToken.None);
        IncidentDossier dossier = await IncidentDossier.GatherAsync(api, "4123", triage, new TriageOptions(), Now, null, CancellationToken.None);

        foreach (string name in new[] { "Activity", "Deploys of web@2.4.0", "Event rate", "Oldest event", "Releases" })
        {
            Assert.Contains(dossier.MissingSignals, m => m.StartsWith(name + ": Sentry answered 500", StringComparison.Ordinal) && m.EndsWith("[SentryServerError]", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(dossier.Timeline.Entries, e => e.Kind == "deploy");
        string markdown = Postmortems.Markdown(new PostmortemInput { Triage = dossier.Triage, Timeline = dossier.Timeline, Now = Now, MissingSignals = dossier.MissingSignals }).Content;
        Assert.Contains("Could not be read from Sentry:", markdown);
        Assert.Contains("Deploys of", markdown);
        Assert.Contains("SentryServerError", markdown);
    }

    [Fact]
    public async Task A_fatal_failure_still_stops_the_gathering()
    {
        var api = new FakeSentryApi { Activity = _ => throw new SentryApiException(SentryErrorKind.Authentication, "SentryAuthenticationFailed", "bad token", "reconnect", 401) };
        await Assert.ThrowsAsync<SentryApiException>(() => IncidentDossier.TimelineAsync(api, "1", Issue(), null, CancellationToken.None));
    }
}

using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Scenarios;

/// <summary>
/// Production deploys and release commits of seed-examples, so versions, deploys and suspects tell one
/// story: web@2.3.9 deployed 3 days ago (healthy) → web@2.4.1 deployed 45 minutes ago, exactly at the
/// TypeError's (WEB-2) first event → web@2.4.2 deployed 20 minutes ago with a Stripe dependency bump,
/// then the payment failures (WEB-1). api@1.8.1 deployed 2 days ago, api@1.8.2 6 hours ago.
/// Suspects: WEB-1 → the stripe bump ("via commit in release"), WEB-2 → the field rename ("via SCM
/// integration", with its pull request); every other issue has none (committers 404).
/// </summary>
public static class SeedDeploys
{
    public const string StripeBumpMessage = "chore(deps): bump stripe from 14.2.0 to 15.0.0";
    public const string FieldRenameMessage = "refactor(api): rename totals.total to totals.amount in cart response";
    /// <summary>The stripe bump was merged this long before start-up: just before web@2.4.2 was cut and deployed.</summary>
    public static readonly TimeSpan StripeBumpMergedAgo = TimeSpan.FromMinutes(24);

    public static void Add(ScenarioBuilder b)
    {
        var store = b.Store;
        var now = b.Now;
        var web = store.Repository("acme/web", store.Organization.DateCreated.AddDays(2));
        var api = store.Repository("acme/api", store.Organization.DateCreated.AddDays(2));
        var dana = new CommitAuthor("Dana Kim", "dana.kim@acme.example");
        var sam = new CommitAuthor("Sam Rivera", "sam.rivera@acme.example");
        var lee = new CommitAuthor("Lee Chen", "lee.chen@acme.example");

        // web@2.3.9: the last healthy web release before today.
        Commit(b, "web@2.3.9", web, "fix(checkout): retry idempotent payment capture", lee, now.AddDays(-3).AddHours(-2));
        Deploy(b, "web@2.3.9", now.AddDays(-3));

        // web@2.4.1: the cart regression, first event at the deploy instant.
        var cart = store.Read(s => s.Releases.Find("web@2.4.1"))!;
        Commit(b, "web@2.4.1", web, "feat(cart): show the currency next to totals", lee, cart.DateCreated.AddMinutes(-50));
        var rename = Commit(b, "web@2.4.1", web, FieldRenameMessage, sam, cart.DateCreated.AddMinutes(-30),
            new PullRequest("1842", "Rename totals.total to totals.amount", "https://github.com/acme/web/pull/1842", cart.DateCreated.AddHours(-3)));
        Deploy(b, "web@2.4.1", cart.DateCreated);

        // web@2.4.2: the dependency update behind the payment incident.
        Commit(b, SeedReleases.PaymentRelease, web, "docs(webhooks): document the Stripe signing secret rotation", lee, now.AddMinutes(-95));
        var bump = Commit(b, SeedReleases.PaymentRelease, web, StripeBumpMessage, dana, Precision.Trim(now - StripeBumpMergedAgo, 0));
        Deploy(b, SeedReleases.PaymentRelease, now - SeedExamples.PaymentReleaseDeployedAgo);

        Commit(b, "api@1.8.1", api, "perf(orders): page order lists by cursor", sam, now.AddDays(-2).AddHours(-3));
        Deploy(b, "api@1.8.1", now.AddDays(-2));
        Commit(b, "api@1.8.2", api, "chore(deps): bump Npgsql from 9.0.2 to 9.0.3", dana, now.AddHours(-7));
        Deploy(b, "api@1.8.2", now.AddHours(-6));

        store.AddSuspect(store.FindByShortId("WEB-1")!, new SuspectCommit(bump, "via commit in release", 1));
        store.AddSuspect(store.FindByShortId("WEB-2")!, new SuspectCommit(rename, "via SCM integration", null));
    }

    private static Commit Commit(ScenarioBuilder b, string version, Repository repo, string message, CommitAuthor author, DateTimeOffset at, PullRequest? pr = null)
    {
        // A deterministic 40-hex sha.
        var sha = (b.NextEventId() + b.NextEventId())[..40];
        var commit = new Commit(sha, repo, message, author, Precision.Trim(at, 0), pr);
        b.Store.AddCommit(version, commit);
        return commit;
    }

    private static void Deploy(ScenarioBuilder b, string version, DateTimeOffset finished)
    {
        var release = b.Store.Read(s => s.Releases.Find(version)) ?? throw new InvalidOperationException("no release " + version);
        var at = Precision.Trim(finished, 6);
        b.Store.AddDeploy(release, "production", $"{version} to production", null, at.AddMinutes(-4), at, release.ProjectIds.ToList());
    }
}

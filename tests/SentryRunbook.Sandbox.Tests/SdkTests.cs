using System.Text.Json;

namespace SentryRunbook.Sandbox.Tests;

/// <summary>
/// The real Sentry .NET SDK (NuGet Sentry 6.12.1) sends an exception with breadcrumbs and user, a
/// session and a transaction to the sandbox through its DSN; the web API returns them intact.
/// </summary>
public sealed class SdkTests(EmptySandbox sandbox) : IClassFixture<EmptySandbox>
{
    [Fact]
    public async Task RealDotnetSdk_RoundTrips()
    {
        Sentry.SentryId eventId;
        using (Sentry.SentrySdk.Init(o =>
               {
                   o.Dsn = sandbox.Host.Dsn;
                   o.Release = "sdktest@1.2.3";
                   o.Environment = "sdk-test";
                   o.AutoSessionTracking = false;
                   o.TracesSampleRate = 1.0;
                   o.IsGlobalModeEnabled = true;
                   o.SendDefaultPii = true;
               }))
        {
            Sentry.SentrySdk.StartSession();
            Sentry.SentrySdk.ConfigureScope(s => s.User = new Sentry.SentryUser { Id = "u-7", Email = "ada@example.com", Username = "ada" });
            Sentry.SentrySdk.AddBreadcrumb("GET /api/orders -> 200", "http", "http", new Dictionary<string, string> { ["url"] = "http://example.invalid/api/orders", ["status_code"] = "200" });
            Sentry.SentrySdk.AddBreadcrumb("cart recalculated", "console", "debug");
            var transaction = Sentry.SentrySdk.StartTransaction("checkout", "task");
            Sentry.SentrySdk.ConfigureScope(s => s.Transaction = transaction);
            var span = transaction.StartChild("db.query", "SELECT * FROM orders");
            span.Finish();
            try
            {
                throw new InvalidOperationException("Quantity must be non-negative (got -1)");
            }
            catch (InvalidOperationException ex)
            {
                eventId = Sentry.SentrySdk.CaptureException(ex);
            }
            transaction.Finish();
            Sentry.SentrySdk.EndSession();
            await Sentry.SentrySdk.FlushAsync(TimeSpan.FromSeconds(10));
        }

        var store = sandbox.Host.State.Store;
        var (_, rows) = await sandbox.GetJson("/api/0/organizations/acme/issues/?query=" + Uri.EscapeDataString("Quantity must be non-negative"));
        var row = Assert.Single(rows.EnumerateArray());
        Assert.Equal("System.InvalidOperationException: Quantity must be non-negative (got -1)", row.GetProperty("title").GetString());
        Assert.Equal("1", row.GetProperty("count").GetString());
        Assert.Equal(1, row.GetProperty("userCount").GetInt32());

        var (_, latest) = await sandbox.GetJson($"/api/0/organizations/acme/issues/{row.GetProperty("id").GetString()}/events/latest/");
        Assert.Equal(eventId.ToString(), latest.GetProperty("eventID").GetString());
        Assert.Equal("sdktest@1.2.3", latest.GetProperty("release").GetProperty("version").GetString());
        var tags = latest.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
        Assert.Equal("sdk-test", tags["environment"]);
        Assert.Equal("sdktest@1.2.3", tags["release"]);
        Assert.Equal("id:u-7", tags["user"]);
        var user = latest.GetProperty("user");
        Assert.Equal(("u-7", "ada@example.com", "ada"), (user.GetProperty("id").GetString(), user.GetProperty("email").GetString(), user.GetProperty("username").GetString()));
        Assert.Equal("sentry.dotnet", latest.GetProperty("sdk").GetProperty("name").GetString());

        var entries = latest.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("type").GetString()!, e => e.GetProperty("data"));
        var crumbs = entries["breadcrumbs"].GetProperty("values").EnumerateArray().ToList();
        Assert.Contains(crumbs, c => c.GetProperty("message").GetString() == "GET /api/orders -> 200" && c.GetProperty("category").GetString() == "http"
                                     && c.GetProperty("data").GetProperty("url").GetString() == "http://example.invalid/api/orders");
        Assert.Contains(crumbs, c => c.GetProperty("message").GetString() == "cart recalculated");
        var frames = entries["exception"].GetProperty("values")[0].GetProperty("stacktrace").GetProperty("frames");
        Assert.Contains("RealDotnetSdk_RoundTrips", frames[frames.GetArrayLength() - 1].GetProperty("function").GetString());
        Assert.True(entries["exception"].GetProperty("values")[0].GetProperty("mechanism").GetProperty("handled").GetBoolean());

        var sessions = store.Read(s => s.SessionUpdates.Where(u => u.Release == "sdktest@1.2.3").ToList());
        Assert.Contains(sessions, u => u.Init);
        Assert.Contains(sessions, u => u.Status == "exited" && u.Errors >= 1 && u.Environment == "sdk-test");
        var transactionStored = store.Read(s => s.Transactions.Single(t => t.Release == "sdktest@1.2.3"));
        Assert.Equal(("checkout", "task", "sdk-test"), (transactionStored.Name, transactionStored.Op, transactionStored.Environment));
        Assert.Contains(store.Read(s => s.Spans.ToList()), s => s.Op == "db.query" && s.TraceId == transactionStored.TraceId);
        Assert.Equal(JsonValueKind.Object, latest.GetProperty("contexts").GetProperty("trace").ValueKind);
    }
}

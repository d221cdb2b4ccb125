using SentryRunbook.Client;

namespace SentryRunbook.Tests.Client;

internal static class ClientFixture
{
    public const string Token = "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";
    public static readonly Uri Base = new("https://us.sentry.io/");
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static (SentryApiClient Client, StubHandler Stub, InstantTime Time, List<string> Log) Create(int maxRetries = 3)
    {
        var stub = new StubHandler();
        var time = new InstantTime(Now);
        var log = new List<string>();
        var options = new SentryClientOptions(Base, "acme", Token)
        {
            Handler = stub,
            TimeProvider = time,
            MaxRetries = maxRetries,
            Log = line => { lock (log) log.Add(line); },
        };
        return (new SentryApiClient(options), stub, time, log);
    }

    public static string Issue(string id, string shortId, string count = "\"5\"") =>
        "{\"id\":\"" + id + "\",\"shortId\":\"" + shortId + "\",\"title\":\"Error " + id + "\",\"culprit\":\"app in f\",\"level\":\"error\",\"status\":\"unresolved\",\"substatus\":\"ongoing\",\"platform\":\"python\","
        + "\"project\":{\"id\":\"2\",\"name\":\"Web\",\"slug\":\"web\",\"platform\":\"python\"},\"count\":" + count + ",\"userCount\":3,"
        + "\"firstSeen\":\"2026-11-27T10:00:00Z\",\"lastSeen\":\"2026-11-28T11:59:58.123456Z\",\"permalink\":\"https://acme.sentry.io/issues/" + id + "/\","
        + "\"isUnhandled\":true,\"assignedTo\":null,\"stats\":{\"24h\":[[1764324000,2],[1764327600,3]]}}";

    public static string Link(string? previousUrl, string? nextUrl, bool nextResults, string cursor = "0:100:0")
    {
        string prev = $"<{previousUrl ?? "https://us.sentry.io/api/0/organizations/acme/issues/?&cursor=0:0:1"}>; rel=\"previous\"; results=\"false\"; cursor=\"0:0:1\"";
        string next = $"<{nextUrl}>; rel=\"next\"; results=\"{(nextResults ? "true" : "false")}\"; cursor=\"{cursor}\"";
        return prev + ", " + next;
    }
}

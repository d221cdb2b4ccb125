using System.Text;
using System.Text.Json;
using SentryRunbook.Client.Webhooks;
using SentryRunbook.Errors;
using SentryRunbook.Models;

namespace SentryRunbook.Tests.Webhooks;

public class SentryWebhookReaderTests : IDisposable
{
    // Decoded by hand from make_deliveries.py's HOSTILE: what a title must read after parsing, character for character.
    private const string Hostile = "<script>alert('x')</script> *bold* [click](https://evil.example) @here <!channel> éè ☃ \U0001F525 \"quoted\" back\\slash\ttab";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sentryrunbook-webhook-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
    }

    private static WebhookCheck Check(DateTimeOffset? now = null, string? seenStore = null) => new()
    {
        Secret = Deliveries.Secret,
        Now = now ?? Deliveries.SentAt.AddSeconds(2),
        SeenStorePath = seenStore,
    };

    private static SentryAlert Read(string name, WebhookCheck? check = null) =>
        SentryWebhookReader.Read(Deliveries.Body(name), Deliveries.Headers(name), check ?? Check());

    private static SentryWebhookException Refused(Action read) => Assert.Throws<SentryWebhookException>(read);

    public static TheoryData<string> AllDeliveries()
    {
        var data = new TheoryData<string>();
        foreach (string name in Deliveries.Names) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllDeliveries))]
    public void Every_delivery_signed_by_Python_verifies_with_its_resource_and_action(string name)
    {
        SentryAlert alert = Read(name);

        string[] parts = name.Split('.');
        Assert.Equal(parts[0], alert.Resource);
        Assert.Equal(parts[1], alert.Action);
        Assert.True(alert.Verified);
        Assert.Equal(Deliveries.SentAt, alert.SentAt);
        Assert.Equal(Deliveries.Headers(name)["Request-ID"], alert.RequestId);
        Assert.Equal("7a485448-a9e2-4c85-8a3c-4f44175783c9", alert.InstallationId);
        Assert.NotEmpty(alert.Data);
    }

    [Theory]
    [MemberData(nameof(AllDeliveries))]
    public void Our_HMAC_of_the_bytes_is_the_one_Python_computed(string name) =>
        Assert.Equal(Deliveries.Headers(name)["Sentry-Hook-Signature"], WebhookSignature.Compute(Deliveries.Bytes(name), Deliveries.Secret));

    [Fact]
    public void An_issue_alert_carries_the_raw_event_fields_and_the_rule()
    {
        SentryAlert alert = Read("event_alert.triggered");

        Assert.Equal("1170820242", alert.IssueId);
        Assert.Equal("8f0e5bd1d5a34a4f93c0e8a8d2f0a1b2", alert.EventId);
        Assert.Equal("web", alert.Project); // from the event's API URL; the raw event has only the numeric id
        Assert.Equal("production", alert.Environment);
        Assert.Equal("fatal", alert.Level);
        Assert.Equal("PaymentGatewayError: " + Hostile, alert.Title);
        Assert.Equal("payments.charge in capture", alert.Culprit);
        Assert.Equal("https://acme.sentry.io/issues/1170820242/events/8f0e5bd1d5a34a4f93c0e8a8d2f0a1b2/", alert.WebUrl);
        Assert.Equal("Page on new fatal payment error", alert.RuleName);
        Assert.Equal("Sentry", alert.Actor);
        Assert.Null(alert.ShortId);

        var e = (IReadOnlyDictionary<string, object?>)alert.Data["event"]!;
        Assert.Equal(4505L, e["project"]);
        Assert.Equal(new object?[] { "environment", "production" }, ((object?[])e["tags"]!)[0]);
        Assert.Equal(1764757198.123456, e["timestamp"]);
    }

    [Theory]
    [InlineData("issue.created", "unresolved")]
    [InlineData("issue.resolved", "resolved")]
    [InlineData("issue.ignored", "ignored")]
    [InlineData("issue.archived", "ignored")]
    [InlineData("issue.assigned", "unresolved")]
    [InlineData("issue.unresolved", "unresolved")]
    public void Issue_deliveries_carry_the_REST_issue(string name, string status)
    {
        SentryAlert alert = Read(name);

        Assert.Equal("1170820242", alert.IssueId);
        Assert.Equal("WEB-1A", alert.ShortId);
        Assert.Equal("web", alert.Project);
        Assert.Equal("fatal", alert.Level);
        Assert.Equal("PaymentGatewayError: " + Hostile, alert.Title);
        Assert.Equal("https://acme.sentry.io/organizations/acme/issues/1170820242/", alert.WebUrl);
        Assert.Null(alert.EventId);
        Assert.Equal(status, ((IReadOnlyDictionary<string, object?>)alert.Data["issue"]!)["status"]);
    }

    [Fact]
    public void An_assignment_names_the_user_who_acted()
    {
        SentryAlert alert = Read("issue.assigned");
        Assert.Equal("Ana Ops", alert.Actor);
        var assigned = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)alert.Data["issue"]!)["assignedTo"]!;
        Assert.Equal("ana@example.com", assigned["email"]);
    }

    [Theory]
    [InlineData("metric_alert.critical", "Critical: Too many payment errors")]
    [InlineData("metric_alert.warning", "Warning: Too many payment errors")]
    [InlineData("metric_alert.resolved", "Resolved: Too many payment errors")]
    public void Metric_alerts_carry_the_rule_and_no_issue(string name, string title)
    {
        SentryAlert alert = Read(name);

        Assert.Null(alert.IssueId);
        Assert.Equal(title, alert.Title);
        Assert.Equal("Too many payment errors", alert.RuleName);
        Assert.Equal("web", alert.Project);
        Assert.Equal("production", alert.Environment);
        Assert.Equal("https://acme.sentry.io/organizations/acme/alerts/rules/details/18/?alert=73", alert.WebUrl);
    }

    [Fact]
    public void An_error_delivery_is_the_raw_event_without_a_rule()
    {
        SentryAlert alert = Read("error.created");
        Assert.Equal("1170820242", alert.IssueId);
        Assert.Equal("8f0e5bd1d5a34a4f93c0e8a8d2f0a1b2", alert.EventId);
        Assert.Equal("PaymentGatewayError: " + Hostile, alert.Title);
        Assert.Null(alert.RuleName);
    }

    [Theory]
    [InlineData("comment.created")]
    [InlineData("comment.updated")]
    [InlineData("comment.deleted")]
    public void Notes_name_their_issue_and_project(string name)
    {
        SentryAlert alert = Read(name);
        Assert.Equal("1170820242", alert.IssueId); // an int on the wire, a string id here like everywhere else
        Assert.Equal("web", alert.Project);
        Assert.Equal(1234L, alert.Data["comment_id"]);
    }

    [Fact]
    public void A_note_keeps_its_markup_as_text()
    {
        SentryAlert alert = Read("comment.created");
        Assert.Equal("Rolled back — see <b>INC-42</b> & @team", alert.Data["comment"]);
    }

    [Theory]
    [InlineData("installation.created")]
    [InlineData("installation.deleted")]
    public void Installations_have_no_issue(string name)
    {
        SentryAlert alert = Read(name);
        Assert.Null(alert.IssueId);
        Assert.Equal("Ana Ops", alert.Actor);
    }

    [Fact]
    public void Header_names_are_matched_whatever_their_case()
    {
        Dictionary<string, string?> headers = Deliveries.Headers("issue.created").ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);
        SentryAlert alert = SentryWebhookReader.Read(Deliveries.Body("issue.created"), headers, Check());
        Assert.Equal("issue", alert.Resource);
    }

    [Fact]
    public void A_body_re_serialized_by_dotnet_does_not_verify()
    {
        string reserialized = JsonSerializer.Serialize(JsonDocument.Parse(Deliveries.Body("event_alert.triggered")).RootElement);
        Assert.NotEqual(Deliveries.Body("event_alert.triggered"), reserialized);

        SentryWebhookException error = Refused(() => SentryWebhookReader.Read(reserialized, Deliveries.Headers("event_alert.triggered"), Check()));
        Assert.Equal(SentryWebhookException.SignatureInvalid, error.ErrorId);
    }

    [Fact]
    public void One_changed_byte_is_refused_and_the_secret_is_not_in_the_message()
    {
        string body = Deliveries.Body("event_alert.triggered").Replace("\"level\": \"fatal\"", "\"level\": \"fatan\"", StringComparison.Ordinal);
        SentryWebhookException error = Refused(() => SentryWebhookReader.Read(body, Deliveries.Headers("event_alert.triggered"), Check()));

        Assert.Equal(SentryWebhookException.SignatureInvalid, error.ErrorId);
        Assert.DoesNotContain(Deliveries.Secret, error.Message + error.RecommendedAction);
        Assert.DoesNotContain(WebhookSignature.Compute(Encoding.UTF8.GetBytes(body), Deliveries.Secret), error.Message);
    }

    [Fact]
    public void Another_secret_is_refused()
    {
        WebhookCheck check = Check();
        check.Secret = Deliveries.Secret.Substring(1) + "0";
        Assert.Equal(SentryWebhookException.SignatureInvalid, Refused(() => Read("issue.created", check)).ErrorId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256=abc")]
    [InlineData("zz")]
    public void A_missing_or_garbled_signature_is_refused(string? signature)
    {
        Dictionary<string, string?> headers = Deliveries.Headers("issue.created");
        if (signature is null) headers.Remove("Sentry-Hook-Signature");
        else headers["Sentry-Hook-Signature"] = signature;
        Assert.Equal(SentryWebhookException.SignatureInvalid, Refused(() => SentryWebhookReader.Read(Deliveries.Body("issue.created"), headers, Check())).ErrorId);
    }

    [Fact]
    public void No_secret_is_its_own_error()
    {
        WebhookCheck check = Check();
        check.Secret = null;
        Assert.Equal(SentryWebhookException.SecretMissing, Refused(() => Read("issue.created", check)).ErrorId);
    }

    [Fact]
    public void Skipping_the_check_marks_the_alert_unverified()
    {
        string body = Deliveries.Body("issue.created").Replace("WEB-1A", "WEB-1B", StringComparison.Ordinal);
        SentryAlert alert = SentryWebhookReader.Read(body, Deliveries.Headers("issue.created"), new WebhookCheck { SkipSignature = true, Now = Deliveries.SentAt });
        Assert.False(alert.Verified);
        Assert.Equal("WEB-1B", alert.ShortId);
    }

    [Theory]
    [InlineData(299, false)]
    [InlineData(301, true)]
    [InlineData(-299, false)]
    [InlineData(-301, true)]
    public void A_delivery_older_or_newer_than_MaxAge_is_refused(int secondsAfterSending, bool refused)
    {
        WebhookCheck check = Check(Deliveries.SentAt.AddSeconds(secondsAfterSending));
        if (refused) Assert.Equal(SentryWebhookException.Expired, Refused(() => Read("event_alert.triggered", check)).ErrorId);
        else Assert.Equal("event_alert", Read("event_alert.triggered", check).Resource);
    }

    [Fact]
    public void MaxAge_can_be_raised()
    {
        WebhookCheck check = Check(Deliveries.SentAt.AddMinutes(20));
        check.MaxAge = TimeSpan.FromMinutes(30);
        Assert.Equal("event_alert", Read("event_alert.triggered", check).Resource);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("yesterday")]
    public void A_missing_or_unreadable_timestamp_is_malformed(string? timestamp)
    {
        Dictionary<string, string?> headers = Deliveries.Headers("issue.created");
        if (timestamp is null) headers.Remove("Sentry-Hook-Timestamp");
        else headers["Sentry-Hook-Timestamp"] = timestamp;
        Assert.Equal(SentryWebhookException.Malformed, Refused(() => SentryWebhookReader.Read(Deliveries.Body("issue.created"), headers, Check())).ErrorId);
    }

    [Theory]
    [InlineData("not json", "issue")]
    [InlineData("[1, 2]", "issue")]
    [InlineData("{\"data\": {}}", "issue")]
    [InlineData("{\"action\": \"created\"}", "issue")]
    [InlineData("{\"action\": \"created\", \"data\": {}}", "issue")]
    [InlineData("{\"action\": \"triggered\", \"data\": {\"event\": \"x\"}}", "event_alert")]
    [InlineData("{\"action\": \"created\", \"data\": {\"issue\": {}}}", null)]
    public void A_signed_body_that_is_not_a_Sentry_payload_is_malformed(string body, string? resource)
    {
        var headers = new Dictionary<string, string?>
        {
            ["Sentry-Hook-Signature"] = WebhookSignature.Compute(Encoding.UTF8.GetBytes(body), Deliveries.Secret),
            ["Sentry-Hook-Timestamp"] = Deliveries.SentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sentry-Hook-Resource"] = resource,
        };
        Assert.Equal(SentryWebhookException.Malformed, Refused(() => SentryWebhookReader.Read(body, headers, Check())).ErrorId);
    }

    [Fact]
    public void An_unknown_resource_still_gives_its_action_and_data()
    {
        const string body = "{\"action\": \"completed\", \"data\": {\"run_id\": 7}}";
        var headers = new Dictionary<string, string?>
        {
            ["Sentry-Hook-Signature"] = WebhookSignature.Compute(Encoding.UTF8.GetBytes(body), Deliveries.Secret),
            ["Sentry-Hook-Timestamp"] = Deliveries.SentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sentry-Hook-Resource"] = "seer",
        };
        SentryAlert alert = SentryWebhookReader.Read(body, headers, Check());
        Assert.Equal(("seer", "completed", 7L), (alert.Resource, alert.Action, alert.Data["run_id"]));
    }

    [Fact]
    public void The_same_delivery_twice_is_a_replay()
    {
        string store = Path.Combine(_folder, "seen.txt");
        Read("event_alert.triggered", Check(seenStore: store));
        SentryWebhookException error = Refused(() => Read("event_alert.triggered", Check(seenStore: store)));
        Assert.Equal(SentryWebhookException.Replayed, error.ErrorId);
    }

    [Fact]
    public void A_retry_by_Sentry_has_a_new_Request_ID_and_is_still_a_replay()
    {
        string store = Path.Combine(_folder, "seen.txt");
        Read("event_alert.triggered", Check(seenStore: store));

        Dictionary<string, string?> retry = Deliveries.Headers("event_alert.triggered");
        retry["Request-ID"] = Guid.NewGuid().ToString("N");
        retry["Sentry-Hook-Timestamp"] = Deliveries.SentAt.AddSeconds(30).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(SentryWebhookException.Replayed, Refused(() => SentryWebhookReader.Read(Deliveries.Body("event_alert.triggered"), retry, Check(seenStore: store))).ErrorId);
    }

    [Fact]
    public void Different_deliveries_about_one_issue_are_not_replays()
    {
        string store = Path.Combine(_folder, "seen.txt");
        foreach (string name in Deliveries.Names) Read(name, Check(seenStore: store));
        Assert.Equal(SentryWebhookException.Replayed, Refused(() => Read("issue.resolved", Check(seenStore: store))).ErrorId);
    }

    [Fact]
    public void A_refused_delivery_is_not_remembered()
    {
        string store = Path.Combine(_folder, "seen.txt");
        WebhookCheck wrong = Check(seenStore: store);
        wrong.Secret = "wrong";
        Refused(() => Read("event_alert.triggered", wrong));
        Assert.Equal("event_alert", Read("event_alert.triggered", Check(seenStore: store)).Resource);
    }

    [Fact]
    public void Keys_older_than_the_retention_are_forgotten()
    {
        string path = Path.Combine(_folder, "seen.txt");
        var store = new WebhookReplayStore(path, TimeSpan.FromDays(1));
        DateTimeOffset t0 = Deliveries.SentAt;
        Assert.Null(store.CheckAndRecord(new[] { "a" }, t0));
        Assert.Equal("a", store.CheckAndRecord(new[] { "b", "a" }, t0.AddHours(23)));
        Assert.Null(store.CheckAndRecord(new[] { "a" }, t0.AddHours(25)));
        Assert.DoesNotContain(File.ReadAllLines(path), l => l.EndsWith("\tb", StringComparison.Ordinal));
    }

    [Fact]
    public void Parallel_jobs_take_one_delivery_once()
    {
        string path = Path.Combine(_folder, "seen.txt");
        int newOnes = 0;
        Parallel.For(0, 16, _ =>
        {
            if (new WebhookReplayStore(path).CheckAndRecord(new[] { "event_alert/x/rule" }, Deliveries.SentAt) is null) Interlocked.Increment(ref newOnes);
        });
        Assert.Equal(1, newOnes);
    }
}

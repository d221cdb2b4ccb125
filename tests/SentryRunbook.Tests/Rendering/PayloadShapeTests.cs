using System.Text.Json;
using SentryRunbook.Models;
using SentryRunbook.Rendering;

namespace SentryRunbook.Tests.Rendering;

public class PayloadShapeTests
{
    public static TheoryData<string, string> SetsAndKinds()
    {
        var data = new TheoryData<string, string>();
        foreach (string set in new[] { "plain", "hostile" })
        {
            foreach (string kind in MessageFixtures.Kinds) data.Add(set, kind);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SetsAndKinds))]
    public void Slack_is_block_kit_with_a_fallback_text(string set, string kind)
    {
        using var doc = JsonDocument.Parse(MessageFixtures.Build(set, kind).SlackPayload);
        JsonElement root = doc.RootElement;
        Assert.StartsWith(kind == "Initial" ? "INCIDENT" : kind == "Update" ? "UPDATE" : "RESOLVED", root.GetProperty("text").GetString());
        JsonElement blocks = root.GetProperty("blocks");
        Assert.InRange(blocks.GetArrayLength(), 2, 50);
        foreach (JsonElement block in blocks.EnumerateArray())
        {
            string type = block.GetProperty("type").GetString()!;
            Assert.Contains(type, new[] { "section", "context", "actions" });
            if (type == "section")
            {
                JsonElement text = block.GetProperty("text");
                Assert.Equal("mrkdwn", text.GetProperty("type").GetString());
                Assert.True(text.GetProperty("verbatim").GetBoolean());
                Assert.InRange(text.GetProperty("text").GetString()!.Length, 1, 3000);
            }
        }

        JsonElement actions = blocks.EnumerateArray().Single(b => b.GetProperty("type").GetString() == "actions");
        JsonElement button = actions.GetProperty("elements")[0];
        Assert.Equal("button", button.GetProperty("type").GetString());
        Assert.Equal("Open in Sentry", button.GetProperty("text").GetProperty("text").GetString());
        Assert.StartsWith("https://acme.sentry.io/issues/4504/", button.GetProperty("url").GetString());
    }

    [Theory]
    [MemberData(nameof(SetsAndKinds))]
    public void Teams_is_an_adaptive_card_for_a_workflows_webhook(string set, string kind)
    {
        string payload = MessageFixtures.Build(set, kind).TeamsPayload;
        using var doc = JsonDocument.Parse(payload);
        JsonElement root = doc.RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        JsonElement attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Null, attachment.GetProperty("contentUrl").ValueKind);
        JsonElement card = attachment.GetProperty("content");
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("1.4", card.GetProperty("version").GetString());
        JsonElement body = card.GetProperty("body");
        Assert.Equal("TextBlock", body[0].GetProperty("type").GetString());
        JsonElement facts = body.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "FactSet").GetProperty("facts");
        Assert.Contains(facts.EnumerateArray(), f => f.GetProperty("title").GetString() == (kind == "Resolution" ? "Duration" : "Status"));
        JsonElement action = card.GetProperty("actions")[0];
        Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString());
        Assert.Equal("Open in Sentry", action.GetProperty("title").GetString());
        Assert.StartsWith("https://acme.sentry.io/issues/4504/", action.GetProperty("url").GetString());

        // Not the retired Office 365 connector format.
        Assert.DoesNotContain("MessageCard", payload);
        Assert.DoesNotContain("@context", payload);
    }

    [Theory]
    [InlineData("Initial", "trigger")]
    [InlineData("Update", "acknowledge")]
    [InlineData("Resolution", "resolve")]
    public void PagerDuty_action_follows_the_kind_and_only_trigger_carries_a_payload(string kind, string action)
    {
        using var doc = JsonDocument.Parse(MessageFixtures.Build("plain", kind).PagerDutyPayload);
        JsonElement root = doc.RootElement;
        Assert.Equal(action, root.GetProperty("event_action").GetString());
        Assert.Equal("sentryrunbook-acme-4504", root.GetProperty("dedup_key").GetString());
        Assert.False(root.TryGetProperty("routing_key", out _));
        if (action != "trigger")
        {
            Assert.Equal(new[] { "event_action", "dedup_key" }, root.EnumerateObject().Select(p => p.Name));
            return;
        }

        JsonElement payload = root.GetProperty("payload");
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.Equal("checkout", payload.GetProperty("source").GetString());
        Assert.Equal("WEB-1", payload.GetProperty("component").GetString());
        Assert.Equal(MessageFixtures.Started, DateTimeOffset.Parse(payload.GetProperty("timestamp").GetString()!));
        Assert.Contains("PaymentProcessingError", payload.GetProperty("summary").GetString());
        Assert.Equal("P0", payload.GetProperty("custom_details").GetProperty("incident_severity").GetString());
        JsonElement link = root.GetProperty("links")[0];
        Assert.Equal("https://acme.sentry.io/issues/4504/", link.GetProperty("href").GetString());
        Assert.False(string.IsNullOrEmpty(link.GetProperty("text").GetString()));
    }

    [Theory]
    [InlineData("P0", "critical")]
    [InlineData("P1", "error")]
    [InlineData("p2", "warning")]
    [InlineData("P3", "info")]
    [InlineData(null, "error")]
    public void PagerDuty_severity_mapping(string? severity, string expected)
    {
        MessageRequest request = MessageFixtures.Plain("Initial");
        request.Severity = severity;
        using var doc = JsonDocument.Parse(IncidentMessages.Build(request).PagerDutyPayload);
        Assert.Equal(expected, doc.RootElement.GetProperty("payload").GetProperty("severity").GetString());
    }

    [Fact]
    public void PagerDuty_summary_is_at_most_1024_characters()
    {
        MessageRequest request = MessageFixtures.Plain("Initial");
        request.Title = new string('x', 5000);
        using var doc = JsonDocument.Parse(IncidentMessages.Build(request).PagerDutyPayload);
        string summary = doc.RootElement.GetProperty("payload").GetProperty("summary").GetString()!;
        Assert.Equal(1024, summary.Length);
        Assert.EndsWith("\u2026", summary);
    }

    [Fact]
    public void Routing_key_is_only_added_by_PagerDutyPayloadFor_as_the_first_property()
    {
        IncidentMessage message = MessageFixtures.Build("plain", "Initial");
        using var doc = JsonDocument.Parse(message.PagerDutyPayloadFor("R0UT1NGKEY"));
        JsonProperty first = doc.RootElement.EnumerateObject().First();
        Assert.Equal("routing_key", first.Name);
        Assert.Equal("R0UT1NGKEY", first.Value.GetString());
        Assert.Equal("trigger", doc.RootElement.GetProperty("event_action").GetString());

        Assert.DoesNotContain("R0UT1NGKEY", message.PagerDutyPayload);
        Assert.DoesNotContain("R0UT1NGKEY", message.WebhookPayload);
        Assert.DoesNotContain("routing_key", message.PagerDutyPayload);
        Assert.Throws<ArgumentException>(() => message.PagerDutyPayloadFor(" "));

        using var resolve = JsonDocument.Parse(MessageFixtures.Build("plain", "Resolution").PagerDutyPayloadFor("R0UT1NGKEY"));
        Assert.Equal(new[] { "routing_key", "event_action", "dedup_key" }, resolve.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Dedup_key_is_the_same_for_every_kind_of_one_issue_and_differs_across_issues()
    {
        var keys = MessageFixtures.Kinds.Select(k => MessageFixtures.Build("plain", k).DedupKey).Distinct().ToList();
        Assert.Equal("sentryrunbook-acme-4504", Assert.Single(keys));
        Assert.Equal("sentryrunbook-acme-corp-4504", Assert.Single(MessageFixtures.Kinds.Select(k => MessageFixtures.Build("hostile", k).DedupKey).Distinct()));

        MessageRequest other = MessageFixtures.Plain("Initial");
        other.IssueId = "4505";
        Assert.NotEqual(keys[0], IncidentMessages.Build(other).DedupKey);

        MessageRequest otherOrg = MessageFixtures.Plain("Initial");
        otherOrg.Organization = "globex";
        Assert.NotEqual(keys[0], IncidentMessages.Build(otherOrg).DedupKey);
    }

    [Theory]
    [MemberData(nameof(SetsAndKinds))]
    public void Webhook_carries_every_field_in_camel_case(string set, string kind)
    {
        IncidentMessage message = MessageFixtures.Build(set, kind);
        using var doc = JsonDocument.Parse(message.WebhookPayload);
        JsonElement root = doc.RootElement;
        string[] expected =
        {
            "schemaVersion", "kind", "service", "status", "severity", "issueId", "shortId", "title", "issueUrl", "environment", "started",
            "createdAt", "impact", "incidentLead", "updateEvery", "nextUpdate", "duration", "durationSeconds", "resolvedAt", "rootCause",
            "fixApplied", "progress", "postmortemUrl", "postmortemDue", "dedupKey", "text", "markdown",
        };
        Assert.Equal(expected, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(kind, root.GetProperty("kind").GetString());
        Assert.Equal(message.Text, root.GetProperty("text").GetString());
        Assert.Equal(message.Markdown, root.GetProperty("markdown").GetString());
        Assert.Equal(message.Title, root.GetProperty("title").GetString());
        Assert.Equal(message.DedupKey, root.GetProperty("dedupKey").GetString());
        if (kind == "Resolution") Assert.Equal(5100, root.GetProperty("durationSeconds").GetInt64());
        else Assert.Equal(message.NextUpdate, DateTimeOffset.Parse(root.GetProperty("nextUpdate").GetString()!));
    }

    [Fact]
    public void Every_payload_parses_and_escapes_angle_brackets_and_ampersands()
    {
        foreach (IncidentMessage message in MessageFixtures.HostileMessages())
        {
            foreach (string payload in new[] { message.SlackPayload, message.TeamsPayload, message.PagerDutyPayload, message.WebhookPayload, message.PagerDutyPayloadFor("k") })
            {
                using var doc = JsonDocument.Parse(payload);
                Assert.DoesNotContain("<", payload);
                Assert.DoesNotContain(">", payload);
                Assert.DoesNotContain("&", payload);
            }
        }
    }

    [Fact]
    public void Json_writer_escapes_quotes_backslashes_and_control_characters()
    {
        string all = "q\"b\\n\nr\rt\tz\0e\u001f<>&\u2028 é 😀 lone\ud800.";
        string json = new JsonWriter().BeginObject().Property("v", all).Name("n").Null().Name("a").BeginArray().Number(-5).Bool(false).EndArray().EndObject().ToString();
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(all.Replace("\ud800", "\ufffd"), doc.RootElement.GetProperty("v").GetString());
        Assert.Contains("\\u0000", json);
        Assert.Contains("\\u001F", json);
        Assert.Contains("\\u003C\\u003E\\u0026", json);
        Assert.Contains("\\u2028", json);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("n").ValueKind);
        Assert.Equal(-5, doc.RootElement.GetProperty("a")[0].GetInt32());
        Assert.Equal("[]", new JsonWriter().BeginArray().EndArray().ToString());
        Assert.Throws<InvalidOperationException>(() => new JsonWriter().BeginObject().ToString());
    }
}

using System.Text.Json;
using SentryRunbook.Client.Webhooks;
using SentryRunbook.Errors;

namespace SentryRunbook.Tests.Webhooks;

public class AutomationWebhookDataTests
{
    [Fact]
    public void The_PowerShell_7_string_form_gives_the_body_as_received_and_the_headers()
    {
        string body = Deliveries.Body("event_alert.triggered");
        string json = JsonSerializer.Serialize(new { WebhookName = "sentry-alert", RequestBody = body, RequestHeader = Deliveries.Headers("event_alert.triggered") });

        (string? name, string? requestBody, Dictionary<string, string?> headers) = AutomationWebhookData.Parse(json);

        Assert.Equal("sentry-alert", name);
        Assert.Equal(body, requestBody); // byte for byte: the signature still verifies
        Assert.Equal(Deliveries.Headers("event_alert.triggered")["Sentry-Hook-Signature"], headers["sentry-hook-signature"]);
        var alert = SentryWebhookReader.Read(requestBody!, headers, new WebhookCheck { Secret = Deliveries.Secret, Now = Deliveries.SentAt });
        Assert.True(alert.Verified);
    }

    [Theory]
    [InlineData("{WebhookName:x}")]
    [InlineData("[]")]
    [InlineData("{\"WebhookName\": \"x\", \"RequestBody\": {\"action\": \"created\"}}")]
    public void A_string_that_cannot_carry_the_signed_body_is_malformed(string json) =>
        Assert.Equal(SentryWebhookException.Malformed, Assert.Throws<SentryWebhookException>(() => AutomationWebhookData.Parse(json)).ErrorId);
}

using System;

namespace SentryRunbook.Errors
{
    /// <summary>
    /// A webhook delivery that must not be acted on: unsigned or wrongly signed, stale, replayed, malformed,
    /// or no secret to check it with. <see cref="ErrorId"/> is the stable PowerShell error id.
    /// Messages never contain the secret or the expected signature.
    /// </summary>
    public sealed class SentryWebhookException : Exception
    {
        public const string SignatureInvalid = "SentryWebhookSignatureInvalid";
        public const string SecretMissing = "SentryWebhookSecretMissing";
        public const string Expired = "SentryWebhookExpired";
        public const string Replayed = "SentryWebhookReplayed";
        public const string Malformed = "SentryWebhookMalformed";

        public SentryWebhookException(string errorId, string message, string recommendedAction, Exception? innerException = null)
            : base(message, innerException)
        {
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
        }

        public string ErrorId { get; }
        public string RecommendedAction { get; }
    }
}

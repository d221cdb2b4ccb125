using System.Management.Automation;
using SentryRunbook.Errors;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>Maps client exceptions and input problems to ErrorRecords with stable ids and a recommended action.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(SentryApiException error, object? target)
        {
            var record = new ErrorRecord(error, error.ErrorId, Category(error.Kind), target);
            record.ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = error.RecommendedAction };
            return record;
        }

        public static ErrorRecord Input(string errorId, string message, string recommendedAction, object? target, ErrorCategory category = ErrorCategory.InvalidArgument)
        {
            var record = new ErrorRecord(new PSArgumentException(message), errorId, category, target);
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
            return record;
        }

        /// <summary>An id a batched read did not return: Sentry lists only issues that exist and the token can see.</summary>
        public static ErrorRecord IssueNotFound(string id, string? what, object? target) =>
            From(new SentryApiException(
                SentryErrorKind.NotFound,
                "SentryIssueNotFound",
                $"Issue '{id}' {what ?? "was not found"} (it may be deleted, merged into another issue, or in a project the token cannot see).",
                "Check the id with Get-SentryIssue -Query, and that you are connected to the right organization.",
                null, null, "GET", null), target);

        private static ErrorCategory Category(SentryErrorKind kind) => kind switch
        {
            SentryErrorKind.Authentication => ErrorCategory.AuthenticationError,
            SentryErrorKind.Permission => ErrorCategory.PermissionDenied,
            SentryErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            SentryErrorKind.Gone => ErrorCategory.NotImplemented,
            SentryErrorKind.RateLimited => ErrorCategory.LimitsExceeded,
            SentryErrorKind.InvalidRequest => ErrorCategory.InvalidArgument,
            SentryErrorKind.Server => ErrorCategory.ResourceUnavailable,
            SentryErrorKind.Transport => ErrorCategory.ConnectionError,
            SentryErrorKind.InvalidResponse => ErrorCategory.InvalidData,
            _ => ErrorCategory.InvalidOperation,
        };
    }
}

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

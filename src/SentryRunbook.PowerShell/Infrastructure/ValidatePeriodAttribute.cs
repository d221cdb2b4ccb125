using System.Management.Automation;
using SentryRunbook.Analysis;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>A Sentry period such as 24h or 14d: a positive number and one of s, m, h, d, w.</summary>
    public sealed class ValidatePeriodAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string? text = (arguments is PSObject wrapped ? wrapped.BaseObject : arguments) as string;
            if (!Periods.TryParse(text, out _))
            {
                throw new ValidationMetadataException($"'{text}' is not a Sentry period: use a positive number and s, m, h, d or w, such as 1h, 24h or 14d.");
            }
        }
    }
}

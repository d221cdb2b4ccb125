using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using SentryRunbook.PowerShell.Infrastructure;

namespace SentryRunbook.PowerShell.Completion
{
    /// <summary>Completes short ids of issues this session has already seen; never calls Sentry.</summary>
    public sealed class IssueIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return SentrySession.KnownIssues()
                .Where(i => i.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(i => i.Key, StringComparer.OrdinalIgnoreCase)
                .Select(i => new CompletionResult(i.Key, i.Key, CompletionResultType.ParameterValue, string.IsNullOrEmpty(i.Value) ? i.Key : i.Value));
        }
    }

    /// <summary>Completes project slugs from the connection and from issues this session has seen.</summary>
    public sealed class ProjectCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return SentrySession.KnownProjects()
                .Where(p => p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p, StringComparer.OrdinalIgnoreCase)
                .Select(p => new CompletionResult(p, p, CompletionResultType.ParameterValue, p));
        }
    }
}

namespace SentryRunbook.PowerShell.Completion
{
    /// <summary>Completes Sentry period strings (ArgumentCompletions is not available in Windows PowerShell 5.1).</summary>
    public sealed class PeriodCompleter : IArgumentCompleter
    {
        private static readonly string[] Periods = { "1h", "6h", "24h", "7d", "14d", "30d", "90d" };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Periods.Where(p => p.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(p => new CompletionResult(p, p, CompletionResultType.ParameterValue, p));
    }
}

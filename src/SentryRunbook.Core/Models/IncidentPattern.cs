using System.Collections.Generic;

namespace SentryRunbook.Models
{
    /// <summary>A root-cause pattern the data points to, with the evidence that cites it and the runbook's immediate action.</summary>
    public sealed class IncidentPattern
    {
        public IncidentPattern(string pattern, double confidence, IReadOnlyList<string> evidence, string immediateAction, string? issueId = null)
        {
            Pattern = pattern;
            Confidence = confidence;
            Evidence = evidence;
            ImmediateAction = immediateAction;
            IssueId = issueId;
        }

        /// <summary><c>DeploymentRegression</c>, <c>ThirdPartyFailure</c>, <c>DataCorruption</c>, <c>ResourceExhaustion</c> or <c>SdkMisconfiguration</c>.</summary>
        public string Pattern { get; }
        /// <summary>0–1: how strongly the evidence supports the pattern.</summary>
        public double Confidence { get; }
        public IReadOnlyList<string> Evidence { get; }
        public string ImmediateAction { get; }
        public string? IssueId { get; }

        public override string ToString() => $"{Pattern} ({Confidence:0.00})";
    }

    /// <summary>The names of the runbook's five root-cause patterns.</summary>
    public static class PatternNames
    {
        public const string DeploymentRegression = "DeploymentRegression";
        public const string ThirdPartyFailure = "ThirdPartyFailure";
        public const string DataCorruption = "DataCorruption";
        public const string ResourceExhaustion = "ResourceExhaustion";
        public const string SdkMisconfiguration = "SdkMisconfiguration";
    }
}

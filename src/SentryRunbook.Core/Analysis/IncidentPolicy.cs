using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace SentryRunbook.Analysis
{
    /// <summary>What one severity level means for the response.</summary>
    public sealed class SeverityLevel
    {
        public SeverityLevel(string name, TimeSpan responseTime, string response, string escalation, TimeSpan updateEvery)
        {
            Name = name;
            ResponseTime = responseTime;
            Response = response;
            Escalation = escalation;
            UpdateEvery = updateEvery;
        }

        public string Name { get; }
        public TimeSpan ResponseTime { get; }
        /// <summary>The response time in the runbook's words (<c>15 minutes</c>, <c>Same business day</c>).</summary>
        public string Response { get; }
        public string Escalation { get; }
        /// <summary>How often stakeholders get an update while the incident is open.</summary>
        public TimeSpan UpdateEvery { get; }
    }

    /// <summary>
    /// The team's incident policy: severity thresholds, what each level means, which environments are
    /// production and what marks a core flow. Defaults are the runbook's; a .psd1 file or a hashtable
    /// overrides any of them by key.
    /// </summary>
    public sealed class IncidentPolicy
    {
        public static readonly string[] LevelNames = { "P0", "P1", "P2", "P3" };

        private IncidentPolicy()
        {
        }

        /// <summary>P0 when the crash-free session rate (percent) is below this.</summary>
        public double CrashFreeRateBelow { get; private set; } = 95;
        /// <summary>P0 when the peak events per minute is above this.</summary>
        public double EventsPerMinuteAbove { get; private set; } = 500;
        /// <summary>P1 when the peak unique users per hour is above this (on a core flow or without a workaround).</summary>
        public long UsersPerHourAbove { get; private set; } = 100;
        /// <summary>Environment names (wildcards allowed) that count as production.</summary>
        public IReadOnlyList<string> ProductionEnvironments { get; private set; } = new[] { "production", "prod", "prd", "live", "production-*", "prod-*", "live-*" };
        /// <summary>
        /// Environment names that are surely not production. Only an issue seen solely in these is P3: an
        /// environment on neither list (prod-eu, customer-a) is treated as production, never as harmless.
        /// </summary>
        public IReadOnlyList<string> NonProductionEnvironments { get; private set; } = new[] { "stag*", "dev*", "test*", "qa*", "uat*", "local*", "preview*", "sandbox*", "ci" };
        /// <summary>Transaction or culprit patterns (wildcards) that mark a core flow.</summary>
        public IReadOnlyList<string> CoreFlowTransactions { get; private set; } = new[] { "*checkout*", "*payment*", "*login*", "*signin*", "*signup*", "*cart*" };
        /// <summary>Tags (<c>key:value</c>, wildcards in the value) that mark a core flow.</summary>
        public IReadOnlyList<string> CoreFlowTags { get; private set; } = new[] { "flow:checkout", "flow:payment", "flow:login" };

        /// <summary>Hosts (wildcards allowed) that are the application's own; HTTP failures to any other host are third-party.</summary>
        public IReadOnlyList<string> ApplicationDomains { get; private set; } = new[] { "localhost", "127.0.0.1" };
        /// <summary>An issue first seen within this many minutes after its release was deployed points at the deploy.</summary>
        public double DeployWindowMinutes { get; private set; } = 60;
        /// <summary>
        /// A regression this recent is the incident at hand (triage calls the issue a regression and the patterns
        /// point at its release): a day for the default deploy window of an hour, scaling with it.
        /// </summary>
        public TimeSpan RecentRegressionWindow => TimeSpan.FromMinutes(DeployWindowMinutes * 24);
        /// <summary>Correlation (Pearson r) of hourly errors with hourly traffic above which errors "follow traffic".</summary>
        public double TrafficCorrelationAbove { get; private set; } = 0.7;
        /// <summary>Patterns weaker than this are not reported.</summary>
        public double MinimumPatternConfidence { get; private set; } = 0.3;
        /// <summary>
        /// An issue Sentry rates high priority is at least this level (except when seen only outside production);
        /// null turns the rule off (policy value <c>None</c>).
        /// </summary>
        public string? SentryPriorityHighMinimum { get; private set; } = "P2";

        // Release health (Test-SentryReleaseHealth). The crash-free line is CrashFreeRateBelow, as for P0.
        /// <summary>
        /// The chance of a false alarm the release gate accepts: the two-sided Wilson intervals are at 1 minus this
        /// (0.05 → 95%), and a one-sided test against the baseline counts as a real difference below it.
        /// </summary>
        public double ReleaseSignificance { get; private set; } = 0.05;
        /// <summary>Warn when the crash-free session rate is lower than the baseline's by at least this many points (and significantly so).</summary>
        public double ReleaseCrashFreeDropAbove { get; private set; } = 0.5;
        /// <summary>Fail when an issue first seen in the release has hit more than this many users (the runbook's P1 line).</summary>
        public long ReleaseNewIssueUsersAbove { get; private set; } = 100;
        /// <summary>Warn when errors per 1,000 sessions rose by at least this percent over the baseline's (and significantly so).</summary>
        public double ReleaseErrorRateIncreaseAbove { get; private set; } = 50;
        /// <summary>Warn when a busy transaction's p95 rose by at least this percent over the baseline's.</summary>
        public double ReleaseLatencyIncreaseAbove { get; private set; } = 25;
        /// <summary>A transaction's p95 is compared only when both releases have at least this many of it.</summary>
        public long ReleaseMinimumTransactions { get; private set; } = 50;

        // Grouping issues into incidents (Group-SentryIssue).
        /// <summary>Issues first seen within this many minutes after their release's deploy are tied to that deploy.</summary>
        public double IncidentDeployWindowMinutes { get; private set; } = 15;
        /// <summary>Issues first seen within this many minutes of each other start close together.</summary>
        public double IncidentStartWindowMinutes { get; private set; } = 10;
        /// <summary>Kinds of evidence two issues must share to be one incident (a close start counts only beside another kind).</summary>
        public int IncidentMinimumEvidence { get; private set; } = 1;
        /// <summary>Traces two issues must have in common for the traces to tie them.</summary>
        public int IncidentMinimumSharedTraces { get; private set; } = 2;

        public bool IsApplicationHost(string host) => ApplicationDomains.Any(pattern => Wildcard.IsMatch(host, pattern));

        public IReadOnlyDictionary<string, SeverityLevel> Levels { get; private set; } = new Dictionary<string, SeverityLevel>(StringComparer.OrdinalIgnoreCase)
        {
            ["P0"] = new SeverityLevel("P0", TimeSpan.FromMinutes(15), "15 minutes", "PagerDuty page to on-call engineer", TimeSpan.FromMinutes(30)),
            ["P1"] = new SeverityLevel("P1", TimeSpan.FromHours(1), "1 hour", "Slack #incidents channel, tag team lead", TimeSpan.FromHours(1)),
            ["P2"] = new SeverityLevel("P2", TimeSpan.FromHours(8), "Same business day", "Slack #alerts-production", TimeSpan.FromHours(4)),
            ["P3"] = new SeverityLevel("P3", TimeSpan.FromDays(14), "Next sprint", "Add to backlog, assign owner", TimeSpan.FromDays(1)),
        };

        /// <summary>
        /// Every top-level setting a policy file or hashtable may name, with how its value is checked and applied:
        /// one row a setting, so the list of names and the parsing cannot drift apart.
        /// </summary>
        private static readonly (string Name, Action<IncidentPolicy, string, object?> Apply)[] Settings =
        {
            Num("CrashFreeRateBelow", 0, 100, (p, v) => p.CrashFreeRateBelow = v),
            Num("EventsPerMinuteAbove", 0, double.MaxValue, (p, v) => p.EventsPerMinuteAbove = v),
            Num("UsersPerHourAbove", 0, long.MaxValue, (p, v) => p.UsersPerHourAbove = (long)v),
            List("ProductionEnvironments", (p, v) => p.ProductionEnvironments = v),
            List("NonProductionEnvironments", (p, v) => p.NonProductionEnvironments = v),
            List("CoreFlowTransactions", (p, v) => p.CoreFlowTransactions = v),
            ("CoreFlowTags", (p, key, value) => p.CoreFlowTags = TagPatterns(key, value)),
            ("Levels", (p, key, value) => p.Levels = MergeLevels(p.Levels, value)),
            List("ApplicationDomains", (p, v) => p.ApplicationDomains = v),
            Num("DeployWindowMinutes", 1, 10080, (p, v) => p.DeployWindowMinutes = v),
            Num("TrafficCorrelationAbove", 0, 1, (p, v) => p.TrafficCorrelationAbove = v),
            Num("MinimumPatternConfidence", 0, 1, (p, v) => p.MinimumPatternConfidence = v),
            Num("ReleaseSignificance", 0.0001, 0.5, (p, v) => p.ReleaseSignificance = v),
            Num("ReleaseCrashFreeDropAbove", 0, 100, (p, v) => p.ReleaseCrashFreeDropAbove = v),
            Num("ReleaseNewIssueUsersAbove", 0, long.MaxValue, (p, v) => p.ReleaseNewIssueUsersAbove = (long)v),
            Num("ReleaseErrorRateIncreaseAbove", 0, 100000, (p, v) => p.ReleaseErrorRateIncreaseAbove = v),
            Num("ReleaseLatencyIncreaseAbove", 0, 100000, (p, v) => p.ReleaseLatencyIncreaseAbove = v),
            Num("ReleaseMinimumTransactions", 1, long.MaxValue, (p, v) => p.ReleaseMinimumTransactions = (long)v),
            ("SentryPriorityHighMinimum", (p, key, value) => p.SentryPriorityHighMinimum = LevelOrNone(key, value)),
            Num("IncidentDeployWindowMinutes", 1, 10080, (p, v) => p.IncidentDeployWindowMinutes = v),
            Num("IncidentStartWindowMinutes", 0, 10080, (p, v) => p.IncidentStartWindowMinutes = v),
            Num("IncidentMinimumEvidence", 1, 5, (p, v) => p.IncidentMinimumEvidence = (int)v),
            Num("IncidentMinimumSharedTraces", 1, 1000000, (p, v) => p.IncidentMinimumSharedTraces = (int)v),
        };

        /// <summary>Every top-level setting a policy file or hashtable may name.</summary>
        public static readonly string[] SettingNames = Settings.Select(setting => setting.Name).ToArray();

        public static IncidentPolicy Default { get; } = new IncidentPolicy();

        public SeverityLevel Level(string name) => Levels[name];

        public bool IsProduction(string environment) =>
            ProductionEnvironments.Any(pattern => Wildcard.IsMatch(environment, pattern));

        public bool IsNonProduction(string environment) =>
            !IsProduction(environment) && NonProductionEnvironments.Any(pattern => Wildcard.IsMatch(environment, pattern));

        public bool IsCoreFlow(IEnumerable<string> transactions, IEnumerable<KeyValuePair<string, string>> tags) =>
            transactions.Any(t => !string.IsNullOrEmpty(t) && CoreFlowTransactions.Any(p => Wildcard.IsMatch(t, p)))
            || tags.Any(tag => CoreFlowTags.Any(p => MatchesTag(tag, p)));

        private static bool MatchesTag(KeyValuePair<string, string> tag, string pattern)
        {
            int colon = pattern.IndexOf(':');
            return colon > 0
                && string.Equals(tag.Key, pattern.Substring(0, colon), StringComparison.OrdinalIgnoreCase)
                && Wildcard.IsMatch(tag.Value ?? string.Empty, pattern.Substring(colon + 1));
        }

        /// <summary>
        /// The default policy with the given keys replaced. Unknown keys and wrong types are errors that
        /// name the key, so a typo never silently leaves a default in force.
        /// </summary>
        public static IncidentPolicy FromOverrides(IDictionary? overrides)
        {
            var policy = new IncidentPolicy();
            if (overrides is null) return policy;

            foreach (DictionaryEntry entry in overrides)
            {
                string key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                int index = Array.FindIndex(Settings, setting => string.Equals(setting.Name, key, StringComparison.OrdinalIgnoreCase));
                if (index < 0) throw new PolicyException(key, "is not a policy setting; the settings are " + string.Join(", ", SettingNames));
                Settings[index].Apply(policy, key, entry.Value);
            }

            return policy;
        }

        private static IReadOnlyDictionary<string, SeverityLevel> MergeLevels(IReadOnlyDictionary<string, SeverityLevel> defaults, object? value)
        {
            if (!(value is IDictionary levels)) throw new PolicyException("Levels", "must be a table keyed by P0, P1, P2, P3");
            var merged = defaults.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in levels)
            {
                string name = (Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty).ToUpperInvariant();
                if (!merged.TryGetValue(name, out SeverityLevel? current)) throw new PolicyException("Levels." + name, "is not a level; use P0, P1, P2 or P3");
                if (!(entry.Value is IDictionary settings)) throw new PolicyException("Levels." + name, "must be a table of ResponseMinutes, Response, Escalation, UpdateEveryMinutes");

                TimeSpan responseTime = current.ResponseTime, updateEvery = current.UpdateEvery;
                string response = current.Response, escalation = current.Escalation;
                bool responseTextGiven = false;
                foreach (DictionaryEntry setting in settings)
                {
                    string key = "Levels." + name + "." + setting.Key;
                    switch ((Convert.ToString(setting.Key, CultureInfo.InvariantCulture) ?? string.Empty).ToLowerInvariant())
                    {
                        case "responseminutes":
                            responseTime = TimeSpan.FromMinutes(Number(key, setting.Value, 0, 525600));
                            break;
                        case "response":
                            response = Text(key, setting.Value);
                            responseTextGiven = true;
                            break;
                        case "escalation":
                            escalation = Text(key, setting.Value);
                            break;
                        case "updateeveryminutes":
                            updateEvery = TimeSpan.FromMinutes(Number(key, setting.Value, 1, 525600));
                            break;
                        default:
                            throw new PolicyException(key, "is not a level setting; use ResponseMinutes, Response, Escalation or UpdateEveryMinutes");
                    }
                }

                if (!responseTextGiven && responseTime != current.ResponseTime) response = Describe(responseTime);
                merged[name] = new SeverityLevel(name, responseTime, response, escalation, updateEvery);
            }

            return merged;
        }

        /// <summary>A duration in words for messages and reports: "30 minutes", "1 hour", "14 days".</summary>
        internal static string Describe(TimeSpan time) =>
            time.TotalMinutes < 60 ? Plural(time.TotalMinutes, "minute")
            : time.TotalHours < 24 ? Plural(time.TotalHours, "hour")
            : Plural(time.TotalDays, "day");

        private static string Plural(double amount, string unit) =>
            amount.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " " + unit + (amount == 1 ? string.Empty : "s");

        private static double Number(string key, object? value, double min, double max)
        {
            double number;
            try
            {
                number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is FormatException || ex is InvalidCastException || ex is OverflowException)
            {
                throw new PolicyException(key, $"must be a number, not '{value}'");
            }

            if (double.IsNaN(number) || number < min || number > max) throw new PolicyException(key, $"must be between {min} and {max}, not {number}");
            return number;
        }

        private static (string, Action<IncidentPolicy, string, object?>) Num(string name, double min, double max, Action<IncidentPolicy, double> apply) =>
            (name, (policy, key, value) => apply(policy, Number(key, value, min, max)));

        private static (string, Action<IncidentPolicy, string, object?>) List(string name, Action<IncidentPolicy, IReadOnlyList<string>> apply) =>
            (name, (policy, key, value) => apply(policy, Strings(key, value)));

        private static IReadOnlyList<string> TagPatterns(string key, object? value)
        {
            IReadOnlyList<string> tags = Strings(key, value);
            if (tags.Any(t => t.IndexOf(':') <= 0)) throw new PolicyException(key, "each tag is written key:value, for example flow:checkout");
            return tags;
        }

        private static string? LevelOrNone(string key, object? value)
        {
            string minimum = (Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty).Trim().ToUpperInvariant();
            if (minimum == "NONE" || minimum.Length == 0) return null;
            if (Array.IndexOf(LevelNames, minimum) >= 0) return minimum;
            throw new PolicyException(key, $"must be P0, P1, P2, P3 or None, not '{value}'");
        }

        private static string Text(string key, object? value)
        {
            string? text = value as string;
            if (string.IsNullOrWhiteSpace(text)) throw new PolicyException(key, "must be a non-empty string");
            return text!;
        }

        private static IReadOnlyList<string> Strings(string key, object? value)
        {
            IEnumerable<object?> items = value is string single ? new object?[] { single }
                : value is IEnumerable many ? many.Cast<object?>()
                : throw new PolicyException(key, "must be a string or a list of strings");
            var list = items.Select(i => i as string).ToList();
            if (list.Count == 0 || list.Any(string.IsNullOrWhiteSpace)) throw new PolicyException(key, "must list at least one non-empty string");
            return list!;
        }
    }

    /// <summary>A policy setting that cannot be used; the message names the key and what it should be.</summary>
    public sealed class PolicyException : Exception
    {
        public PolicyException(string key, string problem)
            : base($"Policy setting '{key}' {problem}.")
        {
            Key = key;
        }

        public string Key { get; }
    }

    /// <summary>Case-insensitive <c>*</c> and <c>?</c> wildcards, as PowerShell's -like.</summary>
    public static class Wildcard
    {
        public static bool IsMatch(string value, string pattern) =>
            Regex.IsMatch(value ?? string.Empty, "^" + Regex.Escape(pattern ?? string.Empty).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// Module state shared by the cmdlets: the connection Connect-Sentry stored, and what recent commands
    /// saw (issue ids, projects) so that tab completion never needs the network.
    /// </summary>
    internal static class SentrySession
    {
        private static readonly object Gate = new object();
        private static SentryConnection? _current;
        private static SentryConnection? _fromEnvironment;
        private static string? _environmentKey;
        private static readonly ConcurrentDictionary<string, string> RecentIssues = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private static readonly ConcurrentDictionary<string, byte> RecentProjects = new ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);

        public static SentryConnection? Current
        {
            get { lock (Gate) return _current; }
        }

        // Replaced or cleared connections are not disposed: a script may still hold one from
        // Connect-Sentry -PassThru and pass it as -Connection.
        public static void Set(SentryConnection connection)
        {
            lock (Gate) _current = connection;
        }

        public static SentryConnection? Clear()
        {
            lock (Gate)
            {
                SentryConnection? previous = _current;
                _current = null;
                return previous;
            }
        }

        /// <summary>
        /// The connection SENTRY_AUTH_TOKEN, SENTRY_ORG and SENTRY_URL describe, created once per distinct
        /// set of values (scheduled scripts and Azure Automation set them instead of calling Connect-Sentry).
        /// </summary>
        public static SentryConnection? FromEnvironment(Func<SentryConnection> create)
        {
            string? token = Environment.GetEnvironmentVariable("SENTRY_AUTH_TOKEN");
            string? organization = Environment.GetEnvironmentVariable("SENTRY_ORG");
            if (string.IsNullOrWhiteSpace(token) || string.IsNullOrWhiteSpace(organization)) return null;

            string key = string.Join("\n", token, organization, Environment.GetEnvironmentVariable("SENTRY_URL"), Environment.GetEnvironmentVariable("SENTRY_PROJECT"));
            lock (Gate)
            {
                if (_fromEnvironment != null && _environmentKey == key) return _fromEnvironment;
                _fromEnvironment = create();
                _environmentKey = key;
                return _fromEnvironment;
            }
        }

        public static void Remember(SentryIssue issue)
        {
            if (RecentIssues.Count > 2000) RecentIssues.Clear();
            if (!string.IsNullOrEmpty(issue.ShortId)) RecentIssues[issue.ShortId] = issue.Title;
            if (!string.IsNullOrEmpty(issue.Project)) RecentProjects[issue.Project] = 0;
        }

        public static void RememberProject(string? project)
        {
            if (!string.IsNullOrEmpty(project)) RecentProjects[project!] = 0;
        }

        public static IEnumerable<KeyValuePair<string, string>> KnownIssues() => RecentIssues.ToArray();

        public static IEnumerable<string> KnownProjects() => RecentProjects.Keys.ToArray();
    }

    /// <summary>Routes the client's verbose lines to whichever cmdlet is awaiting it on this logical call.</summary>
    internal static class VerboseRelay
    {
        private static readonly AsyncLocal<Action<string>?> Target = new AsyncLocal<Action<string>?>();

        public static Action<string>? Current
        {
            get => Target.Value;
            set => Target.Value = value;
        }

        public static void Write(string message) => Target.Value?.Invoke(message);
    }
}

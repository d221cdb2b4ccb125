using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using SentryRunbook.Models;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>
    /// Module state shared by the cmdlets: the connection Connect-Sentry stored — one per runspace, so that
    /// thread jobs or runspaces of one process never act on each other's organization — and what recent
    /// commands saw (issue ids, projects) so that tab completion never needs the network.
    /// </summary>
    internal static class SentrySession
    {
        private static readonly object Gate = new object();
        private static readonly ConditionalWeakTable<Runspace, Holder> PerRunspace = new ConditionalWeakTable<Runspace, Holder>();
        private static SentryConnection? _noRunspace;
        private static SentryConnection? _fromEnvironment;
        private static string? _environmentKey;
        private static readonly ConcurrentDictionary<string, string> RecentIssues = new ConcurrentDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private static readonly ConcurrentDictionary<string, byte> RecentProjects = new ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);

        private sealed class Holder
        {
            public SentryConnection? Connection;
        }

        public static SentryConnection? Current
        {
            get
            {
                lock (Gate) return Runspace.DefaultRunspace is Runspace runspace ? PerRunspace.GetOrCreateValue(runspace).Connection : _noRunspace;
            }
        }

        // Replaced or cleared connections are not disposed: a script may still hold one from
        // Connect-Sentry -PassThru and pass it as -Connection.
        public static void Set(SentryConnection connection)
        {
            lock (Gate)
            {
                if (Runspace.DefaultRunspace is Runspace runspace) PerRunspace.GetOrCreateValue(runspace).Connection = connection;
                else _noRunspace = connection;
            }
        }

        public static SentryConnection? Clear()
        {
            lock (Gate)
            {
                SentryConnection? previous = Current;
                if (Runspace.DefaultRunspace is Runspace runspace) PerRunspace.GetOrCreateValue(runspace).Connection = null;
                else _noRunspace = null;
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

using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using SentryRunbook.Abstractions;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Json
{
    /// <summary>The JSON bodies of the calls that change something, exactly as REFERENCE.md §2.4, §5 and §7 give them.</summary>
    internal static class RequestBodies
    {
        /// <summary>
        /// The single-issue PUT body. Only keys that change something are sent; "until escalating" needs its
        /// substatus, the other archive conditions let Sentry infer archived_until_condition_met, and a plain
        /// archive lets it infer archived_forever.
        /// </summary>
        public static string StatusChange(StatusChange change) => Write(w =>
        {
            w.WriteString("status", change.Status);
            switch (change.Status)
            {
                case "unresolved":
                    if (change.Substatus != null) w.WriteString("substatus", change.Substatus);
                    break;
                case "resolved":
                    if (change.InNextRelease)
                    {
                        w.WriteStartObject("statusDetails");
                        w.WriteBoolean("inNextRelease", true);
                        w.WriteEndObject();
                    }
                    else if (change.InRelease != null)
                    {
                        w.WriteStartObject("statusDetails");
                        w.WriteString("inRelease", change.InRelease.Trim());
                        w.WriteEndObject();
                    }

                    break;
                case "ignored":
                    if (change.UntilEscalating) w.WriteString("substatus", "archived_until_escalating");
                    w.WriteStartObject("statusDetails");
                    if (change.IgnoreCount is int count)
                    {
                        w.WriteNumber("ignoreCount", count);
                        if (change.IgnoreWindow is int window) w.WriteNumber("ignoreWindow", window);
                    }

                    if (change.IgnoreUserCount is int users)
                    {
                        w.WriteNumber("ignoreUserCount", users);
                        if (change.IgnoreUserWindow is int userWindow) w.WriteNumber("ignoreUserWindow", userWindow);
                    }

                    if (change.IgnoreDuration is int minutes) w.WriteNumber("ignoreDuration", minutes);
                    w.WriteEndObject();
                    break;
            }
        });

        /// <summary>The priority/assignee PUT body: only the keys being changed; <c>assignedTo: ""</c> unassigns (the UI sends that; JSON null may be refused).</summary>
        public static string IssueChange(IssueChange change) => Write(w =>
        {
            if (change.Priority != null) w.WriteString("priority", change.Priority);
            if (change.AssignedTo != null) w.WriteString("assignedTo", change.AssignedTo.WireValue);
        });

        public static string Note(string text) => Write(w => w.WriteString("text", text));

        /// <summary>dateFinished defaults to now on the server; projects only when named (default: all of the release's).</summary>
        public static string Deploy(DeployRequest deploy) => Write(w =>
        {
            w.WriteString("environment", deploy.Environment);
            if (deploy.Name != null) w.WriteString("name", deploy.Name);
            if (deploy.Url != null) w.WriteString("url", deploy.Url);
            if (deploy.DateStarted is System.DateTimeOffset started) w.WriteString("dateStarted", Iso(started));
            if (deploy.DateFinished is System.DateTimeOffset finished) w.WriteString("dateFinished", Iso(finished));
            if (deploy.Projects.Count > 0)
            {
                w.WriteStartArray("projects");
                foreach (string project in deploy.Projects) w.WriteStringValue(project);
                w.WriteEndArray();
            }
        });

        private static string Iso(System.DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

        private static string Write(System.Action<Utf8JsonWriter> body)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                body(writer);
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }
}

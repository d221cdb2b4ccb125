using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using SentryRunbook.Models;

namespace SentryRunbook.Client.Json
{
    /// <summary>
    /// Reads cron monitors and check-ins (getOrganizationMonitor, listOrganizationMonitorCheckins) and uptime monitors
    /// and checks (project uptime alert details and checks; Sentry's ProjectUptimeSubscription and EapCheckEntry serializers).
    /// </summary>
    internal static class MonitorReader
    {
        public static SentryMonitor Cron(JsonElement monitor, IReadOnlyList<SentryCheckIn> checkIns)
        {
            JsonElement? config = monitor.Property("config");
            string slug = monitor.String("slug") ?? monitor.String("id") ?? string.Empty;
            // The monitor's status lives per environment; the production one (else the first) is the one that pages.
            List<JsonElement> environments = monitor.Property("environments") is JsonElement e && e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : new List<JsonElement>();
            JsonElement? environment = environments.Where(x => x.String("name") == "production").Concat(environments).Cast<JsonElement?>().FirstOrDefault();
            return new SentryMonitor(
                "cron",
                monitor.String("id") ?? slug,
                slug,
                monitor.String("name") ?? slug,
                monitor.Property("project")?.String("slug"),
                config is JsonElement c ? Schedule(c) : null,
                Minutes(config?.Property("checkin_margin")),
                Minutes(config?.Property("max_runtime")),
                environment?.String("status") ?? monitor.String("status"),
                null,
                checkIns);
        }

        public static SentryCheckIn CheckIn(JsonElement c) => new SentryCheckIn(
            c.String("id") ?? string.Empty,
            c.String("status") ?? "unknown",
            c.String("environment"),
            c.Date("dateCreated") ?? c.Date("dateAdded"),
            c.Date("expectedTime"),
            JsonRead.AsInt64(c.Property("duration")));

        public static SentryMonitor Uptime(JsonElement monitor, IReadOnlyList<SentryCheckIn> checks)
        {
            string id = monitor.String("id") ?? string.Empty;
            string? url = monitor.String("url");
            long? interval = JsonRead.AsInt64(monitor.Property("intervalSeconds"));
            // uptimeStatus: 1 up, 2 down (Sentry's UptimeStatus).
            string? status = JsonRead.AsInt64(monitor.Property("uptimeStatus")) switch { 1 => "up", 2 => "down", _ => monitor.String("status") };
            return new SentryMonitor(
                "uptime",
                id,
                id,
                monitor.String("name") ?? url ?? id,
                monitor.String("projectSlug"),
                interval is long s ? "every " + s.ToString(CultureInfo.InvariantCulture) + " s" : null,
                null,
                null,
                status,
                url,
                checks);
        }

        /// <summary>success → ok, failure and failure_incident → error, missed_window → missed.</summary>
        public static SentryCheckIn UptimeCheck(JsonElement c)
        {
            string raw = c.String("checkStatus") ?? "unknown";
            string status = raw switch
            {
                "success" => "ok",
                "failure" or "failure_incident" => "error",
                "missed_window" => "missed",
                _ => raw,
            };
            long? code = JsonRead.AsInt64(c.Property("httpStatusCode"));
            return new SentryCheckIn(
                c.String("uptimeCheckId") ?? string.Empty,
                status,
                c.String("environment"),
                c.Date("timestamp"),
                c.Date("scheduledCheckTime"),
                JsonRead.AsInt64(c.Property("durationMs")),
                code is long h ? (int)h : (int?)null,
                c.String("checkStatusReason"));
        }

        /// <summary>A crontab as it is, an interval as "every 1 hour".</summary>
        private static string? Schedule(JsonElement config)
        {
            JsonElement? schedule = config.Property("schedule");
            if (schedule is not JsonElement s) return null;
            if (s.ValueKind == JsonValueKind.String) return s.GetString();
            if (s.ValueKind == JsonValueKind.Array)
            {
                string[] parts = s.EnumerateArray().Select(JsonFlatten.Text).ToArray();
                return parts.Length == 2 ? $"every {parts[0]} {parts[1]}" : string.Join(" ", parts);
            }

            return null;
        }

        private static int? Minutes(JsonElement? value) => JsonRead.AsInt64(value) is long m ? (int)m : (int?)null;
    }
}

using System;
using System.Linq;

namespace SentryRunbook.PowerShell.Infrastructure
{
    /// <summary>The forms -AssignedTo takes: me, team:SLUG or #SLUG, user:ID, an e-mail.</summary>
    internal static class AssigneeParser
    {
        /// <summary>Null when the text is a valid form (then <paramref name="parsed"/> says which), else the problem.</summary>
        public static string? Parse(string text, out (string Kind, string Value) parsed)
        {
            string t = text.Trim();
            parsed = ("none", string.Empty);
            if (string.Equals(t, "me", StringComparison.OrdinalIgnoreCase))
            {
                parsed = ("me", "me");
                return null;
            }

            string? team = t.StartsWith("team:", StringComparison.OrdinalIgnoreCase) ? t.Substring(5) : t.StartsWith("#", StringComparison.Ordinal) ? t.Substring(1) : null;
            if (team != null)
            {
                if (team.Length == 0) return $"'{text}' names no team.";
                parsed = ("team", team);
                return null;
            }

            if (t.StartsWith("user:", StringComparison.OrdinalIgnoreCase))
            {
                string id = t.Substring(5);
                if (id.Length == 0 || !id.All(c => c >= '0' && c <= '9')) return $"'{text}' is not user:<numeric id>.";
                parsed = ("user", id);
                return null;
            }

            int at = t.IndexOf('@');
            if (at > 0 && at < t.Length - 1 && t.IndexOf(' ') < 0 && t.IndexOf(':') < 0)
            {
                parsed = ("email", t);
                return null;
            }

            return $"'{text}' is not an assignee Set-SentryIssue understands.";
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using SentryRunbook.Sandbox.Model;

namespace SentryRunbook.Sandbox.Grouping;

/// <summary>
/// Decides which issue an event belongs to, as a simplified version of Sentry's grouping:
/// an explicit fingerprint (where `{{ default }}` stands for the default grouping), else the
/// raised exception's type plus its innermost in-app frame, else type plus value, else the
/// message's first line. The hash is MD5 hex like Sentry's group hashes.
/// </summary>
public static class Fingerprinter
{
    public static string Hash(ErrorEvent e) => Md5(Components(e));

    public static IReadOnlyList<string> Components(ErrorEvent e)
    {
        if (e.Fingerprint is { Count: > 0 } fingerprint)
        {
            var parts = new List<string>();
            foreach (var entry in fingerprint)
            {
                if (IsDefaultToken(entry)) parts.AddRange(Default(e));
                else parts.Add(entry);
            }
            return parts;
        }
        return Default(e);
    }

    /// <summary>The default grouping components, prefixed by their kind so different kinds never collide.</summary>
    public static IReadOnlyList<string> Default(ErrorEvent e)
    {
        if (e.MainException is { } exception)
        {
            var type = exception.Type ?? "Error";
            if (exception.InnermostInApp is { } frame)
                return ["frame", type, frame.Function ?? "", frame.Module ?? frame.Filename ?? ""];
            return ["value", type, exception.Value ?? ""];
        }
        return ["message", ErrorEvent.FirstLine(e.Message ?? "")];
    }

    private static bool IsDefaultToken(string entry) =>
        entry.Replace(" ", "", StringComparison.Ordinal).Equals("{{default}}", StringComparison.OrdinalIgnoreCase);

    private static string Md5(IReadOnlyList<string> parts) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));
}

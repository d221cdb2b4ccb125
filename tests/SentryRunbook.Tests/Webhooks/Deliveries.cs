using System.Text;
using System.Text.Json;

namespace SentryRunbook.Tests.Webhooks;

/// <summary>The deliveries in deliveries/: bodies written and signed by Python (make_deliveries.py), read as bytes.</summary>
internal static class Deliveries
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Webhooks", "deliveries");
    private static readonly JsonElement Manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json"))).RootElement;

    public static string Secret => Manifest.GetProperty("secret").GetString()!;

    public static DateTimeOffset SentAt => DateTimeOffset.FromUnixTimeSeconds(long.Parse(Manifest.GetProperty("timestamp").GetString()!));

    public static IEnumerable<string> Names =>
        Manifest.GetProperty("deliveries").EnumerateArray().Select(d => Path.GetFileNameWithoutExtension(d.GetProperty("file").GetString()!));

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Folder, name + ".json"));

    /// <summary>The body as a string: the deliveries are ASCII (json.dumps escapes the rest), so its UTF-8 bytes are the file's.</summary>
    public static string Body(string name) => Encoding.UTF8.GetString(Bytes(name));

    public static Dictionary<string, string?> Headers(string name)
    {
        JsonElement entry = Manifest.GetProperty("deliveries").EnumerateArray().Single(d => d.GetProperty("file").GetString() == name + ".json");
        return entry.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => (string?)p.Value.GetString());
    }
}

using System.Text;
using Microsoft.AspNetCore.Http;

namespace SentryRunbook.Sandbox.Paging;

/// <summary>
/// Sentry's `Link` header: always two entries, previous then next, each
/// `<url&cursor=c>; rel="…"; results="true|false"; cursor="c"`. The URL keeps every other query
/// parameter, re-encoded like Python's urlencode (`:` → %3A, space → +), and may read `?&cursor=`.
/// </summary>
public static class LinkHeader
{
    public static void Apply(HttpContext context, string baseUri, PageRequest page, int total)
    {
        var url = $"{baseUri}{context.Request.Path}?{QueryWithoutCursor(context.Request)}";
        var prev = new Cursor(0, Math.Max(0, page.Offset - page.Size), true);
        var next = new Cursor(0, page.Offset + page.Size, false);
        var hasPrev = page.Offset > 0;
        var hasNext = page.Offset + page.Size < total;
        context.Response.Headers["Link"] = $"{Entry(url, "previous", hasPrev, prev)}, {Entry(url, "next", hasNext, next)}";
    }

    private static string Entry(string url, string rel, bool results, Cursor cursor) =>
        $"<{url}&cursor={cursor}>; rel=\"{rel}\"; results=\"{(results ? "true" : "false")}\"; cursor=\"{cursor}\"";

    private static string QueryWithoutCursor(HttpRequest request)
    {
        var sb = new StringBuilder();
        foreach (var (key, values) in request.Query)
        {
            if (key == "cursor") continue;
            foreach (var value in values)
            {
                if (sb.Length > 0) sb.Append('&');
                sb.Append(QuotePlus(key)).Append('=').Append(QuotePlus(value ?? ""));
            }
        }
        return sb.ToString();
    }

    /// <summary>Python's quote_plus: unreserved characters stay, space → '+', the rest %XX (upper case).</summary>
    public static string QuotePlus(string text)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '~') sb.Append(c);
            else if (c == ' ') sb.Append('+');
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}

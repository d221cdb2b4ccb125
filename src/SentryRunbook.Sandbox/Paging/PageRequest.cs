using System.Globalization;
using Microsoft.AspNetCore.Http;
using SentryRunbook.Sandbox.WireFormat;

namespace SentryRunbook.Sandbox.Paging;

/// <summary>Offset + page size read from `cursor` and `per_page` (or `limit` on issue search).</summary>
public readonly record struct PageRequest(int Offset, int Size)
{
    public const int MaxSize = 100;

    public static bool TryRead(HttpRequest request, string sizeParameter, out PageRequest page, out string? error)
    {
        page = default;
        error = null;
        var size = MaxSize;
        var rawSize = request.Query[sizeParameter];
        if (rawSize.Count > 0)
        {
            if (!int.TryParse(rawSize[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out size))
            {
                error = Messages.InvalidPerPage;
                return false;
            }
            if (size > MaxSize)
            {
                error = Messages.PerPageTooLarge;
                return false;
            }
            if (size < 1)
            {
                error = $"Invalid {sizeParameter} value. Must be at least 1.";
                return false;
            }
        }

        var offset = 0;
        var rawCursor = request.Query["cursor"];
        if (rawCursor.Count > 0 && !string.IsNullOrEmpty(rawCursor[0]))
        {
            if (!Cursor.TryParse(rawCursor[0], out var cursor))
            {
                error = Messages.InvalidCursor;
                return false;
            }
            offset = cursor.Offset;
        }

        page = new PageRequest(offset, size);
        return true;
    }
}

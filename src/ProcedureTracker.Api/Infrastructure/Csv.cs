using System.Globalization;
using System.Text;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>RFC 4180 CSV written straight to the response, a row at a time (CRLF line ends, quotes doubled).</summary>
public static class Csv
{
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    public static string Field(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Streams <paramref name="rows"/> as <c>text/csv</c> with a header row; flushes every few hundred rows.</summary>
    public static async Task WriteAsync<T>(HttpResponse response, string fileName, string[] header, IAsyncEnumerable<T> rows,
        Func<T, string[]> fields, CancellationToken ct)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
        await writer.WriteAsync(string.Join(',', header) + "\r\n");
        var n = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            await writer.WriteAsync(string.Join(',', fields(row)) + "\r\n");
            if (++n % 500 == 0) await writer.FlushAsync(ct);
        }
        await writer.FlushAsync(ct);
    }
}

using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>RFC 4180 CSV (CsvHelper) written straight to the response, a row at a time, CRLF line ends.</summary>
public static class Csv
{
    private static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture) { NewLine = "\r\n" };

    /// <summary>A decimal as CSV cells show it: up to three places, invariant culture.</summary>
    public static string Number(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Sets the CSV response headers and returns a UTF-8 writer on the body for CSV text made elsewhere (the database's COPY).</summary>
    public static TextWriter Start(HttpResponse response, string fileName)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        return new StreamWriter(response.Body, new UTF8Encoding(false), 64 * 1024);
    }

    /// <summary>Streams <paramref name="rows"/> as <c>text/csv</c> with a header row; flushes every few hundred rows.</summary>
    public static async Task WriteAsync<T>(HttpResponse response, string fileName, string[] header, IAsyncEnumerable<T> rows,
        Func<T, string?[]> fields, CancellationToken ct)
    {
        await using var writer = Start(response, fileName);
        await using var csv = new CsvWriter(writer, Config);
        foreach (var name in header) csv.WriteField(name);
        await csv.NextRecordAsync();
        var n = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            foreach (var field in fields(row)) csv.WriteField(field);
            await csv.NextRecordAsync();
            if (++n % 500 == 0) await csv.FlushAsync();
        }
        await csv.FlushAsync();
    }
}

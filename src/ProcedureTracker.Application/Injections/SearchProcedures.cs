using System.Buffers.Text;
using System.Text;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Application.Injections;

/// <summary>Where the next page of a search starts: after this date of service and record id.</summary>
public readonly record struct SearchCursor(LocalDate Date, Guid Id)
{
    /// <summary>An opaque token for a next link.</summary>
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{LocalDatePattern.Iso.Format(Date)}/{Id:N}"));

    public static bool TryDecode(string? token, out SearchCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(token) || token.Length > 100) return false;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('/');
            if (parts.Length != 2 || LocalDatePattern.Iso.Parse(parts[0]) is not { Success: true } date || !Guid.TryParseExact(parts[1], "N", out var id))
                return false;
            cursor = new SearchCursor(date.Value, id);
            return true;
        }
        catch (FormatException) { return false; }
    }
}

/// <summary>A search of an organization's records; every part optional but a patient or a record id.</summary>
/// <param name="PatientId">One patient's records.</param>
/// <param name="Id">One record.</param>
/// <param name="From">Dates of service from (inclusive).</param>
/// <param name="To">Dates of service to (inclusive).</param>
/// <param name="Voided">True: voided records only; false: live ones only; null: both.</param>
/// <param name="Procedures">Any of these procedure codes (with <paramref name="CptCodes"/>: either matches); null: any.</param>
/// <param name="CptCodes">Any of these CPT codes, the record's or its procedure's default.</param>
/// <param name="After">Where the page starts (the previous page's cursor).</param>
/// <param name="Count">The page's size.</param>
public sealed record ProcedureSearch(string? PatientId, Guid? Id, LocalDate? From, LocalDate? To, bool? Voided, IReadOnlyList<string>? Procedures,
    IReadOnlyList<string>? CptCodes, SearchCursor? After, int Count);

/// <summary>A page of matches, their total, and where the next page starts (null on the last).</summary>
public sealed record SearchPage(IReadOnlyList<InjectionRow> Rows, int Total, SearchCursor? Next);

/// <summary>Searches records in the database (filters and paging there, never in memory); audited as reads of the patients returned.</summary>
public sealed class SearchProcedures(InjectionStore injections, ProcedureCatalog catalog, ProcedureTracker.Data.ReadAudit reads)
{
    public async Task<SearchPage> RunAsync(Caller caller, ProcedureSearch search, CancellationToken ct)
    {
        if (search.PatientId is null && search.Id is null) throw new ArgumentException("A search names a patient or a record.", nameof(search));
        if (search.From > search.To) return new SearchPage([], 0, null);
        var byCode = search.Procedures is not null || search.CptCodes is not null;
        // A record without its own CPT code is shown with its procedure's first; a search by CPT code finds it by that too.
        var defaults = search.CptCodes is null ? null
            : catalog.Procedures.Where(p => p.CptCodes.Count > 0 && search.CptCodes.Contains(p.CptCodes[0])).Select(p => p.Code).ToArray();
        var (rows, total) = await injections.SearchAsync(caller.Organization.Id, search.PatientId, search.Id, search.From, search.To, search.Voided,
            byCode ? [.. search.Procedures ?? []] : null, byCode ? [.. search.CptCodes ?? []] : null, defaults,
            search.After?.Date, search.After?.Id, search.Count + 1, ct);
        var page = rows.Take(search.Count).ToList();
        foreach (var patient in page.Select(r => r.PatientId).Append(search.PatientId).OfType<string>().Distinct(StringComparer.Ordinal))
            await reads.PatientAsync(caller, patient, "search", ct);
        return new SearchPage(page, total, rows.Count > search.Count ? new SearchCursor(page[^1].DateOfService, page[^1].Id) : null);
    }
}

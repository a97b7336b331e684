using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.Imports;

/// <summary>A refused line: its number, each field's problems, and (for the web page's "fix and re-import" download) its cells as read.</summary>
public sealed record RejectedRow(int Line, IDictionary<string, string[]> Errors)
{
    [System.Text.Json.Serialization.JsonIgnore] public string[]? Cells { get; init; }
}

/// <summary>A line stored over a limit, with the rules it breaks.</summary>
public sealed record OverLimitRow(int Line, IReadOnlyList<string> RuleIds);

/// <summary>
/// What an import did. <c>rejected</c> and <c>overLimit</c> list the first <see cref="ImportFile.LinesListed"/> lines of
/// each (in line order); <c>rejectedTotal</c> and <c>overLimitTotal</c> count them all.
/// </summary>
public sealed record ImportSummary(int Imported, int Unchanged, IReadOnlyList<RejectedRow> Rejected, IReadOnlyList<OverLimitRow> OverLimit,
    int RejectedTotal, int OverLimitTotal)
{
    /// <summary>The file's header row, so rejected lines can be written back as the rows they were.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string[]? Header { get; init; }
}

/// <summary>
/// The import of a CSV history file: streamed, each row validated as it arrives and stored a batch at a time through
/// <see cref="ImportHistory"/>, so a file of a million rows never needs a million rows in memory (only the rejected
/// and over-limit line lists grow, and only to <see cref="LinesListed"/>).
/// </summary>
public sealed class ImportFile(ImportHistory import, ProcedureCatalog catalog, ServiceYears years)
{
    public static readonly string[] Columns =
        ["patientId", "procedure", "cptCode", "region", "laterality", "detail", "steroidDrug", "steroidDoseMg", "dateOfService", "plan",
         "externalId", "providerId", "imageGuidance", "levels"];

    private static readonly string[] Required = ["patientId", "procedure", "region", "dateOfService", "externalId"];

    /// <summary>Rejected and over-limit lines kept and answered (each list); the totals count every one.</summary>
    public const int LinesListed = 1_000;

    /// <summary>A CSV field longer than this (an unclosed quote swallowing the file) refuses the file.</summary>
    public const int MaxFieldLength = 10_000;

    /// <summary>
    /// Reads a CSV history file as it arrives, validates each row, and imports a batch at a time through the use case.
    /// Every door comes through here (the worker runs jobs with it); <paramref name="progress"/> hears the rows handled so far.
    /// Null with the message when the header is unusable.
    /// </summary>
    public async Task<(ImportSummary? Summary, string? Error)> RunAsync(Stream body, Caller caller, Func<int, Task>? progress, CancellationToken ct)
    {
        var versions = await import.VersionsAsync(caller, ct);
        var plans = versions.Select(p => p.Code).ToHashSet(StringComparer.Ordinal);

        using var reader = new StreamReader(body);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = null, MissingFieldFound = null, MaxFieldSize = MaxFieldLength,
            // Old systems export "PatientId" or "Levels ": column names match whatever their case and spacing.
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
        });
        if (!await csv.ReadAsync() || !csv.ReadHeader()) return (null, "The file is empty; it needs a header row.");
        var header = csv.HeaderRecord!.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = Required.Where(c => !header.Contains(c.ToLowerInvariant())).ToList();
        if (missing.Count > 0) return (null, $"Missing column(s): {string.Join(", ", missing)}. Columns: {string.Join(",", Columns)}.");
        // A column nobody reads would be data silently lost (a "level" column meant as levels): named and refused. The
        // rejected-rows download's "error" column is the one extra a re-import may carry.
        var unknown = csv.HeaderRecord!.Where(h => h.Trim().Length > 0 && !Columns.Any(c => c.Equals(h.Trim(), StringComparison.OrdinalIgnoreCase))
            && !h.Trim().Equals("error", StringComparison.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0) return (null, $"Unknown column(s): {string.Join(", ", unknown)}. Columns: {string.Join(",", Columns)} (and error, which is ignored).");

        var (imported, unchanged, handled, overLimitTotal, refusedStoredTotal) = (0, 0, 0, 0, 0);
        var rejected = new List<RejectedRow>();        // rows refused while reading (the reading loop's own)
        var refusedStored = new List<RejectedRow>();   // rows refused while storing (the storing task's own)
        var rejectedCount = 0;                         // read by the storing task for progress
        var overLimit = new List<OverLimitRow>();
        var batch = new List<ImportRow>(ImportHistory.BatchSize);
        var cells = new Dictionary<int, string[]>(); // the current batch's cells by line, for the rows the store refuses

        // While the database stores one batch, the next one is read and validated (batches are still stored one after
        // another, in file order, so each sees every row before it).
        Task storing = Task.CompletedTask;
        async Task Store(List<ImportRow> rows, Dictionary<int, string[]> rowCells)
        {
            foreach (var outcome in await import.RunBatchAsync(caller, rows, versions, ct))
                switch (outcome)
                {
                    case ImportRowOutcome.Imported i:
                        imported++;
                        if (i.OverLimitRuleIds.Count > 0 && overLimitTotal++ < LinesListed) overLimit.Add(new OverLimitRow(i.Line, i.OverLimitRuleIds));
                        break;
                    case ImportRowOutcome.Unchanged: unchanged++; break;
                    case ImportRowOutcome.Rejected r:
                        if (refusedStoredTotal++ < LinesListed)
                            refusedStored.Add(new RejectedRow(r.Line, new Dictionary<string, string[]> { [r.Field] = [r.Message] })
                            { Cells = rowCells.GetValueOrDefault(r.Line) });
                        break;
                }
            handled += rows.Count;
            if (progress is not null) await progress(handled + Volatile.Read(ref rejectedCount));
        }
        async Task Flush()
        {
            await storing;
            if (batch.Count == 0) return;
            storing = Store(batch, cells);
            batch = new List<ImportRow>(ImportHistory.BatchSize);
            cells = new Dictionary<int, string[]>();
        }

        try
        {
            while (await csv.ReadAsync())
            {
                var line = csv.Parser.Row; // the header is row 1
                var errors = new ValidationErrors();
                var row = Parse(csv, plans, errors);
                if (row is null)
                {
                    // Only the first lines are kept: a file of bad rows answers in bounded memory, with the total.
                    if (Interlocked.Increment(ref rejectedCount) <= LinesListed)
                        rejected.Add(new RejectedRow(line, errors.ToDictionary()) { Cells = csv.Parser.Record });
                }
                else
                {
                    batch.Add(new ImportRow(line, row));
                    if (csv.Parser.Record is { } record) cells[line] = record;
                }
                if (batch.Count == ImportHistory.BatchSize) await Flush();
            }
            await Flush();
            await storing;
        }
        catch (CsvHelper.MaxFieldSizeException)
        {
            try { await storing; } catch { /* the file's own problem is the one to report */ }
            return (null, $"Line {csv.Parser.Row} has a field longer than {MaxFieldLength} characters (often a quote that is never closed); rows before it were imported.");
        }
        catch when (!storing.IsCompleted)
        {
            // Reading failed (the client went away) while a batch was being stored: let it finish (it is atomic) first.
            try { await storing; } catch { /* the reading failure is the one to report */ }
            throw;
        }
        var listed = rejected.Concat(refusedStored).OrderBy(r => r.Line).Take(LinesListed).ToList();
        Telemetry.ImportRows.Add(imported, new KeyValuePair<string, object?>("outcome", "imported"));
        Telemetry.ImportRows.Add(unchanged, new KeyValuePair<string, object?>("outcome", "unchanged"));
        Telemetry.ImportRows.Add(rejectedCount + refusedStoredTotal, new KeyValuePair<string, object?>("outcome", "rejected"));
        return (new ImportSummary(imported, unchanged, listed, overLimit, rejectedCount + refusedStoredTotal, overLimitTotal) { Header = csv.HeaderRecord }, null);
    }

    private NewInjection? Parse(CsvReader csv, HashSet<string> plans, ValidationErrors errors)
    {
        var cells = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var column in Columns)
        {
            cells[column] = null;
            if (!csv.TryGetField<string>(column, out var value) || string.IsNullOrWhiteSpace(value)) continue;
            if (InputText.Problem(value) is { } problem) errors.Add(column, problem);
            else cells[column] = value.Trim();
        }
        decimal? dose = null;
        if (cells["steroidDoseMg"] is { } doseText)
        {
            if (decimal.TryParse(doseText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed)) dose = parsed;
            else errors.Add("steroidDoseMg", $"'{doseText}' is not a number of mg.");
        }
        int? levels = null;
        if (cells["levels"] is { } levelsText)
        {
            if (int.TryParse(levelsText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedLevels)) levels = parsedLevels;
            else errors.Add("levels", $"'{levelsText}' is not a whole number of levels.");
        }
        var plan = cells["plan"];
        if (plan is not null && !plans.Contains(plan)) errors.Add("plan", $"Unknown plan '{plan}'.");
        if (cells["externalId"] is null) errors.Add("externalId", "Required: it makes re-importing the same file change nothing.");
        var draft = new InjectionDraft(cells["patientId"], new ClinicalDraft(cells["procedure"], cells["cptCode"], cells["region"], cells["laterality"],
            cells["detail"], cells["steroidDrug"], dose, cells["dateOfService"], levels), plan, cells["externalId"], cells["providerId"], cells["imageGuidance"]);
        var injection = InjectionInput.Validate(draft, catalog, years, InjectionFieldNames.Csv, errors);
        return errors.IsEmpty ? injection : null;
    }
}

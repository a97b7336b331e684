using NodaTime;
using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Domain.Injections;

/// <summary>The clinical fields of an injection or a check as a client sent them, before validation.</summary>
/// <param name="Procedure">Procedure code (required).</param>
/// <param name="CptCode">Billing code; when given it must belong to the procedure.</param>
/// <param name="Region">Region code (required).</param>
/// <param name="Laterality">left, right, bilateral or none; null means none.</param>
/// <param name="Detail">Free text, at most 200 characters.</param>
/// <param name="SteroidDrug">Drug code; null with a null dose means no steroid.</param>
/// <param name="SteroidDoseMg">Dose in mg of the drug.</param>
/// <param name="Date">ISO date of service.</param>
/// <param name="Levels">Spinal levels or joints treated in the session (1 to <see cref="InjectionValidator.MaxLevels"/>); null means 1.
/// Bilateral at one level is one level.</param>
public sealed record ClinicalDraft(string? Procedure, string? CptCode, string? Region, string? Laterality, string? Detail,
    string? SteroidDrug, decimal? SteroidDoseMg, string? Date, int? Levels = null);

/// <summary>The validated clinical fields.</summary>
/// <param name="Procedure">A known procedure.</param>
/// <param name="CptCode">A code of that procedure, or null.</param>
/// <param name="Site">The site.</param>
/// <param name="Steroid">The steroid, or null.</param>
/// <param name="Date">The date.</param>
/// <param name="Levels">Levels treated in the session (at least 1).</param>
public sealed record ClinicalFields(ProcedureType Procedure, string? CptCode, BodySite Site, SteroidUse? Steroid, LocalDate Date, int Levels = 1);

/// <summary>Field names used in messages, so the JSON API and the CSV import can each name fields their own way.</summary>
/// <param name="Procedure">Name of the procedure field.</param>
/// <param name="CptCode">Name of the CPT code field.</param>
/// <param name="Region">Name of the region field.</param>
/// <param name="Laterality">Name of the laterality field.</param>
/// <param name="Detail">Name of the detail field.</param>
/// <param name="SteroidDrug">Name of the steroid drug field.</param>
/// <param name="SteroidDoseMg">Name of the dose field.</param>
/// <param name="Date">Name of the date field.</param>
/// <param name="Levels">Name of the levels field (<c>levels</c> in JSON and CSV alike).</param>
public sealed record ClinicalFieldNames(string Procedure, string CptCode, string Region, string Laterality, string Detail,
    string SteroidDrug, string SteroidDoseMg, string Date, string Levels = "levels")
{
    /// <summary>The JSON names of API.md (<c>site.region</c>, <c>steroid.doseMg</c>, <c>dateOfService</c>).</summary>
    public static ClinicalFieldNames Json { get; } = new("procedure", "cptCode", "site.region", "site.laterality", "site.detail",
        "steroid.drug", "steroid.doseMg", "dateOfService");

    /// <summary>The CSV column names of the import.</summary>
    public static ClinicalFieldNames Csv { get; } = new("procedure", "cptCode", "region", "laterality", "detail",
        "steroidDrug", "steroidDoseMg", "dateOfService");
}

/// <summary>Checks clinical fields against the catalog: unknown codes, a CPT code of another procedure, impossible dates, absurd doses.</summary>
public static class InjectionValidator
{
    /// <summary>Most levels one session may record (payers pay for 1 or 2; 3 or 4 are recorded and refused by rules).</summary>
    public const int MaxLevels = 10;

    /// <summary>Validates <paramref name="draft"/>, adding messages to <paramref name="errors"/>; null when anything is wrong.</summary>
    public static ClinicalFields? Validate(ClinicalDraft draft, ProcedureCatalog catalog, ClinicalFieldNames names, ValidationErrors errors)
    {
        var before = errors.Count;
        ProcedureType? procedure = null;
        if (string.IsNullOrWhiteSpace(draft.Procedure)) errors.Add(names.Procedure, "A procedure is required.");
        else if ((procedure = catalog.FindProcedure(draft.Procedure)) is null) errors.Add(names.Procedure, $"Unknown procedure '{draft.Procedure}'.");

        var cpt = string.IsNullOrWhiteSpace(draft.CptCode) ? null : draft.CptCode.Trim();
        if (cpt is not null && procedure is not null && !procedure.CptCodes.Contains(cpt))
            errors.Add(names.CptCode, $"CPT code '{cpt}' is not a code of {procedure.Code} (use {string.Join(", ", procedure.CptCodes)}).");

        if (string.IsNullOrWhiteSpace(draft.Region)) errors.Add(names.Region, "A region is required.");
        else if (catalog.FindRegion(draft.Region) is null) errors.Add(names.Region, $"Unknown region '{draft.Region}'.");

        var laterality = Laterality.None;
        if (!string.IsNullOrEmpty(draft.Laterality) && !LateralityCodes.TryParse(draft.Laterality, out laterality))
            errors.Add(names.Laterality, $"Unknown laterality '{draft.Laterality}'; use left, right, bilateral or none.");

        if (draft.Detail is { Length: > 200 }) errors.Add(names.Detail, "At most 200 characters.");

        SteroidUse? steroid = null;
        if (draft.SteroidDrug is not null || draft.SteroidDoseMg is not null)
        {
            var drug = string.IsNullOrWhiteSpace(draft.SteroidDrug) ? null : catalog.FindDrug(draft.SteroidDrug);
            if (string.IsNullOrWhiteSpace(draft.SteroidDrug)) errors.Add(names.SteroidDrug, "A drug is required when a steroid dose is given.");
            else if (drug is null) errors.Add(names.SteroidDrug, $"Unknown steroid drug '{draft.SteroidDrug}'.");
            if (draft.SteroidDoseMg is not { } dose) errors.Add(names.SteroidDoseMg, "A dose in mg is required when a steroid is given.");
            else if (dose <= 0) errors.Add(names.SteroidDoseMg, "The dose must be more than 0 mg.");
            else if (drug is not null && dose > drug.MaxSingleDoseMg)
                errors.Add(names.SteroidDoseMg, $"{dose} mg of {drug.Name} is more than the plausible maximum of {drug.MaxSingleDoseMg} mg for one injection.");
            else if (drug is not null && drug.ToMpe(dose) <= 0)
                errors.Add(names.SteroidDoseMg, $"{dose} mg of {drug.Name} is less than 0.05 mg methylprednisolone-equivalent (it rounds to 0); check the dose.");
            else if (drug is not null) steroid = SteroidUse.Of(drug, dose);
        }

        var date = default(LocalDate);
        if (string.IsNullOrWhiteSpace(draft.Date)) errors.Add(names.Date, "A date is required (yyyy-MM-dd).");
        else
        {
            if (!DateText.TryParse(draft.Date, out date)) errors.Add(names.Date, $"'{draft.Date}' is not accepted. {DateText.Message}");
        }

        if (draft.Levels is < 1 or > MaxLevels) errors.Add(names.Levels, $"Use a whole number of levels from 1 to {MaxLevels} (bilateral at one level is 1).");

        return errors.Count != before
            ? null
            : new ClinicalFields(procedure!, cpt, new BodySite(draft.Region!, laterality, draft.Detail?.Trim()), steroid, date, draft.Levels ?? 1);
    }
}

using System.Text.RegularExpressions;
using NodaTime;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Application.Injections;

/// <summary>An injection as a door read it (JSON body, CSV row, FHIR Procedure), before validation.</summary>
public sealed record InjectionDraft(
    string? PatientId,
    ClinicalDraft Clinical,
    string? Plan,
    string? ExternalId,
    string? ProviderId = null,
    string? ImageGuidance = null,
    bool OverrideGiven = false,
    string? OverrideReason = null,
    string? PriorAuthorization = null,
    Guid? Supersedes = null,
    string? OverLimitReason = null);

/// <summary>How each door names the fields in its messages.</summary>
public sealed record InjectionFieldNames(ClinicalFieldNames Clinical, string PatientId, string Plan, string ExternalId, string ProviderId,
    string ImageGuidance, string OverrideReason, string PriorAuthorization)
{
    /// <summary>The JSON API's names (the patient id comes from the path).</summary>
    public static InjectionFieldNames Json { get; } = new(ClinicalFieldNames.Json, "patientId", "plan", "externalId", "providerId", "imageGuidance",
        "override.reason", "override.priorAuthorization");

    /// <summary>The CSV import's column names.</summary>
    public static InjectionFieldNames Csv { get; } = new(ClinicalFieldNames.Csv, "patientId", "plan", "externalId", "providerId", "imageGuidance",
        "overrideReason", "priorAuthorization");
}

/// <summary>The one validation of an injection's fields, whichever door it came through.</summary>
/// <summary>
/// The years a stored record's date of service may fall in: from <see cref="First"/> to this year + <see cref="YearsAhead"/>
/// (PT_SERVICE_YEARS_FROM, PT_SERVICE_YEARS_AHEAD; 1950 to next year by default): a history reaches back decades, never
/// centuries, and each year stored is a partition.
/// </summary>
public sealed class ServiceYears(int first, int yearsAhead, IClock clock)
{
    public int First { get; } = first;
    public int YearsAhead { get; } = yearsAhead;

    /// <summary>The last year accepted, today.</summary>
    public int Last => clock.GetCurrentInstant().InUtc().Year + YearsAhead;

    public bool Contains(int year) => year >= First && year <= Last;
}

public static partial class InjectionInput
{
    /// <summary>Image guidance codes.</summary>
    public static readonly string[] ImageGuidance = ["none", "ultrasound", "fluoroscopy", "ct"];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex PatientIdPattern();

    /// <summary>True for a patient id of 1-64 of A-Z a-z 0-9 . _ - (no names, no free text).</summary>
    public static bool IsPatientId(string? value) => value is not null && PatientIdPattern().IsMatch(value);

    public static bool PatientId(string? value, string field, ValidationErrors errors)
    {
        if (IsPatientId(value)) return true;
        errors.Add(field, "Use 1-64 characters of A-Z a-z 0-9 . _ -");
        return false;
    }

    public static void Plan(string? plan, string field, ValidationErrors errors)
    {
        if (plan is not null && !PolicyValidator.IsValidCode(plan)) errors.Add(field, $"Unknown plan '{plan}'.");
    }

    public static void Text(string? value, string field, int max, ValidationErrors errors)
    {
        if (value is not null && (value.Length == 0 || value.Length > max)) errors.Add(field, $"Use 1-{max} characters.");
    }

    /// <summary>The injection, or null with every problem added to <paramref name="errors"/> under the door's field names.</summary>
    public static NewInjection? Validate(InjectionDraft draft, ProcedureCatalog catalog, ServiceYears years, InjectionFieldNames names,
        ValidationErrors errors)
    {
        var before = errors.Count;
        PatientId(draft.PatientId, names.PatientId, errors);
        Plan(draft.Plan, names.Plan, errors);
        Text(draft.ExternalId, names.ExternalId, 200, errors);
        Text(draft.ProviderId, names.ProviderId, 64, errors);
        if (draft.ImageGuidance is not null && !ImageGuidance.Contains(draft.ImageGuidance))
            errors.Add(names.ImageGuidance, $"Use one of: {string.Join(", ", ImageGuidance)}.");
        var reason = Blank(draft.OverrideReason);
        var priorAuthorization = Blank(draft.PriorAuthorization);
        if (draft.OverrideGiven && reason is null && priorAuthorization is null)
            errors.Add(names.OverrideReason, "An override needs a documented reason or a prior-authorization number.");
        Text(reason, names.OverrideReason, 1000, errors);
        Text(priorAuthorization, names.PriorAuthorization, 100, errors);
        var clinical = InjectionValidator.Validate(draft.Clinical, catalog, names.Clinical, errors);
        if (clinical is not null && !years.Contains(clinical.Date.Year))
            errors.Add(names.Clinical.Date, $"A date of service in the years {years.First} to {years.Last} is required.");
        if (clinical is null || errors.Count != before) return null;
        return new NewInjection(draft.PatientId!, clinical, draft.Plan, draft.ExternalId, draft.ProviderId, draft.ImageGuidance, reason,
            priorAuthorization, draft.Supersedes, draft.OverLimitReason);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using System.Text.Json.Nodes;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Fhir;

/// <summary>A FHIR Procedure read into our terms: what to do (record or void) and with what.</summary>
public sealed record FhirProcedure(string Status, string ExternalId, string PatientId, NewInjection? Injection);

/// <summary>FHIR R4 Procedure ↔ injection, per the mapping table of API.md "EHR standards".</summary>
public static class ProcedureMapping
{
    public const string OverLimitReason = "Performed procedure reported by the EHR over a limit";

    private static readonly ClinicalFieldNames ClinicalNames = new("Procedure.code", "Procedure.code", "Procedure.bodySite", "Procedure.bodySite",
        "Procedure.bodySite", $"Procedure.extension('{FhirTerms.SteroidExtension}').extension('drug')",
        $"Procedure.extension('{FhirTerms.SteroidExtension}').extension('doseMg')", "Procedure.performed",
        $"Procedure.extension('{FhirTerms.LevelsExtension}')");

    /// <summary>FHIR element names (FHIRPath) for the fields of an injection.</summary>
    public static readonly InjectionFieldNames Names = new(ClinicalNames, "Procedure.subject", $"Procedure.extension('{FhirTerms.PlanExtension}')",
        "Procedure.identifier", "Procedure.performer", "Procedure", "Procedure", "Procedure");

    public static FhirProcedure? FromFhir(JsonNode? resource, ProcedureCatalog catalog, ServiceYears years, DateTimeZone zone, ValidationErrors errors,
        Func<string, string?>? planOf = null)
    {
        if (resource.Str("resourceType") != "Procedure") { errors.Add("Procedure", "The resource must be a Procedure."); return null; }

        var identifier = resource.Array("identifier").FirstOrDefault();
        var (system, value) = (identifier.Str("system"), identifier.Str("value"));
        if (string.IsNullOrEmpty(system) || string.IsNullOrEmpty(value))
            errors.Add("Procedure.identifier", "identifier[0] with a system and a value is required (it makes retries safe).");
        var externalId = $"{system}|{value}";
        if (externalId.Length > 200) errors.Add("Procedure.identifier", "system|value is longer than 200 characters.");

        var status = resource.Str("status");
        if (status is not ("completed" or "entered-in-error"))
            errors.Add("Procedure.status", $"Only completed and entered-in-error can be mapped (got '{status}').");

        var reference = resource.Get("subject").Str("reference");
        var patientId = reference is not null && reference.StartsWith("Patient/", StringComparison.Ordinal) ? reference["Patient/".Length..] : null;
        if (!InjectionInput.IsPatientId(patientId))
            errors.Add("Procedure.subject", "subject.reference must be Patient/{id} with an id of 1-64 of A-Z a-z 0-9 . _ -");
        if (!errors.IsEmpty || status == "entered-in-error") return errors.IsEmpty ? new FhirProcedure(status!, externalId, patientId!, null) : null;

        var codings = resource.Get("code").Codings().ToList() ?? [];
        var cpt = codings.FirstOrDefault(c => c.System == FhirTerms.Cpt).Code;
        var ours = codings.FirstOrDefault(c => c.System == FhirTerms.ProcedureSystem).Code;
        // 64490-64495 bill both facet joint injections and medial branch blocks: our own coding decides, else the catalog's first.
        var procedure = catalog.ForCpt(cpt, ours)?.Code ?? ours;
        if (cpt is null && ours is null) errors.Add("Procedure.code", $"code.coding needs a CPT code (system {FhirTerms.Cpt}).");
        else if (procedure is null) errors.Add("Procedure.code", $"CPT code '{cpt}' is not a procedure in the catalog.");

        var (region, laterality) = FhirTerms.Site(resource.Get("bodySite"));
        if (region is null) errors.Add("Procedure.bodySite", "bodySite needs a SNOMED CT region code from the mapping table, or a region code of http://proceduretracker.org/fhir/CodeSystem/region (GET /v1/regions).");

        var date = PerformedDate(resource, zone, errors);

        // The payer-plan extension as the EHR writes it ("Medicare Part B"), matched to a plan code by code or alias.
        var plan = resource.Extension(FhirTerms.PlanExtension).Str("valueString");
        if (plan is not null && planOf?.Invoke(plan) is { } code) plan = code;
        var steroid = resource.Extension(FhirTerms.SteroidExtension);
        var drug = steroid.Extension("drug").Str("valueCode");
        decimal? dose = steroid.Extension("doseMg").Get("valueDecimal") is JsonValue d && d.TryGetValue<decimal>(out var mg) ? mg : null;
        if (steroid is not null && steroid.Extension("doseMg") is not null && dose is null)
            errors.Add(ClinicalNames.SteroidDoseMg, "doseMg needs a valueDecimal.");

        var levelsExtension = resource.Extension(FhirTerms.LevelsExtension);
        int? levels = levelsExtension.Get("valueInteger") is JsonValue l && l.TryGetValue<int>(out var n) ? n : null;
        if (levelsExtension is not null && levels is null) errors.Add(ClinicalNames.Levels, "The levels extension needs a valueInteger.");

        if (!errors.IsEmpty) return null;
        var draft = new InjectionDraft(patientId, new ClinicalDraft(procedure, cpt, region, laterality, null, drug, dose, date, levels), plan, externalId,
            OverLimitReason: OverLimitReason);
        return InjectionInput.Validate(draft, catalog, years, Names, errors) is { } injection
            ? new FhirProcedure(status!, externalId, patientId!, injection)
            : null;
    }

    /// <summary>performedDateTime or performedPeriod.start as a date of service in the organization's zone.</summary>
    private static string? PerformedDate(JsonNode? resource, DateTimeZone zone, ValidationErrors errors)
    {
        var text = resource.Str("performedDateTime") ?? resource.Get("performedPeriod").Str("start");
        if (text is null) { errors.Add("Procedure.performed", "performedDateTime or performedPeriod.start is required."); return null; }
        if (FhirTerms.DateOfService(text, zone) is { } date) return LocalDatePattern.Iso.Format(date);
        errors.Add("Procedure.performed", $"'{text}' is not a FHIR dateTime with a time zone, nor a date.");
        return null;
    }

    /// <summary>The record as a Procedure: its current version, or with <paramref name="asRecorded"/> version 1 (before a void).</summary>
    public static JsonObject ToFhir(InjectionRow row, ProcedureCatalog catalog, bool asRecorded = false)
    {
        var voidedAt = asRecorded ? null : row.VoidedAt;
        var code = new JsonArray();
        var cpt = row.CptCode ?? catalog.FindProcedure(row.Procedure)?.CptCodes.FirstOrDefault();
        if (cpt is not null) code.Add(new JsonObject { ["system"] = FhirTerms.Cpt, ["code"] = cpt });
        code.Add(new JsonObject { ["system"] = FhirTerms.ProcedureSystem, ["code"] = row.Procedure, ["display"] = catalog.ProcedureName(row.Procedure) });
        // Every bodySite has a coding (FHIR arrays are never empty): SNOMED CT where the region maps to a concept, and our region code always.
        var site = new JsonArray();
        if (FhirTerms.SnomedByRegion.GetValueOrDefault(row.Region) is { } region) site.Add(new JsonObject { ["system"] = FhirTerms.Snomed, ["code"] = region });
        site.Add(new JsonObject { ["system"] = FhirTerms.RegionSystem, ["code"] = row.Region, ["display"] = catalog.RegionName(row.Region) });
        var bodySite = new JsonObject
        {
            ["coding"] = site,
            ["text"] = catalog.RegionName(row.Region) + (row.Laterality == "none" ? "" : $" ({row.Laterality})"),
        };
        if (FhirTerms.SnomedByLaterality.GetValueOrDefault(row.Laterality) is { } side)
            bodySite["extension"] = new JsonArray(new JsonObject
            {
                ["url"] = FhirTerms.LateralityExtension,
                ["valueCodeableConcept"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = FhirTerms.Snomed, ["code"] = side }) },
            });
        var extensions = new JsonArray();
        if (row.Plan is not null) extensions.Add(new JsonObject { ["url"] = FhirTerms.PlanExtension, ["valueString"] = row.Plan });
        if (row.SteroidDrug is not null)
            extensions.Add(new JsonObject
            {
                ["url"] = FhirTerms.SteroidExtension,
                ["extension"] = new JsonArray(new JsonObject { ["url"] = "drug", ["valueCode"] = row.SteroidDrug },
                    new JsonObject { ["url"] = "doseMg", ["valueDecimal"] = row.SteroidDoseMg }),
            });
        extensions.Add(new JsonObject { ["url"] = FhirTerms.LevelsExtension, ["valueInteger"] = row.Levels });
        if (row.Overridden) extensions.Add(new JsonObject { ["url"] = FhirTerms.OverLimitExtension, ["valueBoolean"] = true });
        var resource = new JsonObject
        {
            ["resourceType"] = "Procedure", ["id"] = row.Id.ToString(),
            // Version 1 as recorded, 2 once voided (entered-in-error): the ETag a client compares.
            ["meta"] = new JsonObject { ["versionId"] = voidedAt is null ? "1" : "2", ["lastUpdated"] = InstantPattern.ExtendedIso.Format(voidedAt ?? row.RecordedAt) },
            ["status"] = voidedAt is null ? "completed" : "entered-in-error",
            ["code"] = new JsonObject { ["coding"] = code },
            ["subject"] = new JsonObject { ["reference"] = $"Patient/{row.PatientId}" },
            ["performedDateTime"] = LocalDatePattern.Iso.Format(row.DateOfService),
            ["bodySite"] = new JsonArray(bodySite),
        };
        if (row.ExternalId?.Split('|', 2) is [var system, var value])
            resource["identifier"] = new JsonArray(new JsonObject { ["system"] = system, ["value"] = value });
        if (extensions.Count > 0) resource["extension"] = extensions;
        return resource;
    }
}

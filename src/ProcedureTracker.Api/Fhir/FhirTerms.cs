using System.Globalization;
using System.Text.Json.Nodes;


namespace ProcedureTracker.Api.Fhir;

/// <summary>Code systems and the SNOMED CT ↔ region/laterality tables of DOMAIN.md and API.md.</summary>
public static class FhirTerms
{
    public const string Cpt = "http://www.ama-assn.org/go/cpt";
    public const string Snomed = "http://snomed.info/sct";
    public const string ProcedureSystem = "http://proceduretracker.org/fhir/CodeSystem/procedure";

    /// <summary>Our body-region codes (GET /v1/regions): on every bodySite, beside SNOMED CT where a region maps to one.</summary>
    public const string RegionSystem = "http://proceduretracker.org/fhir/CodeSystem/region";
    public const string PlanExtension = "http://proceduretracker.org/fhir/StructureDefinition/payer-plan";

    /// <summary>Levels treated in the session (valueInteger, at least 1; API.md).</summary>
    public const string LevelsExtension = "http://proceduretracker.org/fhir/StructureDefinition/levels";
    public const string SteroidExtension = "http://proceduretracker.org/fhir/StructureDefinition/steroid";
    /// <summary>The laterality qualifier on a bodySite CodeableConcept (mCODE's, SNOMED CT laterality codes).</summary>
    public const string LateralityExtension = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier";
    public const string OverLimitExtension = "http://proceduretracker.org/fhir/StructureDefinition/over-limit";
    public const string CoverageInformation = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";
    public const string CrdTemp = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp";

    /// <summary>SNOMED CT body structure → region code. Cervical and thoracic spine share the cervical/thoracic region.</summary>
    public static readonly IReadOnlyDictionary<string, string> RegionBySnomed = new Dictionary<string, string>
    {
        ["122494005"] = "cervical-thoracic-spine", ["122495006"] = "cervical-thoracic-spine", ["122496007"] = "lumbar-sacral-spine",
        ["45048000"] = "neck", ["16982005"] = "shoulder", ["37822005"] = "lower-back", ["29836001"] = "hip", ["72696002"] = "knee",
        ["39723000"] = "sacroiliac",
    };

    /// <summary>Region code → the SNOMED CT code written back (the first listed for cervical/thoracic spine).</summary>
    public static readonly IReadOnlyDictionary<string, string> SnomedByRegion =
        RegionBySnomed.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);

    public static readonly IReadOnlyDictionary<string, string> LateralityBySnomed = new Dictionary<string, string>
    {
        ["7771000"] = "left", ["24028007"] = "right", ["51440002"] = "bilateral",
    };

    public static readonly IReadOnlyDictionary<string, string> SnomedByLaterality = LateralityBySnomed.ToDictionary(p => p.Value, p => p.Key);

    /// <summary>Region and side codes from the SNOMED CT codings of a <c>bodySite</c> (null where none maps).</summary>
    public static (string? Region, string? Laterality) Site(JsonNode? bodySite)
    {
        var codes = bodySite.Codings().Where(c => c.System == Snomed && c.Code is not null).Select(c => c.Code!).ToList();
        // The laterality qualifier extension on each bodySite (and, as before, a laterality coding beside the region).
        var sites = bodySite is JsonArray many ? many.Select(x => x) : [bodySite];
        foreach (var site in sites)
            foreach (var extension in site.Array("extension").Where(e => e.Str("url") == LateralityExtension))
                codes.AddRange(extension.Get("valueCodeableConcept").Codings().Where(c => c.System == Snomed && c.Code is not null).Select(c => c.Code!));
        // SNOMED CT first; else our own region code (the regions SNOMED CT has no single concept for).
        var region = codes.Select(c => RegionBySnomed.GetValueOrDefault(c)).FirstOrDefault(r => r is not null)
            ?? bodySite.Codings().FirstOrDefault(c => c.System == RegionSystem && c.Code is not null).Code;
        return (region, codes.Select(c => LateralityBySnomed.GetValueOrDefault(c)).FirstOrDefault(r => r is not null));
    }

    /// <summary>
    /// A FHIR date or dateTime as a date of service in <paramref name="zone"/>: a bare date is taken as is; a dateTime
    /// must carry its offset (or Z) and is converted. Null when the text is neither.
    /// </summary>
    /// <remarks>Dates outside <see cref="DateText"/>'s years are refused like malformed ones.</remarks>
    public static LocalDate? DateOfService(string text, DateTimeZone zone)
    {
        if (text.Length == 10) return DateText.TryParse(text, out var d) ? d : null;
        var hasOffset = text.Contains('T') && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > 10);
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)) return null;
        if (at.Year is < DateText.MinYear or > DateText.MaxYear) return null;
        return Instant.FromDateTimeOffset(at).InZone(zone).Date;
    }

    /// <summary>
    /// The dates of service a FHIR date search value matches (prefix eq, ge, gt, le or lt, eq by default): a year, a
    /// month or a day means every day of it; an instant with its offset means its date in <paramref name="zone"/>.
    /// Null bounds are open; null when the value is malformed.
    /// </summary>
    public static (LocalDate? From, LocalDate? To)? DateRange(string value, DateTimeZone zone)
    {
        var prefix = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
        var text = prefix == "eq" && !value.StartsWith("eq", StringComparison.Ordinal) ? value : value[2..];
        LocalDate first, last;
        if (text.Length == 4 && DateText.TryParseYear(text, out var year)) (first, last) = (new LocalDate(year, 1, 1), new LocalDate(year, 12, 31));
        else if (text.Length == 7 && DateText.TryParse(text + "-01", out var month)) (first, last) = (month, month.PlusMonths(1).PlusDays(-1));
        else if (DateOfService(text, zone) is { } day) (first, last) = (day, day);
        else return null;
        return prefix switch
        {
            "eq" => (first, last),
            "ge" => (first, null),
            "gt" => (last.PlusDays(1), null),
            "le" => (null, last),
            "lt" => (null, first.PlusDays(-1)),
            _ => null,
        };
    }
}

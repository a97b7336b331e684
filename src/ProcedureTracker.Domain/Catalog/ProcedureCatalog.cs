using System.Collections.Frozen;

namespace ProcedureTracker.Domain.Catalog;

/// <summary>The procedures, regions and steroid drugs a clinic works with, handed in as data.</summary>
public sealed class ProcedureCatalog
{
    private readonly FrozenDictionary<string, ProcedureType> _procedures;
    private readonly FrozenDictionary<string, Region> _regions;
    private readonly FrozenDictionary<string, SteroidDrug> _drugs;

    /// <summary>Creates a catalog. Codes must be unique within each list.</summary>
    /// <exception cref="ArgumentException">A code appears twice.</exception>
    public ProcedureCatalog(IEnumerable<ProcedureType> procedures, IEnumerable<Region> regions, IEnumerable<SteroidDrug> drugs)
    {
        Procedures = procedures.ToArray();
        Regions = regions.ToArray();
        Drugs = drugs.ToArray();
        _procedures = Procedures.ToFrozenDictionary(p => p.Code, StringComparer.Ordinal);
        _regions = Regions.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        _drugs = Drugs.ToFrozenDictionary(d => d.Code, StringComparer.Ordinal);
    }

    /// <summary>All procedure types, in the order given.</summary>
    public IReadOnlyList<ProcedureType> Procedures { get; }

    /// <summary>All regions, in the order given.</summary>
    public IReadOnlyList<Region> Regions { get; }

    /// <summary>All steroid drugs, in the order given.</summary>
    public IReadOnlyList<SteroidDrug> Drugs { get; }

    /// <summary>Finds a procedure type by code (case-sensitive); null when unknown.</summary>
    public ProcedureType? FindProcedure(string code) => _procedures.GetValueOrDefault(code);

    /// <summary>Finds a region by code (case-sensitive); null when unknown.</summary>
    public Region? FindRegion(string code) => _regions.GetValueOrDefault(code);

    /// <summary>Finds a steroid drug by code (case-sensitive); null when unknown.</summary>
    public SteroidDrug? FindDrug(string code) => _drugs.GetValueOrDefault(code);

    /// <summary>
    /// The procedure a billing code stands for. <paramref name="preferred"/> (a procedure code the sender named, e.g. a
    /// FHIR coding of ours) wins when it is in the catalog, since 64490-64495 bill both facet joint injections and medial
    /// branch blocks (whether the code belongs to it is the validator's question); otherwise the first catalog procedure
    /// holding <paramref name="cpt"/>. Null when neither gives one.
    /// </summary>
    public ProcedureType? ForCpt(string? cpt, string? preferred = null)
    {
        if (preferred is not null && FindProcedure(preferred) is { } chosen) return chosen;
        return cpt is null ? null : Procedures.FirstOrDefault(p => p.CptCodes.Contains(cpt));
    }

    /// <summary>The procedure's plain-language name, or its code when it is not in the catalog.</summary>
    public string ProcedureName(string code) => FindProcedure(code)?.Name ?? code;

    /// <summary>The region's plain-language name, or its code when it is not in the catalog.</summary>
    public string RegionName(string code) => FindRegion(code)?.Name ?? code;
}

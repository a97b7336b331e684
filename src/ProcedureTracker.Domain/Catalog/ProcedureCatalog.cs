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

    /// <summary>The procedure's plain-language name, or its code when it is not in the catalog.</summary>
    public string ProcedureName(string code) => FindProcedure(code)?.Name ?? code;

    /// <summary>The region's plain-language name, or its code when it is not in the catalog.</summary>
    public string RegionName(string code) => FindRegion(code)?.Name ?? code;
}

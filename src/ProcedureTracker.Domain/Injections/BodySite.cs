namespace ProcedureTracker.Domain.Injections;

/// <summary>Where an injection was given: a region, a side and optional free text (muscle, spinal level).</summary>
/// <remarks>Two sites are the same site for rules when the regions are equal and the sides overlap
/// (<see cref="LateralityCodes.Overlaps"/>); the free-text detail never changes that, because EHRs spell it inconsistently.</remarks>
public sealed record BodySite
{
    /// <summary>Creates a site.</summary>
    /// <exception cref="ArgumentException">The region is blank.</exception>
    public BodySite(string region, Laterality laterality, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        Region = region;
        Laterality = laterality;
        Detail = string.IsNullOrWhiteSpace(detail) ? null : detail;
    }

    /// <summary>Region code from the catalog.</summary>
    public string Region { get; }

    /// <summary>Side of the body.</summary>
    public Laterality Laterality { get; }

    /// <summary>Optional free text, e.g. "L4-L5" or "left trapezius"; null when absent.</summary>
    public string? Detail { get; }

    /// <summary>True when the regions are equal and the sides overlap.</summary>
    public bool Overlaps(BodySite other) => Region == other.Region && Laterality.Overlaps(other.Laterality);

    /// <summary>"neck (right)", or just "lumbar/sacral spine" when no side applies.</summary>
    public string Describe(string regionName) =>
        Laterality == Laterality.None ? regionName : $"{regionName} ({Laterality.ToCode()})";
}

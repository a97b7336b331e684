namespace ProcedureTracker.Domain.Catalog;

/// <summary>A kind of procedure a clinic performs, with the billing codes (CPT/HCPCS) it is billed under.</summary>
/// <remarks>Codes are data: a clinic adds a procedure type by adding a row to the catalog, not by changing code.</remarks>
public sealed record ProcedureType
{
    /// <summary>Creates a procedure type.</summary>
    /// <exception cref="ArgumentException">The code or name is blank, or no billing code is given.</exception>
    public ProcedureType(string code, string name, IReadOnlyList<string> cptCodes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(cptCodes);
        if (cptCodes.Count == 0) throw new ArgumentException("A procedure type needs at least one billing code.", nameof(cptCodes));
        Code = code;
        Name = name;
        CptCodes = cptCodes;
    }

    /// <summary>Stable machine code, e.g. <c>trigger-point-injection</c>.</summary>
    public string Code { get; }

    /// <summary>Plain-language name a clinician reads, e.g. "Trigger point injection".</summary>
    public string Name { get; }

    /// <summary>The CPT/HCPCS codes this procedure is billed under.</summary>
    public IReadOnlyList<string> CptCodes { get; }

    /// <summary>Value equality: the same code, name and billing codes (in order).</summary>
    public bool Equals(ProcedureType? other) => other is not null && Code == other.Code && Name == other.Name && CptCodes.SequenceEqual(other.CptCodes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Code, Name, CptCodes.Count);
}

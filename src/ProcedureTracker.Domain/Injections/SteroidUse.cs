using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Domain.Injections;

/// <summary>A steroid given with an injection: drug, dose in mg of that drug, and the dose in mg MPE.</summary>
public sealed record SteroidUse
{
    /// <summary>Creates a steroid use.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dose is not positive.</exception>
    public SteroidUse(string drug, decimal doseMg, decimal mpeMg)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(drug);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(doseMg);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mpeMg);
        Drug = drug;
        DoseMg = doseMg;
        MpeMg = mpeMg;
    }

    /// <summary>Drug code from the catalog.</summary>
    public string Drug { get; }

    /// <summary>Dose in mg of the drug itself.</summary>
    public decimal DoseMg { get; }

    /// <summary>Dose in methylprednisolone-equivalent mg.</summary>
    public decimal MpeMg { get; }

    /// <summary>Creates a steroid use, converting the dose to MPE with the drug's factor.</summary>
    public static SteroidUse Of(SteroidDrug drug, decimal doseMg) => new(drug.Code, doseMg, drug.ToMpe(doseMg));
}

namespace ProcedureTracker.Domain.Catalog;

/// <summary>A corticosteroid with its factor to methylprednisolone-equivalent (MPE) milligrams.</summary>
public sealed record SteroidDrug
{
    /// <summary>Creates a drug entry.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor or the maximum dose is not positive.</exception>
    public SteroidDrug(string code, string name, decimal mpeFactor, decimal maxSingleDoseMg)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mpeFactor);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSingleDoseMg);
        Code = code;
        Name = name;
        MpeFactor = mpeFactor;
        MaxSingleDoseMg = maxSingleDoseMg;
    }

    /// <summary>Stable machine code, e.g. <c>triamcinolone</c>.</summary>
    public string Code { get; }

    /// <summary>Plain-language name.</summary>
    public string Name { get; }

    /// <summary>Multiplier from mg of this drug to mg MPE (methylprednisolone 1, triamcinolone 1, dexamethasone 5.33).</summary>
    public decimal MpeFactor { get; }

    /// <summary>The largest single dose (mg of this drug) accepted as plausible; larger doses are rejected as data-entry errors.</summary>
    public decimal MaxSingleDoseMg { get; }

    /// <summary>Converts a dose of this drug to mg MPE, rounded to 0.1 mg.</summary>
    public decimal ToMpe(decimal doseMg) => Math.Round(doseMg * MpeFactor, 1, MidpointRounding.AwayFromZero);
}

namespace ProcedureTracker.Domain.Injections;

/// <summary>Which side of the body an injection was given on.</summary>
public enum Laterality
{
    /// <summary>Midline or not applicable (e.g. an interlaminar epidural).</summary>
    None,
    /// <summary>Left side.</summary>
    Left,
    /// <summary>Right side.</summary>
    Right,
    /// <summary>Both sides; overlaps left and right.</summary>
    Bilateral,
}

/// <summary>Codes and overlap rules for <see cref="Laterality"/>.</summary>
public static class LateralityCodes
{
    /// <summary>The API code: <c>none</c>, <c>left</c>, <c>right</c>, <c>bilateral</c>.</summary>
    public static string ToCode(this Laterality laterality) => laterality switch
    {
        Laterality.Left => "left",
        Laterality.Right => "right",
        Laterality.Bilateral => "bilateral",
        _ => "none",
    };

    /// <summary>Parses an API code (exact, lower case); false when unknown.</summary>
    public static bool TryParse(string? code, out Laterality laterality)
    {
        (laterality, var ok) = code switch
        {
            "left" => (Laterality.Left, true),
            "right" => (Laterality.Right, true),
            "bilateral" => (Laterality.Bilateral, true),
            "none" => (Laterality.None, true),
            _ => (Laterality.None, false),
        };
        return ok;
    }

    /// <summary>
    /// True when two sides overlap: equal sides, bilateral with anything, and midline/none with anything
    /// (a midline procedure reaches both sides, so it is treated as the same site for safety and billing).
    /// Only left and right do not overlap each other.
    /// </summary>
    public static bool Overlaps(this Laterality a, Laterality b) =>
        !((a == Laterality.Left && b == Laterality.Right) || (a == Laterality.Right && b == Laterality.Left));
}

using NodaTime;
using NodaTime.Text;

namespace ProcedureTracker.Domain;

/// <summary>
/// The one rule for text that crosses the boundary (JSON strings and property names, query and route values, headers,
/// CSV cells): no NUL (PostgreSQL cannot store it), no other control characters but tab, CR and LF, and no unpaired
/// UTF-16 surrogates (they cannot be written back as JSON or UTF-8).
/// </summary>
public static class InputText
{
    /// <summary>Why <paramref name="value"/> is refused, or null when it is acceptable.</summary>
    public static string? Problem(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0') return "Text may not contain a NUL character.";
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) return $"Text may not contain the control character U+{(int)c:X4}.";
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                return "Text contains an unpaired UTF-16 surrogate (not valid Unicode).";
            }
            if (char.IsLowSurrogate(c)) return "Text contains an unpaired UTF-16 surrogate (not valid Unicode).";
        }
        return null;
    }

    /// <summary>True when <paramref name="value"/> is null or acceptable.</summary>
    public static bool IsClean(string? value) => value is null || Problem(value) is null;
}

/// <summary>The one parser for dates that clients send: ISO <c>yyyy-MM-dd</c>, years 1900 to 2200.</summary>
public static class DateText
{
    /// <summary>Earliest year accepted.</summary>
    public const int MinYear = 1900;

    /// <summary>Latest year accepted.</summary>
    public const int MaxYear = 2200;

    /// <summary>The message for a date that is not accepted.</summary>
    public const string Message = "Use a real date as yyyy-MM-dd, in the years 1900 to 2200.";

    /// <summary>Parses a year as clients send it: digits only, <see cref="MinYear"/> to <see cref="MaxYear"/>; false otherwise.</summary>
    public static bool TryParseYear(string? text, out int year) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out year)
        && year is >= MinYear and <= MaxYear;

    /// <summary>Parses <paramref name="text"/>; false for anything but a real ISO date in range.</summary>
    public static bool TryParse(string? text, out LocalDate date)
    {
        date = default;
        if (string.IsNullOrEmpty(text) || LocalDatePattern.Iso.Parse(text) is not { Success: true } parsed) return false;
        if (parsed.Value.Year is < MinYear or > MaxYear) return false;
        date = parsed.Value;
        return true;
    }
}

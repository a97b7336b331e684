using NodaTime;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>Window arithmetic shared by the engine and the reports (DOMAIN.md "Rule kinds").</summary>
public static class Windows
{
    /// <summary>
    /// The plan year containing <paramref name="date"/>: from the latest <paramref name="start"/> month-day on or
    /// before the date, to the day before the next one (both inclusive). A 02-29 start falls on 02-28 in common years.
    /// </summary>
    public static DateInterval YearContaining(LocalDate date, AnnualDate start)
    {
        var first = start.InYear(date.Year);
        if (first > date) first = start.InYear(date.Year - 1);
        return new DateInterval(first, start.InYear(first.Year + 1).PlusDays(-1));
    }

    /// <summary>The plan year that starts in <paramref name="year"/>.</summary>
    public static DateInterval YearStartingIn(int year, AnnualDate start) =>
        new(start.InYear(year), start.InYear(year + 1).PlusDays(-1));

    /// <summary>
    /// First day of the rolling 12-month window ending on <paramref name="end"/>: the window is
    /// (end − 1 year, end], so a session on the same month-day one year earlier is outside.
    /// NodaTime's <c>PlusYears(-1)</c> turns Feb 29 into Feb 28, so the window ending 2025-02-28 starts 2024-02-29.
    /// </summary>
    public static LocalDate RollingStart(LocalDate end) => end.PlusYears(-1).PlusDays(1);

    /// <summary>The rolling window ending on <paramref name="end"/>, both ends inclusive.</summary>
    public static DateInterval Rolling(LocalDate end) => new(RollingStart(end), end);

    /// <summary>
    /// The first date whose rolling window no longer contains a session on <paramref name="session"/>
    /// (2025-03-10 for 2024-03-10; 2025-03-01 for 2024-02-29).
    /// </summary>
    public static LocalDate RollingExit(LocalDate session)
    {
        var exit = session.PlusYears(1);
        return RollingStart(exit) <= session ? exit.PlusDays(1) : exit;
    }
}

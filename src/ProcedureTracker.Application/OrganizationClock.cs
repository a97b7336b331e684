using NodaTime;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application;

/// <summary>The one place that knows an organization's time zone and what "today" is there.</summary>
public sealed class OrganizationClock(IClock clock)
{
    /// <summary>The organization's zone (UTC when its stored name is unknown to this tz database).</summary>
    public static DateTimeZone Zone(Organization organization) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(organization.TimeZone) ?? DateTimeZone.Utc;

    /// <summary>Today in the organization's time zone.</summary>
    public LocalDate Today(Organization organization) => clock.GetCurrentInstant().InZone(Zone(organization)).Date;

    /// <summary>Now.</summary>
    public Instant Now => clock.GetCurrentInstant();
}

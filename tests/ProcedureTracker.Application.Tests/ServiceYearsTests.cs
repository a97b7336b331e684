using NodaTime;
using NodaTime.Testing;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.Tests;

/// <summary>The years a recording door accepts follow the service's clock, not the machine's: a record dated next year is
/// taken, one the year after is refused until the clock reaches the new year.</summary>
public class ServiceYearsTests
{
    private static ValidationErrors Validate(ServiceYears years, string date)
    {
        var errors = new ValidationErrors();
        var draft = new InjectionDraft("p-1", new ClinicalDraft("trigger-point-injection", null, "neck", "left", null, null, null, date), null, null, null, null);
        InjectionInput.Validate(draft, DefaultCatalog.Instance, years, InjectionFieldNames.Json, errors);
        return errors;
    }

    [Test]
    public void The_span_of_accepted_years_moves_when_the_clock_reaches_a_new_year()
    {
        var clock = new FakeClock(Instant.FromUtc(2031, 12, 31, 23, 59));
        var years = new ServiceYears(1950, 1, clock);

        Assert.That(Validate(years, "2032-06-01").IsEmpty, Is.True, "next year is accepted");
        var refused = Validate(years, "2033-01-01").ToDictionary();
        Assert.That(refused["dateOfService"], Is.EqualTo(new[] { "A date of service in the years 1950 to 2032 is required." }));
        Assert.That(Validate(years, "1949-12-31").ToDictionary().Keys, Is.EquivalentTo(new[] { "dateOfService" }));

        clock.AdvanceMinutes(1);
        Assert.That(Validate(years, "2033-01-01").IsEmpty, Is.True, "at midnight UTC the next year opens");
    }
}

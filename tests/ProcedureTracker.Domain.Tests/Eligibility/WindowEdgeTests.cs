using NodaTime;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

public class WindowEdgeTests
{
    private static global::ProcedureTracker.Domain.Policies.Policy Cap(int max, RuleWindow window, string planStart = "01-01") =>
        PolicyWith(new AnnualDate(int.Parse(planStart[..2]), int.Parse(planStart[3..])),
            Rule.MaxSessions("cap", [Tpi], RuleScope.Patient, max, window));

    [Test]
    public void Calendar_year_cap_reached_on_Dec_31_frees_on_Jan_1()
    {
        var history = new[] { Rec("2026-02-01"), Rec("2026-05-01"), Rec("2026-08-01"), Rec("2026-11-01") };
        var dec31 = Check(Ask("2026-12-31"), history, Cap(4, RuleWindow.CalendarYear));
        var jan1 = Check(Ask("2027-01-01"), history, Cap(4, RuleWindow.CalendarYear));

        Assert.That(dec31.Eligible, Is.False);
        Assert.That(dec31.EarliestEligibleDate, Is.EqualTo(D("2027-01-01")));
        Assert.That(dec31.Violations.Single().Message, Is.EqualTo(
            "Already 4 trigger point injection sessions in calendar year 2026; the ACME PPO policy allows 4."));
        Assert.That(dec31.Usage.Single(), Is.EqualTo(new ProcedureTracker.Domain.Eligibility.RuleUsage(
            "acme-ppo", "cap", RuleKind.MaxSessions, 4, 4, 0, ProcedureTracker.Domain.Eligibility.UsageUnit.Sessions, D("2026-01-01"), D("2026-12-31"), RuleWindow.CalendarYear)
        { Scope = RuleScope.Patient }));
        Assert.That(jan1.Eligible, Is.True);
        Assert.That(jan1.Usage.Single().Used, Is.EqualTo(0));
    }

    [Test]
    public void Plan_year_from_07_01_splits_Jun_30_from_Jul_1()
    {
        var history = new[] { Rec("2025-08-01"), Rec("2026-01-10") };
        var jun30 = Check(Ask("2026-06-30"), history, Cap(2, RuleWindow.PlanYear, "07-01"));
        var jul1 = Check(Ask("2026-07-01"), history, Cap(2, RuleWindow.PlanYear, "07-01"));

        Assert.That(jun30.Eligible, Is.False);
        Assert.That(jun30.EarliestEligibleDate, Is.EqualTo(D("2026-07-01")));
        Assert.That(jun30.Usage.Single().WindowStart, Is.EqualTo(D("2025-07-01")));
        Assert.That(jun30.Usage.Single().WindowEnd, Is.EqualTo(D("2026-06-30")));
        Assert.That(jul1.Eligible, Is.True);
        Assert.That(jul1.Usage.Single().WindowStart, Is.EqualTo(D("2026-07-01")));
        Assert.That(jul1.Usage.Single().WindowEnd, Is.EqualTo(D("2027-06-30")));
    }

    [Test]
    public void Rolling_window_exactly_one_year_back_is_outside_one_day_less_is_inside()
    {
        var history = new[] { Rec("2025-03-10") };
        var exactlyOneYear = Check(Ask("2026-03-10"), history, Cap(1, RuleWindow.Rolling12Months));
        var oneDayLess = Check(Ask("2026-03-09"), history, Cap(1, RuleWindow.Rolling12Months));

        Assert.That(exactlyOneYear.Eligible, Is.True);
        Assert.That(exactlyOneYear.Usage.Single().WindowStart, Is.EqualTo(D("2025-03-11")));
        Assert.That(oneDayLess.Eligible, Is.False);
        Assert.That(oneDayLess.EarliestEligibleDate, Is.EqualTo(D("2026-03-10")));
    }

    [Test]
    public void Feb_29_session_is_inside_on_Feb_28_and_outside_on_Mar_1_next_year()
    {
        var history = new[] { Rec("2024-02-29") };
        var feb28 = Check(Ask("2025-02-28"), history, Cap(1, RuleWindow.Rolling12Months));
        var mar1 = Check(Ask("2025-03-01"), history, Cap(1, RuleWindow.Rolling12Months));

        Assert.That(feb28.Eligible, Is.False);
        Assert.That(feb28.EarliestEligibleDate, Is.EqualTo(D("2025-03-01")));
        Assert.That(mar1.Eligible, Is.True);
    }

    [Test]
    public void Same_day_injections_form_one_session()
    {
        var history = new[] { Rec("2026-03-02", side: Laterality.Left), Rec("2026-03-02", side: Laterality.Right) };
        var result = Check(Ask("2026-05-01"), history, Cap(2, RuleWindow.CalendarYear));

        Assert.That(result.Usage.Single().Used, Is.EqualTo(1));
        Assert.That(result.Eligible, Is.True);
    }

    [Test]
    public void Another_injection_on_a_day_already_counted_joins_that_session()
    {
        var history = new[] { Rec("2026-03-02"), Rec("2026-04-02") };
        Assert.That(Check(Ask("2026-04-02", side: Laterality.Right), history, Cap(2, RuleWindow.CalendarYear)).Eligible, Is.True);
        Assert.That(Check(Ask("2026-04-03"), history, Cap(2, RuleWindow.CalendarYear)).Eligible, Is.False);
    }

    [Test]
    public void Back_dated_session_is_judged_by_every_rolling_window_containing_it()
    {
        // The window ending on the asked date is empty, but the one ending 2026-09-01 would hold three sessions.
        var history = new[] { Rec("2026-05-01"), Rec("2026-09-01") };
        var result = Check(Ask("2026-01-15"), history, Cap(2, RuleWindow.Rolling12Months));

        Assert.That(result.Eligible, Is.False);
        Assert.That(result.Usage.Single().Used, Is.EqualTo(0));
        Assert.That(result.Violations.Single().ConflictingDates, Is.EqualTo(new[] { D("2026-05-01"), D("2026-09-01") }));
        Assert.That(result.Violations.Single().Message, Does.Contain("the 12 months 2025-09-02 to 2026-09-01"));
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-05-01")), "joining the existing session adds no session");
    }

    [Test]
    public void Voided_records_never_count()
    {
        var history = new[] { Rec("2026-03-01", voided: true), Rec("2026-03-02", voided: true) };
        var result = Check(Ask("2026-03-03"), history, Cap(1, RuleWindow.Rolling12Months));

        Assert.That(result.Eligible, Is.True);
        Assert.That(result.Usage.Single().Used, Is.EqualTo(0));
    }

    [Test]
    public void Uncovered_procedure_has_no_eligible_date()
    {
        var result = Check(Ask("2026-03-03"), [], Cap(0, RuleWindow.Rolling12Months));

        Assert.That(result.Eligible, Is.False);
        Assert.That(result.EarliestEligibleDate, Is.Null);
        Assert.That(result.Violations.Single().PassesOn, Is.Null);
        Assert.That(result.Violations.Single().Message, Is.EqualTo("The ACME PPO policy does not cover trigger point injection sessions."));
    }

    [Test]
    public void Last_session_allowed_gives_a_warning_naming_when_the_next_one_is_allowed()
    {
        var history = new[] { Rec("2026-01-05"), Rec("2026-02-05"), Rec("2026-03-01") };
        var result = Check(Ask("2026-03-10"), history, Cap(4, RuleWindow.CalendarYear));

        Assert.That(result.Eligible, Is.True);
        Assert.That(result.Usage.Single().Remaining, Is.EqualTo(1));
        Assert.That(result.Warnings, Is.EqualTo(new[] { "This is the last trigger point injection session acme-ppo allows until 2027-01-01." }));
    }

    [Test]
    public void Remaining_is_never_shown_below_zero()
    {
        var history = new[] { Rec("2026-01-05"), Rec("2026-02-05"), Rec("2026-03-01") };
        var usage = Check(Ask("2026-03-10"), history, Cap(1, RuleWindow.CalendarYear)).Usage.Single();
        Assert.That((usage.Used, usage.Remaining), Is.EqualTo((3m, 0m)));
    }
}

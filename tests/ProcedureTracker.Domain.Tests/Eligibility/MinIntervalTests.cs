using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

public class MinIntervalTests
{
    private static readonly global::ProcedureTracker.Domain.Policies.Policy Gap7 =
        Policy(Rule.MinInterval("tpi-gap", [Tpi], RuleScope.Site, 7));

    [Test]
    public void Repeat_within_interval_is_refused_with_reason_and_pass_date()
    {
        var result = Check(Ask("2026-03-10", side: Laterality.Right), [Rec("2026-03-05", side: Laterality.Right)], Gap7);

        Assert.That(result.Eligible, Is.False);
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-03-12")));
        var v = result.Violations.Single();
        Assert.That(v.RuleId, Is.EqualTo("tpi-gap"));
        Assert.That(v.ConflictingDates, Is.EqualTo(new[] { D("2026-03-05") }));
        Assert.That(v.PassesOn, Is.EqualTo(D("2026-03-12")));
        Assert.That(v.Message, Is.EqualTo(
            "Trigger point injection at neck (right) on 2026-03-05 is 5 days before; the ACME PPO policy requires 7 days between sessions."));
    }

    [Test]
    public void Repeat_exactly_interval_days_later_passes() =>
        Assert.That(Check(Ask("2026-03-12"), [Rec("2026-03-05")], Gap7).Eligible, Is.True);

    [Test]
    public void Back_dated_record_must_keep_its_distance_from_a_later_one()
    {
        var result = Check(Ask("2026-03-10"), [Rec("2026-03-15")], Gap7);

        Assert.That(result.Eligible, Is.False);
        Assert.That(result.Violations.Single().Message, Does.Contain("2026-03-15 is 5 days after"));
        // The same day as the later session joins it, so that is the first date the interval allows.
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-03-15")));
    }

    [Test]
    public void Same_day_injections_never_break_an_interval() =>
        Assert.That(Check(Ask("2026-03-05", side: Laterality.Right), [Rec("2026-03-05")],
            Policy(Rule.MinInterval("g", [Tpi], RuleScope.Patient, 7))).Eligible, Is.True);

    [TestCase(Laterality.Left, Laterality.Left, false)]
    [TestCase(Laterality.Left, Laterality.Right, true)]
    [TestCase(Laterality.Right, Laterality.Left, true)]
    [TestCase(Laterality.Left, Laterality.Bilateral, false)]
    [TestCase(Laterality.Bilateral, Laterality.Right, false)]
    [TestCase(Laterality.Bilateral, Laterality.Bilateral, false)]
    [TestCase(Laterality.None, Laterality.Left, false)]
    public void Site_scope_compares_overlapping_sides(Laterality recorded, Laterality asked, bool eligible) =>
        Assert.That(Check(Ask("2026-03-08", side: asked), [Rec("2026-03-05", side: recorded)], Gap7).Eligible, Is.EqualTo(eligible));

    [TestCase(RuleScope.Site, "neck", Laterality.Right, true)]
    [TestCase(RuleScope.Region, "neck", Laterality.Right, false)]
    [TestCase(RuleScope.Region, "shoulder", Laterality.Left, true)]
    [TestCase(RuleScope.Patient, "shoulder", Laterality.Left, false)]
    public void Scope_decides_which_sessions_are_compared(RuleScope scope, string region, Laterality side, bool eligible) =>
        Assert.That(Check(Ask("2026-03-08", region: region, side: side), [Rec("2026-03-05")],
            Policy(Rule.MinInterval("g", [Tpi], scope, 7))).Eligible, Is.EqualTo(eligible));

    [Test]
    public void Other_procedures_and_voided_records_do_not_count()
    {
        var history = new[] { Rec("2026-03-05", procedure: Esi), Rec("2026-03-06", voided: true) };
        Assert.That(Check(Ask("2026-03-08"), history, Gap7).Eligible, Is.True);
    }

    [Test]
    public void Wildcard_rule_compares_every_procedure() =>
        Assert.That(Check(Ask("2026-03-08"), [Rec("2026-03-05", procedure: Esi)],
            Policy(Rule.MinInterval("g", [Rule.AnyProcedure], RuleScope.Patient, 7))).Eligible, Is.False);
}

using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;
using static ProcedureTracker.Domain.Tests.Build;

namespace ProcedureTracker.Domain.Tests.Eligibility;

public class SteroidAndInteractionTests
{
    private static readonly global::ProcedureTracker.Domain.Policies.Policy Protocol = new("clinic", "Clinic steroid protocol", new NodaTime.AnnualDate(1, 1), true, D("2020-01-01"),
    [
        Rule.MaxSteroidSessions("steroid-n", [Rule.AnyProcedure], RuleScope.Patient, 2, RuleWindow.Rolling12Months),
        Rule.MaxSteroidDose("steroid-mg", [Rule.AnyProcedure], RuleScope.Patient, 200m, RuleWindow.Rolling12Months),
    ]);

    [Test]
    public void Dose_cap_mixes_drugs_in_methylprednisolone_equivalents()
    {
        var history = new[]
        {
            Rec("2026-01-10", steroid: Steroid("triamcinolone", 80)),
            Rec("2026-02-10", procedure: Esi, region: "lumbar-sacral-spine", steroid: Steroid("dexamethasone", 10)),
        };
        var tooMuch = Check(Ask("2026-03-10", steroid: Steroid("triamcinolone", 80)), history, Protocol);
        var enough = Check(Ask("2026-03-10", steroid: Steroid("triamcinolone", 60)), history, Protocol);

        var mg = tooMuch.Usage.Single(u => u.RuleId == "steroid-mg");
        Assert.That(mg.Used, Is.EqualTo(133.3m));
        Assert.That(mg.Unit, Is.EqualTo(ProcedureTracker.Domain.Eligibility.UsageUnit.MgMpe));
        Assert.That(tooMuch.Eligible, Is.False);
        Assert.That(tooMuch.Violations.Select(v => v.RuleId), Is.EqualTo(new[] { "steroid-n", "steroid-mg" }));
        Assert.That(tooMuch.Violations[1].Message, Is.EqualTo(
            "This dose (80 mg MPE) would bring steroid exposure in the 12 months 2025-03-11 to 2026-03-10 to 213.3 mg MPE; the Clinic steroid protocol policy allows 200 mg."));
        Assert.That(enough.Violations.Select(v => v.RuleId), Is.EqualTo(new[] { "steroid-n" }), "60 mg keeps the dose at 193.3 mg");
    }

    [Test]
    public void Steroid_rules_count_only_steroid_sessions_and_never_refuse_an_injection_without_steroid()
    {
        var history = new[] { Rec("2026-01-10", steroid: Steroid("methylprednisolone", 40)), Rec("2026-02-10"), Rec("2026-02-20", steroid: Steroid("triamcinolone", 40)) };
        var without = Check(Ask("2026-03-10"), history, Protocol);
        var with = Check(Ask("2026-03-10", steroid: Steroid("triamcinolone", 20)), history, Protocol);

        Assert.That(without.Eligible, Is.True);
        Assert.That(without.Usage.Single(u => u.RuleId == "steroid-n").Used, Is.EqualTo(2));
        Assert.That(with.Eligible, Is.False);
        Assert.That(with.EarliestEligibleDate, Is.EqualTo(D("2027-01-10")));
    }

    [Test]
    public void Earliest_date_waits_for_the_rolling_cap_when_the_interval_passes_first()
    {
        var policy = Policy(Rule.MinInterval("gap", [Tpi], RuleScope.Patient, 42),
            Rule.MaxSessions("cap", [Tpi], RuleScope.Patient, 2, RuleWindow.Rolling12Months));
        var result = Check(Ask("2026-03-10"), [Rec("2025-06-01"), Rec("2026-03-01")], policy);

        Assert.That(result.Violations.Single(v => v.RuleId == "gap").PassesOn, Is.EqualTo(D("2026-04-12")));
        Assert.That(result.Violations.Single(v => v.RuleId == "cap").PassesOn, Is.EqualTo(D("2026-06-01")));
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-06-01")));
    }

    [Test]
    public void Earliest_date_waits_for_the_interval_when_the_rolling_cap_passes_first()
    {
        var policy = Policy(Rule.MinInterval("gap", [Tpi], RuleScope.Patient, 60),
            Rule.MaxSessions("cap", [Tpi], RuleScope.Patient, 2, RuleWindow.Rolling12Months));
        var result = Check(Ask("2026-03-10"), [Rec("2025-03-15"), Rec("2026-03-01")], policy);

        Assert.That(result.Violations.Single(v => v.RuleId == "cap").PassesOn, Is.EqualTo(D("2026-03-15")));
        Assert.That(result.Violations.Single(v => v.RuleId == "gap").PassesOn, Is.EqualTo(D("2026-04-30")));
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-04-30")));
    }

    [Test]
    public void A_later_record_can_close_a_gap_that_opened_between_two_rules()
    {
        // From 03-16 the later session (03-20) is within 5 days, so the next allowed date is 03-20 itself (same day joins it).
        var policy = Policy(Rule.MinInterval("gap", [Tpi], RuleScope.Patient, 5));
        var result = Check(Ask("2026-03-12"), [Rec("2026-03-10"), Rec("2026-03-20")], policy);

        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2026-03-15")));
        Assert.That(Check(Ask("2026-03-16"), [Rec("2026-03-10"), Rec("2026-03-20")], policy).EarliestEligibleDate, Is.EqualTo(D("2026-03-20")));
    }

    [Test]
    public void Clinic_protocol_and_plan_are_evaluated_together()
    {
        var plan = Policy(Rule.MaxSessions("cap", [Tpi], RuleScope.Patient, 1, RuleWindow.CalendarYear));
        var history = new[] { Rec("2026-01-10", steroid: Steroid("triamcinolone", 40)), Rec("2026-02-10", procedure: Esi, steroid: Steroid("triamcinolone", 40)) };
        var result = Check(Ask("2026-03-10", steroid: Steroid("triamcinolone", 40)), history, plan, Protocol);

        Assert.That(result.Violations.Select(v => (v.Policy, v.RuleId)),
            Is.EqualTo(new[] { ("acme-ppo", "cap"), ("clinic", "steroid-n") }));
        Assert.That(result.EarliestEligibleDate, Is.EqualTo(D("2027-01-10")));
    }
}

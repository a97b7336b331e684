using NodaTime;
using ProcedureTracker.Application.Eligibility;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.CdsHooks;

/// <summary>One proposed injection read from a CDS Hooks draft order or appointment.</summary>
/// <param name="Procedure">The catalog procedure its CPT code stands for.</param>
/// <param name="Site">Its body site; null when the order has none (appointments), then the patient's latest site of that procedure is judged.</param>
/// <param name="Date">Its date; null means today in the organization's zone.</param>
public sealed record CdsOrder(ProcedureType Procedure, BodySite? Site, LocalDate? Date);

/// <summary>The patient's Coverage as the EHR gave it (prefetched or fetched from its FHIR server), or why there is none.</summary>
/// <param name="Id">The Coverage's id (coverage-information points at it).</param>
/// <param name="Plan">Coverage.class of type plan, as the payer wrote it (its value, else its name); null when the Coverage names none.</param>
/// <param name="Missing">Why no Coverage was read, as a clause ("no Coverage was prefetched and ..."); null when one was.</param>
/// <param name="Words">What names the plan, in the order it is matched: the plan class's value and name, then each
/// payor's display and identifier value.</param>
public sealed record CdsCoverage(string? Id, string? Plan, string? Missing, IReadOnlyList<string>? Words = null)
{
    public static CdsCoverage None(string why) => new(null, null, why);
}

/// <summary>The answer for one order.</summary>
/// <param name="Order">The order as read.</param>
/// <param name="Proposal">What was judged (site and date filled in).</param>
/// <param name="Result">The engine's answer, with a warning for anything not checked.</param>
/// <param name="PayerPlan">The Coverage's plan when this clinic has it and the answer was judged under it: the payer answer
/// coverage-information may give; null when the answer is the clinic's own (coverage-information then says conditional).</param>
/// <param name="NotChecked">Why the payer's limits were not (all) checked, in a sentence; null when they were.</param>
public sealed record CdsOrderAnswer(CdsOrder Order, ProposedInjection Proposal, EligibilityResult Result, string? PayerPlan, string? NotChecked);

/// <summary>
/// Judges each order of a CDS Hooks call under the patient's Coverage, and decides what the answer may claim. An order
/// with no site takes the site of the patient's latest injection of that procedure (skipped when there is none). A
/// Coverage plan this clinic has is the plan judged; otherwise (no Coverage, no plan in it, or a payer's plan the clinic
/// does not keep, however it is spelt) the order is judged as if no plan were named (the patient's latest plan, else the
/// clinic protocols), never refused, and the answer says what was not checked.
/// </summary>
public sealed class EvaluateCdsOrders(CheckEligibility check, InjectionStore injections, ProcedureTracker.Application.Policies.PlanNames planNames,
    OrganizationClock clock)
{
    public async Task<IReadOnlyList<CdsOrderAnswer>> RunAsync(Caller caller, string patientId, CdsCoverage coverage, IReadOnlyList<CdsOrder> orders,
        CancellationToken ct)
    {
        var answers = new List<CdsOrderAnswer>();
        IReadOnlyList<InjectionRow>? history = null;
        var plan = await PlanOfAsync(caller, coverage, ct);
        foreach (var order in orders)
        {
            var site = order.Site;
            if (site is null)
            {
                history ??= await injections.ListAsync(caller.Organization.Id, patientId, includeVoided: false, ct) ?? [];
                var latest = history.LastOrDefault(r => r.Procedure == order.Procedure.Code);
                if (latest is null) continue;
                site = latest.ToRecord().Site;
            }
            var proposal = new ProposedInjection(order.Procedure.Code, site, null, order.Date ?? clock.Today(caller.Organization));
            var outcome = await check.RunAsync(caller, patientId, plan, proposal, ct);
            if (outcome is CheckOutcome.UnknownPlan)
            {
                plan = null;
                outcome = await check.RunAsync(caller, patientId, null, proposal, ct);
            }
            var result = ((CheckOutcome.Answered)outcome).Result;
            var notChecked = NotChecked(coverage, plan, result.Plan);
            answers.Add(new CdsOrderAnswer(order, proposal, notChecked is null ? result : result.WithUncheckedOnly(notChecked),
                plan is not null && result.Plan == plan ? plan : null, notChecked));
        }
        return answers;
    }

    /// <summary>
    /// The clinic's plan the Coverage names: the first of its words (plan value, plan name, payor) that is a policy's code
    /// or alias, ignoring case ("Medicare Part B" for a policy listing that alias); null when none is.
    /// </summary>
    private async Task<string?> PlanOfAsync(Caller caller, CdsCoverage coverage, CancellationToken ct)
    {
        var words = coverage.Words ?? (coverage.Plan is { } p ? [p] : []);
        if (words.Count == 0) return null;
        var planOf = await planNames.ForAsync(caller, ct);
        return words.Select(planOf).FirstOrDefault(c => c is not null);
    }

    /// <summary>What the answer could not check about the payer, given the Coverage and the plan actually judged.</summary>
    private static string? NotChecked(CdsCoverage coverage, string? clinicPlan, string? judgedUnder)
    {
        if (clinicPlan is not null) return null;
        var why = coverage.Missing is { } missing ? missing
            : coverage.Plan is null ? "the patient's Coverage names no plan (Coverage.class of type plan)"
            : $"the Coverage plan '{coverage.Plan}' is not a plan this clinic has";
        return judgedUnder is null
            ? $"The payer's limits were not checked: {why}."
            : $"The payer's limits are not confirmed: {why}; judged under {judgedUnder}, the plan of the patient's latest injection.";
    }
}

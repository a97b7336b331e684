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

/// <summary>The answer for one order.</summary>
/// <param name="Order">The order as read.</param>
/// <param name="Proposal">What was judged (site and date filled in).</param>
/// <param name="Result">The engine's answer, with warnings for anything not checked.</param>
/// <param name="Plan">The Coverage plan when the organization has it (the plan payer answers may be attributed to); else null.</param>
public sealed record CdsOrderAnswer(CdsOrder Order, ProposedInjection Proposal, EligibilityResult Result, string? Plan);

/// <summary>
/// Judges each order of a CDS Hooks call under the Coverage plan. An order with no site takes the site of the patient's
/// latest injection of that procedure (skipped when there is none); an unknown Coverage plan is judged as if none had
/// been named (the patient's latest plan, else the clinic protocols) and the answer says the Coverage plan was not found.
/// </summary>
public sealed class EvaluateCdsOrders(CheckEligibility check, InjectionStore injections, OrganizationClock clock)
{
    public async Task<IReadOnlyList<CdsOrderAnswer>> RunAsync(Caller caller, string patientId, string? coveragePlan, IReadOnlyList<CdsOrder> orders,
        CancellationToken ct)
    {
        var answers = new List<CdsOrderAnswer>();
        IReadOnlyList<InjectionRow>? history = null;
        var plan = coveragePlan;    // becomes null for every order once the clinic turns out not to have it
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
            if (plan is null && coveragePlan is not null)
                result = result.WithUnchecked($"The Coverage plan '{coveragePlan}' is not a plan this clinic has: its limits were not checked.");
            answers.Add(new CdsOrderAnswer(order, proposal, result, plan));
        }
        return answers;
    }
}

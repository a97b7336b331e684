using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>What a check needs: the plan it is judged under, every policy version it can meet, and the patient's history within reach of them.</summary>
/// <param name="PlanExists">False when a plan was named that the organization does not have.</param>
/// <param name="Plan">The plan judged under: the named one, else the plan of the patient's latest injection that has one; null when neither.</param>
/// <param name="PlanInferred">True when no plan was named and <paramref name="Plan"/> came from the patient's latest injection.</param>
/// <param name="Policies">Every version of the plan and of each always-apply policy that governs some day from the date to two years later.</param>
/// <param name="History">Non-voided records the rules can reach from those days, by date.</param>
public sealed record EligibilityContext(bool PlanExists, string? Plan, bool PlanInferred, IReadOnlyList<Policy> Policies, IReadOnlyList<InjectionRecord> History);

using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Eligibility;

public sealed record SiteRequest(string? Region, string? Laterality, string? Detail);
public sealed record SteroidRequest(string? Drug, decimal? DoseMg);

public sealed record EligibilityRequest(string? PatientId, string? Procedure, string? CptCode, SiteRequest? Site, SteroidRequest? Steroid,
    string? Date, string? Plan);

public sealed record ViolationDto(string Policy, string RuleId, string Kind, string Message, IReadOnlyList<LocalDate> ConflictingDates, LocalDate? PassesOn);

public sealed record UsageDto(string Policy, string RuleId, string Kind, decimal Used, decimal Limit, decimal Remaining, string Unit,
    LocalDate WindowStart, LocalDate WindowEnd, string Window);

public sealed record EligibilityResponse(bool Eligible, LocalDate Date, LocalDate? EarliestEligibleDate, IReadOnlyList<ViolationDto> Violations,
    IReadOnlyList<UsageDto> Usage, IReadOnlyList<string> Warnings, string? Plan, IReadOnlyList<string> PoliciesChecked);

public static class EligibilityMapping
{
    public static EligibilityResponse ToResponse(this EligibilityResult r) => new(r.Eligible, r.Date, r.EarliestEligibleDate,
        r.Violations.Select(v => new ViolationDto(v.Policy, v.RuleId, v.Kind.ToCode(), v.Message, v.ConflictingDates, v.PassesOn)).ToList(),
        r.Usage.Select(u => new UsageDto(u.Policy, u.RuleId, u.Kind.ToCode(), u.Used, u.Limit, u.Remaining, u.Unit.ToCode(), u.WindowStart, u.WindowEnd, u.Window.ToCode())).ToList(),
        r.Warnings, r.Plan, r.PoliciesChecked);
}

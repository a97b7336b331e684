using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Policies;

public sealed record PolicyRequest(string? Name, string? PlanYearStart, bool? AlwaysApply, string? EffectiveFrom, List<RuleRequest?>? Rules)
{
    public PolicyDraft ToDraft() => new(Name, PlanYearStart, AlwaysApply, EffectiveFrom,
        Rules?.Select(r => r is null ? null : new RuleDraft(r.Id, r.Kind, r.Procedures, r.Scope, r.Days, r.Max, r.MaxMpeMg, r.Window)).ToList());
}

public sealed record RuleRequest(string? Id, string? Kind, List<string?>? Procedures, string? Scope, int? Days, int? Max, decimal? MaxMpeMg, string? Window);

public sealed record RuleDto(string Id, string Kind, IReadOnlyList<string> Procedures, string Scope, int? Days, int? Max, decimal? MaxMpeMg, string? Window);

public sealed record PolicyResponse(string Code, string Name, string PlanYearStart, bool AlwaysApply, LocalDate? EffectiveFrom, int Version,
    Instant CreatedAt, IReadOnlyList<RuleDto> Rules);

public static class PolicyMapping
{
    public static PolicyResponse ToResponse(this PolicyVersion version)
    {
        var p = version.Policy;
        return new PolicyResponse(p.Code, p.Name, AnnualDatePattern.Iso.Format(p.PlanYearStart), p.AlwaysApply, p.EffectiveFrom, version.Version,
            version.CreatedAt, p.Rules.Select(r => new RuleDto(r.Id, r.Kind.ToCode(), r.Procedures, r.Scope.ToCode(), r.Days, r.Max, r.MaxMpeMg,
                r.Window?.ToCode())).ToList());
    }
}

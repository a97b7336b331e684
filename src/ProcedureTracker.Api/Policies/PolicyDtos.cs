using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Policies;

/// <summary>
/// A policy version as PUT takes it. <c>code</c>, <c>version</c> and <c>createdAt</c> are the read-only members of the
/// answer, accepted so that a GET's answer can be edited and PUT back (<c>code</c> must then match the URL's).
/// </summary>
public sealed record PolicyRequest(string? Name, string? PlanYearStart, bool? AlwaysApply, string? EffectiveFrom, List<RuleRequest?>? Rules,
    string? Code = null, int? Version = null, string? CreatedAt = null, List<string?>? Aliases = null)
{
    public PolicyDraft ToDraft() => new(Name, PlanYearStart, AlwaysApply, EffectiveFrom,
        Rules?.Select(r => r is null ? null : new RuleDraft(r.Id, r.Kind, r.Procedures, r.Scope, r.Days, r.Max, r.MaxMpeMg, r.Window)).ToList(), Aliases);
}

public sealed record RuleRequest(string? Id, string? Kind, List<string?>? Procedures, string? Scope, int? Days, int? Max, decimal? MaxMpeMg, string? Window);

public sealed record RuleDto(string Id, string Kind, IReadOnlyList<string> Procedures, string Scope, int? Days, int? Max, decimal? MaxMpeMg, string? Window);

public sealed record PolicyResponse(string Code, string Name, string PlanYearStart, bool AlwaysApply, LocalDate? EffectiveFrom, int Version,
    Instant CreatedAt, IReadOnlyList<RuleDto> Rules, IReadOnlyList<string> Aliases);

public static class PolicyMapping
{
    public static PolicyResponse ToResponse(this PolicyVersion version)
    {
        var p = version.Policy;
        return new PolicyResponse(p.Code, p.Name, AnnualDatePattern.Iso.Format(p.PlanYearStart), p.AlwaysApply, p.EffectiveFrom, version.Version,
            version.CreatedAt, p.Rules.Select(r => new RuleDto(r.Id, r.Kind.ToCode(), r.Procedures, r.Scope.ToCode(), r.Days, r.Max, r.MaxMpeMg,
                r.Window?.ToCode())).ToList(), p.Aliases);
    }
}

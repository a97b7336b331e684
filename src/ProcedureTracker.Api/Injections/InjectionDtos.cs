using ProcedureTracker.Api.Eligibility;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Injections;

public sealed record OverrideRequest(string? Reason, string? PriorAuthorization);

public sealed record RecordInjectionRequest(string? Procedure, string? CptCode, SiteRequest? Site, SteroidRequest? Steroid, string? DateOfService,
    string? Plan, string? ExternalId, string? ProviderId, string? ImageGuidance, OverrideRequest? Override, Guid? Supersedes, int? Levels = null)
{
    public ClinicalDraft ToClinicalDraft() => new(Procedure, CptCode, Site?.Region, Site?.Laterality, Site?.Detail, Steroid?.Drug, Steroid?.DoseMg, DateOfService,
        Levels);
}

public sealed record VoidRequest(string? Reason);

public sealed record SiteDto(string Region, string Laterality, string? Detail);
public sealed record SteroidDto(string Drug, decimal DoseMg, decimal MpeMg);
public sealed record OverrideDto(string? Reason, string? PriorAuthorization);
public sealed record VoidedDto(Instant At, Guid? By, string Reason);

public sealed record InjectionResponse(Guid Id, string PatientId, string Procedure, string? CptCode, SiteDto Site, SteroidDto? Steroid,
    LocalDate DateOfService, int Levels, string? Plan, string? ExternalId, string? ProviderId, string? ImageGuidance, OverrideDto? Override, bool Overridden,
    Guid? Supersedes, Guid? SupersededBy, Instant RecordedAt, bool Voided, VoidedDto? Void, EligibilityResponse? Eligibility);

public sealed record InjectionListResponse(string PatientId, IReadOnlyList<InjectionResponse> Injections);

public static class InjectionMapping
{
    public static InjectionResponse ToResponse(this InjectionRow r, EligibilityResponse? eligibility = null) => new(
        r.Id, r.PatientId, r.Procedure, r.CptCode, new SiteDto(r.Region, r.Laterality, r.SiteDetail),
        r.SteroidDrug is null ? null : new SteroidDto(r.SteroidDrug, r.SteroidDoseMg!.Value, r.SteroidMpeMg!.Value),
        r.DateOfService, r.Levels, r.Plan, r.ExternalId, r.ProviderId, r.ImageGuidance,
        r.OverrideReason is null && r.PriorAuthorization is null ? null : new OverrideDto(r.OverrideReason, r.PriorAuthorization),
        r.Overridden, r.Supersedes, r.SupersededBy, r.RecordedAt, r.VoidedAt is not null,
        r.VoidedAt is { } at ? new VoidedDto(at, r.VoidedBy, r.VoidReason!) : null, eligibility);
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Data.Injections;

/// <summary>An injections row as stored, with the patient's external id.</summary>
public sealed class InjectionRow
{
    /// <summary>The columns the rules read (<see cref="ToRecord"/>), aliased for Dapper; <c>i</c> is <c>injections</c>.</summary>
    public const string HistoryColumns = """
        i.id, i.procedure, i.region, i.laterality, i.site_detail as SiteDetail, i.steroid_drug as SteroidDrug,
        i.steroid_dose_mg as SteroidDoseMg, i.steroid_mpe_mg as SteroidMpeMg, i.date_of_service as DateOfService, i.voided_at as VoidedAt
        """;

    internal const string Columns = """
        i.id, p.external_id as PatientId, i.procedure, i.cpt_code as CptCode, i.region, i.laterality, i.site_detail as SiteDetail,
        i.steroid_drug as SteroidDrug, i.steroid_dose_mg as SteroidDoseMg, i.steroid_mpe_mg as SteroidMpeMg,
        i.date_of_service as DateOfService, i.plan, i.external_id as ExternalId, i.provider_id as ProviderId,
        i.image_guidance as ImageGuidance, i.override_reason as OverrideReason, i.prior_authorization as PriorAuthorization,
        i.overridden, i.supersedes, i.superseded_by as SupersededBy, i.content_hash as ContentHash, i.recorded_at as RecordedAt,
        i.recorded_by as RecordedBy, i.voided_at as VoidedAt, i.voided_by as VoidedBy, i.void_reason as VoidReason, i.levels
        """;

    public Guid Id { get; init; }
    public string PatientId { get; init; } = "";
    public string Procedure { get; init; } = "";
    public string? CptCode { get; init; }
    public string Region { get; init; } = "";
    public string Laterality { get; init; } = "none";
    public string? SiteDetail { get; init; }
    public string? SteroidDrug { get; init; }
    public decimal? SteroidDoseMg { get; init; }
    public decimal? SteroidMpeMg { get; init; }
    public LocalDate DateOfService { get; init; }
    public string? Plan { get; init; }
    public string? ExternalId { get; init; }
    public string? ProviderId { get; init; }
    public string? ImageGuidance { get; init; }
    public int Levels { get; init; } = 1;
    public string? OverrideReason { get; init; }
    public string? PriorAuthorization { get; init; }
    public bool Overridden { get; init; }
    public Guid? Supersedes { get; init; }
    public Guid? SupersededBy { get; init; }
    public byte[] ContentHash { get; init; } = [];
    public Instant RecordedAt { get; init; }
    public Guid? RecordedBy { get; init; }
    public Instant? VoidedAt { get; init; }
    public Guid? VoidedBy { get; init; }
    public string? VoidReason { get; init; }

    /// <summary>
    /// The patient's latest plan as <c>patients.latest_plan</c> keeps it (the SQL copy of <see cref="QuestionPlan.Latest"/>),
    /// set only by reads that join it (the near-a-cap report, which reads one year of history, not all of it).
    /// </summary>
    public string? PatientLatestPlan { get; init; }

    /// <summary>The record as the plan rule sees it.</summary>
    public PlannedRecord ToPlanned() => new(Id, DateOfService, RecordedAt, Plan, VoidedAt is not null);

    /// <summary>The record as the rules see it.</summary>
    public InjectionRecord ToRecord()
    {
        LateralityCodes.TryParse(Laterality, out var side);
        var steroid = SteroidDrug is null ? null : new SteroidUse(SteroidDrug, SteroidDoseMg!.Value, SteroidMpeMg!.Value);
        return new InjectionRecord(Id, Procedure, new BodySite(Region, side, SiteDetail), steroid, DateOfService, VoidedAt is not null);
    }
}

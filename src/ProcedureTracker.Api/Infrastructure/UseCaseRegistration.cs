using ProcedureTracker.Application.CdsHooks;
using ProcedureTracker.Application.Eligibility;
using ProcedureTracker.Application.Imports;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Application.Keys;
using ProcedureTracker.Application.Policies;
using ProcedureTracker.Application.Reports;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>Registers every use case (stateless singletons over the stores and the engine).</summary>
public static class Registration
{
    public static IServiceCollection AddUseCases(this IServiceCollection services) => services
        .AddSingleton<OrganizationClock>()
        .AddSingleton<ProcedureTracker.Application.Audit.ReadAuditTrail>()
        .AddSingleton<CheckEligibility>()
        .AddSingleton<RecordInjection>()
        .AddSingleton<SupersedeInjection>()
        .AddSingleton<VoidInjection>()
        .AddSingleton<ListHistory>()
        .AddSingleton<PatientStanding>()
        .AddSingleton<ImportHistory>()
        .AddSingleton<YearlyCounts>()
        .AddSingleton<ApproachingLimits>()
        .AddSingleton<EvaluateCdsOrders>()
        .AddSingleton<RecordCdsFeedback>()
        .AddSingleton<PutPolicy>()
        .AddSingleton<ReadPolicies>()
        .AddSingleton<CreateApiKey>()
        .AddSingleton<ManageApiKeys>()
        .AddSingleton<ProcedureTracker.Application.Organizations.ManageOrganizations>()
        .AddSingleton<ProcedureTracker.Data.Organizations.StaffStore>()
        .AddSingleton<ProcedureTracker.Application.Staff.StaffAccounts>();
}

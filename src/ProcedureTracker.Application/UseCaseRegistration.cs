using Microsoft.Extensions.DependencyInjection;
using ProcedureTracker.Application.Audit;
using ProcedureTracker.Application.CdsHooks;
using ProcedureTracker.Application.Eligibility;
using ProcedureTracker.Application.Imports;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Application.Keys;
using ProcedureTracker.Application.Organizations;
using ProcedureTracker.Application.Policies;
using ProcedureTracker.Application.Reports;
using ProcedureTracker.Application.Staff;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Imports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Data.Reports;
using ProcedureTracker.Data.Web;

namespace ProcedureTracker.Application;

/// <summary>
/// Registers the stores and every use case (stateless singletons). The host adds what only it knows: the
/// <see cref="TrackerDatabase"/>, the <c>IClock</c>, the catalog and engine, <see cref="ServiceYears"/> and
/// <see cref="ImportSettings"/>; it runs <see cref="ImportWorker"/> as a hosted service.
/// </summary>
public static class UseCaseRegistration
{
    public static IServiceCollection AddTrackerUseCases(this IServiceCollection services) => services
        .AddSingleton<PolicyStore>()
        .AddSingleton<OrganizationStore>()
        .AddSingleton<InjectionStore>()
        .AddSingleton<ReportStore>()
        .AddSingleton<ImportStore>()
        .AddSingleton<ImportJobStore>()
        .AddSingleton<ReadAudit>()
        .AddSingleton<AuditStore>()
        .AddSingleton<StaffStore>()
        .AddSingleton<FormSubmissionStore>()
        .AddSingleton<OrganizationClock>()
        .AddSingleton<ReadAuditTrail>()
        .AddSingleton<CheckEligibility>()
        .AddSingleton<RecordInjection>()
        .AddSingleton<SupersedeInjection>()
        .AddSingleton<VoidInjection>()
        .AddSingleton<ListHistory>()
        .AddSingleton<SearchProcedures>()
        .AddSingleton<PatientStanding>()
        .AddSingleton<ImportHistory>()
        .AddSingleton<ImportFile>()
        .AddSingleton<ImportJobs>()
        .AddSingleton<ImportGate>()
        .AddSingleton<YearlyCounts>()
        .AddSingleton<ApproachingLimits>()
        .AddSingleton<EvaluateCdsOrders>()
        .AddSingleton<RecordCdsFeedback>()
        .AddSingleton<PutPolicy>()
        .AddSingleton<PlanNames>()
        .AddSingleton<ReadPolicies>()
        .AddSingleton<CreateApiKey>()
        .AddSingleton<ManageApiKeys>()
        .AddSingleton<ManageOrganizations>()
        .AddSingleton<StaffAccounts>();
}

using ProcedureTracker.Application.Eligibility;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Eligibility;

/// <summary>The JSON door to the eligibility question.</summary>
public static class EligibilityEndpoints
{
    private static readonly ClinicalFieldNames Names = ClinicalFieldNames.Json with { Date = "date" };

    public static void MapEligibility(this IEndpointRouteBuilder v1) =>
        v1.MapPost("/eligibility", Check)
            .WithName("checkEligibility").WithSummary("May this injection be given on this date?")
            .WithDescription("Allowed or not, every violated rule with its reason and passing date, usage of each counting rule, the exact earliest eligible date, and warnings (last allowed session, what was not checked).").WithTags("Eligibility").RequireAuthorization(Permission.Read);

    private static async Task<Results<Ok<EligibilityResponse>, ValidationProblem>> Check(EligibilityRequest? request, Caller caller,
        CheckEligibility check, ProcedureCatalog catalog, CancellationToken ct)
    {
        if (request is null) return Problems.Invalid("body", "A JSON body is required.");
        var errors = new ValidationErrors();
        InjectionInput.PatientId(request.PatientId, "patientId", errors);
        InjectionInput.Plan(request.Plan, "plan", errors);
        var clinical = InjectionValidator.Validate(new ClinicalDraft(request.Procedure, request.CptCode, request.Site?.Region, request.Site?.Laterality,
            request.Site?.Detail, request.Steroid?.Drug, request.Steroid?.DoseMg, request.Date), catalog, Names, errors);
        if (clinical is null || !errors.IsEmpty) return Problems.Invalid(errors);

        var proposal = new ProposedInjection(clinical.Procedure.Code, clinical.Site, clinical.Steroid, clinical.Date);
        return await check.RunAsync(caller, request.PatientId!, request.Plan, proposal, ct) switch
        {
            CheckOutcome.Answered a => TypedResults.Ok(a.Result.ToResponse()),
            var unknown => Problems.Invalid("plan", $"Unknown plan '{((CheckOutcome.UnknownPlan)unknown).Plan}'."),
        };
    }
}

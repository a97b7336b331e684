using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Api.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Eligibility;

public static class EligibilityEndpoints
{
    private static readonly ClinicalFieldNames Names = ClinicalFieldNames.Json with { Date = "date" };

    public static void MapEligibility(this IEndpointRouteBuilder v1) =>
        v1.MapPost("/eligibility", Check).WithTags("Eligibility").RequireAuthorization(Roles.Read);

    private static async Task<Results<Ok<EligibilityResponse>, ValidationProblem>> Check(EligibilityRequest? request, ClaimsPrincipal user,
        InjectionStore injections, ProcedureCatalog catalog, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (request is null) return Problems.Invalid("body", "A JSON body is required.");
        InjectionRequestValidation.PatientId(request.PatientId, "patientId", errors);
        InjectionRequestValidation.Plan(request.Plan, errors);
        var clinical = InjectionValidator.Validate(new ClinicalDraft(request.Procedure, request.CptCode, request.Site?.Region, request.Site?.Laterality,
            request.Site?.Detail, request.Steroid?.Drug, request.Steroid?.DoseMg, request.Date), catalog, Names, errors);
        if (clinical is null || !errors.IsEmpty) return Problems.Invalid(errors);

        var caller = ApiKeyAuthentication.CallerOf(user);
        var proposal = new ProposedInjection(clinical.Procedure.Code, clinical.Site, clinical.Steroid, clinical.Date);
        var (planExists, result) = await injections.CheckAsync(caller.Organization.Id, request.PatientId!, request.Plan, proposal, ct);
        if (!planExists) return Problems.Invalid("plan", $"Unknown plan '{request.Plan}'.");
        return TypedResults.Ok(result.ToResponse());
    }
}

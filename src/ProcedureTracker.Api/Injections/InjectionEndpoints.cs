using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProcedureTracker.Api.Eligibility;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Injections;

public static class InjectionEndpoints
{
    public static void MapInjections(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/patients/{patientId}/injections").WithTags("Injections");
        group.MapPost("/", Record).RequireAuthorization(Roles.Record);
        group.MapGet("/", List).RequireAuthorization(Roles.Read);
        group.MapPost("/{id:guid}/void", Void).RequireAuthorization(Roles.Void);
    }

    private static async Task<Results<Created<InjectionResponse>, Ok<InjectionResponse>, ValidationProblem, ProblemHttpResult>> Record(
        string patientId, RecordInjectionRequest? request, ClaimsPrincipal user, InjectionStore injections, ProcedureCatalog catalog, CancellationToken ct)
    {
        if (request is null) return Problems.Invalid("body", "A JSON body is required.");
        var errors = new ValidationErrors();
        InjectionRequestValidation.PatientId(patientId, "patientId", errors);
        InjectionRequestValidation.Plan(request.Plan, errors);
        InjectionRequestValidation.Text(request.ExternalId, "externalId", 200, errors);
        InjectionRequestValidation.Text(request.ProviderId, "providerId", 64, errors);
        if (request.ImageGuidance is not null && !InjectionRequestValidation.ImageGuidance.Contains(request.ImageGuidance))
            errors.Add("imageGuidance", $"Use one of: {string.Join(", ", InjectionRequestValidation.ImageGuidance)}.");
        if (request.Override is { } o)
        {
            if (string.IsNullOrWhiteSpace(o.Reason) && string.IsNullOrWhiteSpace(o.PriorAuthorization))
                errors.Add("override.reason", "An override needs a documented reason or a prior-authorization number.");
            InjectionRequestValidation.Text(o.Reason, "override.reason", 1000, errors);
            InjectionRequestValidation.Text(o.PriorAuthorization, "override.priorAuthorization", 100, errors);
        }
        var clinical = InjectionValidator.Validate(new ClinicalDraft(request.Procedure, request.CptCode, request.Site?.Region, request.Site?.Laterality,
            request.Site?.Detail, request.Steroid?.Drug, request.Steroid?.DoseMg, request.DateOfService), catalog, ClinicalFieldNames.Json, errors);
        if (clinical is null || !errors.IsEmpty) return Problems.Invalid(errors);

        var caller = ApiKeyAuthentication.CallerOf(user);
        var injection = new NewInjection(patientId, clinical, request.Plan, request.ExternalId, request.ProviderId, request.ImageGuidance,
            Blank(request.Override?.Reason), Blank(request.Override?.PriorAuthorization), request.Supersedes);
        return await injections.RecordAsync(caller.Organization.Id, injection, caller.KeyId, ct) switch
        {
            RecordOutcome.Created c => TypedResults.Created($"/v1/patients/{patientId}/injections/{c.Injection.Id}",
                c.Injection.ToResponse(c.Eligibility.ToResponse())),
            RecordOutcome.Replayed r => TypedResults.Ok(r.Injection.ToResponse()),
            RecordOutcome.Refused f => TypedResults.Problem(
                $"Not eligible: {string.Join(" ", f.Eligibility.Violations.Select(v => v.Message))} Nothing was stored; send an override to record it anyway.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "The injection breaks a limit",
                extensions: new Dictionary<string, object?> { ["eligibility"] = f.Eligibility.ToResponse() }),
            RecordOutcome.Invalid i => Problems.Invalid(i.Field, i.Message),
            RecordOutcome.Conflict c => Problems.Conflict(c.Detail),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}."),
        };
    }

    private static async Task<Results<Ok<InjectionListResponse>, ValidationProblem, ProblemHttpResult>> List(string patientId, bool? includeVoided,
        ClaimsPrincipal user, InjectionStore injections, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!InjectionRequestValidation.PatientId(patientId, "patientId", errors)) return Problems.Invalid(errors);
        var caller = ApiKeyAuthentication.CallerOf(user);
        var rows = await injections.ListAsync(caller.Organization.Id, patientId, includeVoided ?? false, ct);
        return rows is null
            ? Problems.NotFound($"No patient '{patientId}'.")
            : TypedResults.Ok(new InjectionListResponse(patientId, rows.Select(r => r.ToResponse()).ToList()));
    }

    private static async Task<Results<Ok<InjectionResponse>, ValidationProblem, ProblemHttpResult>> Void(string patientId, Guid id, VoidRequest? request,
        ClaimsPrincipal user, InjectionStore injections, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        InjectionRequestValidation.PatientId(patientId, "patientId", errors);
        if (string.IsNullOrWhiteSpace(request?.Reason)) errors.Add("reason", "A reason is required to void an injection.");
        else InjectionRequestValidation.Text(request.Reason, "reason", 1000, errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var caller = ApiKeyAuthentication.CallerOf(user);
        var (outcome, row) = await injections.VoidAsync(caller.Organization.Id, patientId, id, request!.Reason!.Trim(), caller.KeyId, ct);
        return outcome switch
        {
            VoidOutcome.Voided => TypedResults.Ok(row!.ToResponse()),
            VoidOutcome.AlreadyVoided => Problems.Conflict($"Injection {id} is already voided."),
            _ => Problems.NotFound($"No injection {id} for patient '{patientId}'."),
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

using ProcedureTracker.Api.Eligibility;
using ProcedureTracker.Application.Injections;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Injections;

/// <summary>The JSON door to recording, listing, voiding and superseding injections: maps JSON to the use cases and back.</summary>
public static class InjectionEndpoints
{
    public static void MapInjections(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/patients/{patientId}/injections").WithTags("Injections");
        group.MapPost("/", Record)
            .WithName("recordInjection").WithSummary("Record an injection")
            .WithDescription("Checks and stores in one atomic step. Over a limit: 422 with the eligibility answer, unless an override reason or prior authorization is given. A repeated externalId returns the first record (200) or 409. With supersedes, voids that record and stores this corrected one.")
            .WithMetadata(new DocumentedError(409, "externalId used with different content, or the superseded record is voided"))
            .WithMetadata(new DocumentedError(422, "Breaks a limit; the body carries the eligibility answer")).RequireAuthorization(Permission.Record);
        group.MapGet("/", List)
            .WithName("listInjections").WithSummary("A patient's injections")
            .WithDescription("By date; includeVoided=true adds voided records.").RequireAuthorization(Permission.Read);
        group.MapPost("/{id:guid}/void", Void)
            .WithName("voidInjection").WithSummary("Void an injection")
            .WithDescription("The record stops counting and stays in the history; who, when and why are audited.")
            .WithMetadata(new DocumentedError(409, "Already voided")).RequireAuthorization(Permission.Void);
    }

    private static async Task<Results<Created<InjectionResponse>, Ok<InjectionResponse>, ValidationProblem, ProblemHttpResult>> Record(
        string patientId, RecordInjectionRequest? request, Caller caller, RecordInjection record, SupersedeInjection supersede,
        ProcedureCatalog catalog, ServiceYears years, CancellationToken ct)
    {
        if (request is null) return Problems.Invalid("body", "A JSON body is required.");
        var errors = new ValidationErrors();
        var draft = new InjectionDraft(patientId, request.ToClinicalDraft(), request.Plan, request.ExternalId, request.ProviderId, request.ImageGuidance,
            request.Override is not null, request.Override?.Reason, request.Override?.PriorAuthorization);
        if (InjectionInput.Validate(draft, catalog, years, InjectionFieldNames.Json, errors) is not { } injection) return Problems.Invalid(errors);
        var outcome = request.Supersedes is { } old
            ? await supersede.RunAsync(caller, old, injection, ct)
            : await record.RunAsync(caller, injection, ct);
        return outcome switch
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
        Caller caller, ListHistory history, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!InjectionInput.PatientId(patientId, "patientId", errors)) return Problems.Invalid(errors);
        var rows = await history.RunAsync(caller, patientId, includeVoided ?? false, ct);
        return rows is null
            ? Problems.NotFound($"No patient '{patientId}'.")
            : TypedResults.Ok(new InjectionListResponse(patientId, rows.Select(r => r.ToResponse()).ToList()));
    }

    private static async Task<Results<Ok<InjectionResponse>, ValidationProblem, ProblemHttpResult>> Void(string patientId, Guid id, VoidRequest? request,
        Caller caller, VoidInjection voids, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        InjectionInput.PatientId(patientId, "patientId", errors);
        if (string.IsNullOrWhiteSpace(request?.Reason)) errors.Add("reason", "A reason is required to void an injection.");
        else InjectionInput.Text(request.Reason, "reason", 1000, errors);
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var (outcome, row) = await voids.RunAsync(caller, patientId, id, request!.Reason!.Trim(), ct);
        return outcome switch
        {
            VoidOutcome.Voided => TypedResults.Ok(row!.ToResponse()),
            VoidOutcome.AlreadyVoided => Problems.Conflict($"Injection {id} is already voided."),
            _ => Problems.NotFound($"No injection {id} for patient '{patientId}'."),
        };
    }
}

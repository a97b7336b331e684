using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Api.Injections;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.CdsHooks;

/// <summary>CDS Hooks 2.0 at /cds-services: discovery, order-select, order-sign (with the CRD system action), appointment-book, feedback.</summary>
public static class CdsHooksEndpoints
{
    private static readonly (string Hook, string Id, string Title)[] Services =
    [
        ("order-select", "procedure-limits-order-select", "Injection repeat limits (order select)"),
        ("order-sign", "procedure-limits-order-sign", "Injection repeat limits and coverage (order sign)"),
        ("appointment-book", "procedure-limits-appointment-book", "Injection repeat limits (appointment booking)"),
    ];

    public static void MapCdsHooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/cds-services").WithTags("CDS Hooks");
        group.MapGet("/", Discovery).AllowAnonymous();
        group.MapPost("/{id}", Call).RequireAuthorization(Roles.Read);
        group.MapPost("/{id}/feedback", Feedback).RequireAuthorization(Roles.Read);
    }

    private static Ok<JsonObject> Discovery() => TypedResults.Ok(new JsonObject
    {
        ["services"] = new JsonArray(Services.Select(s => (JsonNode)new JsonObject
        {
            ["hook"] = s.Hook, ["id"] = s.Id, ["title"] = s.Title,
            ["description"] = "Checks each proposed injection against the patient's history, payer plan limits and the clinic steroid protocol; names the earliest eligible date.",
            ["prefetch"] = new JsonObject { ["coverage"] = "Coverage?patient={{context.patientId}}&status=active" },
        }).ToArray()),
    });

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> Call(string id, HttpRequest request, ClaimsPrincipal user,
        InjectionStore injections, ProcedureCatalog catalog, IClock clock, CancellationToken ct)
    {
        var service = Services.FirstOrDefault(s => s.Id == id);
        if (service.Id is null) return Problems.NotFound($"No CDS service '{id}'.");
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Problems.Invalid(read.Path ?? "body", read.Error);
        var body = read.Node;
        if (body.Str("hook") != service.Hook) return Problems.Invalid("hook", $"This service answers '{service.Hook}'.");
        var patientId = body.Get("context").Str("patientId");
        var errors = new ValidationErrors();
        if (!InjectionRequestValidation.PatientId(patientId, "context.patientId", errors)) return Problems.Invalid(errors);

        var caller = ApiKeyAuthentication.CallerOf(user);
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(caller.Organization.TimeZone) ?? DateTimeZone.Utc;
        var today = clock.GetCurrentInstant().InZone(zone).Date;
        var (plan, coverageId) = Coverage(body.Get("prefetch").Get("coverage"));

        var cards = new JsonArray();
        var actions = new JsonArray();
        var orders = service.Hook == "appointment-book"
            ? body.Get("context").Get("appointments").Array("entry").Select(e => e.Get("resource")).Where(r => r.Str("resourceType") == "Appointment")
            : body.Get("context").Get("draftOrders").Array("entry").Select(e => e.Get("resource")).Where(r => r.Str("resourceType") == "ServiceRequest");
        foreach (var order in orders ?? [])
        {
            var proposal = await ProposalAsync(order, patientId!, catalog, zone, today, injections, caller.Organization.Id, ct);
            if (proposal is null) continue; // not an injection we track (no CPT code of the catalog, or no site to judge)
            var (planExists, result) = await injections.CheckAsync(caller.Organization.Id, patientId!, plan, proposal, ct);
            if (!planExists)
            {
                (_, result) = await injections.CheckAsync(caller.Organization.Id, patientId!, null, proposal, ct);
                result = result.WithUnchecked($"The Coverage plan '{plan}' is not a plan this clinic has: its limits were not checked.");
            }
            if (CdsCards.Card(result, catalog.ProcedureName(proposal.Procedure)) is { } card) cards.Add(card);
            if (service.Hook == "order-sign")
            {
                var updated = order!.DeepClone().AsObject();
                var extensions = updated["extension"] as JsonArray ?? new JsonArray();
                extensions.Add(CdsCards.CoverageInformation(result, planExists ? plan : null, coverageId, today));
                updated["extension"] = extensions;
                actions.Add(new JsonObject
                {
                    ["type"] = "update", ["description"] = $"Coverage information for {catalog.ProcedureName(proposal.Procedure)}", ["resource"] = updated,
                });
            }
        }
        var response = new JsonObject { ["cards"] = cards };
        if (actions.Count > 0) response["systemActions"] = actions;
        return TypedResults.Ok(response);
    }

    /// <summary>The plan from prefetch: Coverage.class of type "plan" (a Coverage, or the first in a Bundle).</summary>
    private static (string? Plan, string? CoverageId) Coverage(JsonNode? prefetch)
    {
        var coverage = prefetch.Str("resourceType") == "Bundle"
            ? prefetch.Array("entry").Select(e => e.Get("resource")).FirstOrDefault(r => r.Str("resourceType") == "Coverage")
            : prefetch.Str("resourceType") == "Coverage" ? prefetch : null;
        var planClass = coverage.Array("class").FirstOrDefault(c => c.Get("type").Codings().Any(x => x.Code == "plan"));
        return (planClass.Str("value"), coverage.Str("id"));
    }

    private static async Task<ProposedInjection?> ProposalAsync(JsonNode? order, string patientId, ProcedureCatalog catalog, DateTimeZone zone,
        LocalDate today, InjectionStore injections, long org, CancellationToken ct)
    {
        var concept = order.Str("resourceType") == "Appointment" ? order.Get("serviceType") : order.Get("code");
        var cpt = concept.Codings().FirstOrDefault(c => c.System == FhirTerms.Cpt).Code;
        var procedure = cpt is null ? null : catalog.Procedures.FirstOrDefault(p => p.CptCodes.Contains(cpt));
        if (procedure is null) return null;

        var (region, side) = FhirTerms.Site(order.Get("bodySite"));
        if (region is null)
        {
            // Appointments carry no body site: judge the site of the patient's latest injection of that procedure.
            var latest = (await injections.ListAsync(org, patientId, includeVoided: false, ct))?.LastOrDefault(r => r.Procedure == procedure.Code);
            if (latest is null) return null;
            (region, side) = (latest.Region, latest.Laterality);
        }
        LateralityCodes.TryParse(side ?? "none", out var laterality);

        var when = order.Str("occurrenceDateTime") ?? order.Get("occurrencePeriod").Str("start") ?? order.Str("start");
        // A dateTime without an offset is invalid FHIR; a CDS check still reads its date rather than assume today.
        var date = (when is null ? null : FhirTerms.DateOfService(when, zone) ?? (when.Length > 10 ? FhirTerms.DateOfService(when[..10], zone) : null)) ?? today;
        return new ProposedInjection(procedure.Code, new BodySite(region, laterality), null, date);
    }

    private static async Task<Results<Ok, ValidationProblem, ProblemHttpResult>> Feedback(string id, HttpRequest request, ClaimsPrincipal user,
        TrackerDatabase db, CancellationToken ct)
    {
        if (Services.All(s => s.Id != id)) return Problems.NotFound($"No CDS service '{id}'.");
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Problems.Invalid(read.Path ?? "body", read.Error);
        var body = read.Node;
        var entries = new List<(string, string, string, object?)>();
        var i = 0;
        foreach (var item in body.Array("feedback"))
        {
            var card = item.Str("card");
            var outcome = item.Str("outcome");
            if (card is null || outcome is not ("accepted" or "overridden"))
                return Problems.Invalid($"feedback[{i}]", "Each feedback needs a card uuid and an outcome of accepted or overridden.");
            var reason = item.Get("overrideReason").Get("reason");
            // The free-text userComment is not stored: it may hold patient details.
            entries.Add(($"cds-{outcome}", "cds-card", card, new { service = id, reasonCode = reason.Str("code"), reason = reason.Str("display"),
                outcomeTimestamp = item.Str("outcomeTimestamp") }));
            i++;
        }
        if (entries.Count == 0) return Problems.Invalid("feedback", "At least one feedback item is required.");
        await Audit.WriteManyAsync(db, ApiKeyAuthentication.CallerOf(user).Organization.Id, ApiKeyAuthentication.CallerOf(user).KeyId, entries, ct);
        return TypedResults.Ok();
    }
}

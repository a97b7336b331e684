using System.Text.Json;
using System.Text.Json.Nodes;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Application.CdsHooks;
using ProcedureTracker.Application.Injections;
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
        var group = app.MapGroup("/cds-services").WithTags("CDS Hooks").RequireCors("cds");
        group.MapGet("/", Discovery)
            .WithName("cdsDiscovery").WithSummary("CDS Hooks discovery")
            .WithDescription("The three services (order-select, order-sign, appointment-book) with their prefetch templates.").AllowAnonymous();
        group.MapPost("/{id}", Call)
            .WithName("cdsCall").WithSummary("Call a CDS service")
            .WithDescription("Cards for each draft injection order (critical when not allowed, warning on the last allowed session, info when something was not checked); order-sign adds the Da Vinci CRD coverage-information system action.").RequireAuthorization(Permission.Read);
        group.MapPost("/{id}/feedback", Feedback)
            .WithName("cdsFeedback").WithSummary("CDS card feedback")
            .WithDescription("Stores accepted or overridden cards in the audit log (never the free-text comment).").RequireAuthorization(Permission.Read);
    }

    private static Results<Ok<JsonObject>, ProblemHttpResult> Discovery(HttpRequest request) =>
        !ProcedureTracker.Api.Fhir.FhirEndpoints.AcceptsJson(request.Headers.Accept.ToString())
            ? TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Only application/json is served.")
            : TypedResults.Ok(new JsonObject
            {
                ["services"] = new JsonArray(Services.Select(s => (JsonNode)new JsonObject
                {
                    ["hook"] = s.Hook, ["id"] = s.Id, ["title"] = s.Title,
                    ["description"] = "Checks each proposed injection against the patient's history, payer plan limits and the clinic steroid protocol; names the earliest eligible date.",
                    ["prefetch"] = new JsonObject { ["coverage"] = "Coverage?patient={{context.patientId}}&status=active" },
                }).ToArray()),
            });

    private static async Task<Results<Ok<JsonObject>, ValidationProblem, ProblemHttpResult>> Call(string id, HttpRequest request, Caller caller,
        EvaluateCdsOrders evaluate, ProcedureCatalog catalog, OrganizationClock clock, CoverageFetcher fetcher, CancellationToken ct)
    {
        var service = Services.FirstOrDefault(s => s.Id == id);
        if (service.Id is null) return Problems.NotFound($"No CDS service '{id}'.");
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Problems.Invalid(read.Path ?? "body", read.Error);
        var body = read.Node;
        if (body.Str("hook") != service.Hook) return Problems.Invalid("hook", $"This service answers '{service.Hook}'.");
        var patientId = body.Get("context").Str("patientId");
        var errors = new ValidationErrors();
        if (!InjectionInput.PatientId(patientId, "context.patientId", errors)) return Problems.Invalid(errors);
        var zone = OrganizationClock.Zone(caller.Organization);
        var prefetched = body.Get("prefetch").Get("coverage");
        CdsCoverage coverage;
        if (prefetched is not null) coverage = Coverage(prefetched);
        else
        {
            // No prefetch: ask the EHR's FHIR server (CDS Hooks "FHIR Resource Access"), never silently skip payer rules.
            var (fetched, problem) = await fetcher.FetchAsync(body.Str("fhirServer"), body.Get("fhirAuthorization").Str("access_token"), patientId!, ct);
            coverage = fetched is null ? CdsCoverage.None($"no Coverage was prefetched and {problem}") : Coverage(fetched);
        }

        var list = service.Hook == "appointment-book" ? "appointments" : "draftOrders";
        var type = service.Hook == "appointment-book" ? "Appointment" : "ServiceRequest";
        var resources = body.Get("context").Get(list).Array("entry").Select(e => e.Get("resource")).Where(r => r.Str("resourceType") == type).ToList();
        var orders = new List<(JsonNode Resource, CdsOrder Order)>();
        for (var i = 0; i < resources.Count; i++)
            if (Order(resources[i]!, catalog, zone, $"context.{list}.entry[{i}].resource", errors) is { } order) orders.Add((resources[i]!, order));
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var cards = new JsonArray();
        var actions = new JsonArray();
        var answers = await evaluate.RunAsync(caller, patientId!, coverage, orders.Select(o => o.Order).ToList(), ct);
        var patientPage = $"{TrackerOptions.PublicBase(request)}/patients/{Uri.EscapeDataString(patientId!)}";
        foreach (var answer in answers)
        {
            var name = catalog.ProcedureName(answer.Proposal.Procedure);
            if (CdsCards.Card(answer.Result, name, patientPage) is { } card) cards.Add(card);
            // Coverage information is a payer's statement about one Coverage (its coverage element is required): none without one.
            if (service.Hook != "order-sign" || coverage.Id is null) continue;
            var updated = orders.First(o => ReferenceEquals(o.Order, answer.Order)).Resource.DeepClone().AsObject();
            var extensions = updated["extension"] as JsonArray ?? new JsonArray();
            extensions.Add(CdsCards.CoverageInformation(answer.Result, answer.PayerPlan, coverage.Id, clock.Today(caller.Organization), answer.NotChecked));
            updated["extension"] = extensions;
            actions.Add(new JsonObject { ["type"] = "update", ["description"] = $"Coverage information for {name}", ["resource"] = updated });
        }
        var response = new JsonObject { ["cards"] = cards };
        if (actions.Count > 0) response["systemActions"] = actions;
        return TypedResults.Ok(response);
    }

    /// <summary>The Coverage from prefetch (a Coverage, or the first in a Bundle): its id and Coverage.class of type "plan".</summary>
    private static CdsCoverage Coverage(JsonNode? prefetch)
    {
        var coverage = prefetch.Str("resourceType") == "Bundle"
            ? prefetch.Array("entry").Select(e => e.Get("resource")).FirstOrDefault(r => r.Str("resourceType") == "Coverage")
            : prefetch.Str("resourceType") == "Coverage" ? prefetch : null;
        var planClass = coverage.Array("class").FirstOrDefault(c => c.Get("type").Codings().Any(x => x.Code == "plan"));
        if (coverage is null) return CdsCoverage.None("the prefetched Bundle holds no Coverage");
        // The words that may name the plan, in the order they are matched: the plan class, then the payors.
        string?[] words =
        [
            planClass.Str("value"), planClass.Str("name"),
            .. coverage.Array("payor").SelectMany(p => new[] { p.Str("display"), p.Get("identifier").Str("value") }),
        ];
        return new CdsCoverage(coverage.Str("id"), planClass.Str("value") ?? planClass.Str("name"), null,
            words.OfType<string>().Where(w => w.Trim().Length > 0).ToList());
    }

    /// <summary>
    /// A draft ServiceRequest or Appointment as an order: null (no card) when its CPT code is not a catalog procedure;
    /// a date that is given but not a FHIR date or dateTime in 1900-2200 is an error naming the element.
    /// </summary>
    private static CdsOrder? Order(JsonNode resource, ProcedureCatalog catalog, DateTimeZone zone, string at, ValidationErrors errors)
    {
        var concept = resource.Str("resourceType") == "Appointment" ? resource.Get("serviceType") : resource.Get("code");
        var cpt = concept.Codings().FirstOrDefault(c => c.System == FhirTerms.Cpt).Code;
        if (catalog.ForCpt(cpt) is not { } procedure) return null;

        var (region, side) = FhirTerms.Site(resource.Get("bodySite"));
        LateralityCodes.TryParse(side ?? "none", out var laterality);
        var site = region is null ? null : new BodySite(region, laterality);

        var field = resource.Str("occurrenceDateTime") is not null ? "occurrenceDateTime" : resource.Get("occurrencePeriod").Str("start") is not null ? "occurrencePeriod.start" : "start";
        var when = resource.Str("occurrenceDateTime") ?? resource.Get("occurrencePeriod").Str("start") ?? resource.Str("start");
        LocalDate? date = null;
        if (when is not null)
        {
            // A dateTime without an offset is invalid FHIR; a CDS check still reads its date rather than assume today.
            date = FhirTerms.DateOfService(when, zone) ?? (when.Length > 10 ? FhirTerms.DateOfService(when[..10], zone) : null);
            if (date is null) { errors.Add($"{at}.{field}", "Use a FHIR date or dateTime in the years 1900 to 2200."); return null; }
        }
        return new CdsOrder(procedure, site, date);
    }

    private static async Task<Results<Ok, ValidationProblem, ProblemHttpResult>> Feedback(string id, HttpRequest request, Caller caller,
        RecordCdsFeedback record, CancellationToken ct)
    {
        if (Services.All(s => s.Id != id)) return Problems.NotFound($"No CDS service '{id}'.");
        var read = await JsonBody.ReadAsync(request, ct);
        if (read.Error is not null) return Problems.Invalid(read.Path ?? "body", read.Error);
        var body = read.Node;
        var entries = new List<CdsFeedback>();
        var i = 0;
        foreach (var item in body.Array("feedback"))
        {
            var card = item.Str("card");
            var outcome = item.Str("outcome");
            if (card is null || card.Length > 200 || outcome is not ("accepted" or "overridden"))
                return Problems.Invalid($"feedback[{i}]", "Each feedback needs a card uuid and an outcome of accepted or overridden.");
            var reason = item.Get("overrideReason").Get("reason");
            entries.Add(new CdsFeedback(card, outcome, reason.Str("code"), reason.Str("display"), item.Str("outcomeTimestamp")));
            i++;
        }
        if (entries.Count == 0) return Problems.Invalid("feedback", "At least one feedback item is required.");
        await record.RunAsync(caller, id, entries, ct);
        return TypedResults.Ok();
    }
}

using System.Text.Json.Nodes;
using NodaTime.Text;
using ProcedureTracker.Application.Audit;

namespace ProcedureTracker.Api.Audit;

/// <summary>
/// <c>GET /v1/audit</c> (admin): the organization's audit trail, newest first: every write, every read of a patient's
/// history and every report export, with the actor named. Filters: <c>patientId</c> (reads of one patient's history and
/// writes of its records), <c>entity</c>, <c>entityId</c>, <c>action</c>, <c>actorId</c>, <c>from</c> / <c>to</c> (instants or dates),
/// <c>limit</c> (1–1000, default 100) and <c>before</c> (an entry id: the next page).
/// </summary>
public static class AuditEndpoints
{
    public sealed record AuditEntryResponse(long Id, DateTimeOffset At, Guid? ActorId, string Actor, string Action, string Entity, string EntityId,
        JsonNode? Detail);

    public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Entries, string? Next);

    public static void MapAudit(this IEndpointRouteBuilder v1) =>
        v1.MapGet("/audit", Find)
            .WithName("getAudit").WithSummary("The audit trail")
            .WithDescription("Admin only. Every write, every read of a patient's history (with the door: api, fhir, cds-hooks, web) and every report export, newest first, the actor named. Filters: patientId, entity, entityId, action, actorId, from, to (dates or instants), limit (1-1000), before (an entry id; the answer's next link pages back).").WithTags("Audit").RequireAuthorization(Permission.Admin);

    /// <summary>The query an admin's filters make, or field errors.</summary>
    public static AuditQuery? Parse(string? patientId, string? entity, string? entityId, string? action, string? actorId, string? from, string? to,
        string? limit, string? before, NodaTime.DateTimeZone zone, ValidationErrors errors)
    {
        Guid? actor = null;
        if (!string.IsNullOrEmpty(actorId)) { if (Guid.TryParse(actorId, out var a)) actor = a; else errors.Add("actorId", "Use an actor's id (a UUID)."); }
        var count = 100;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out count) || count is < 1 or > AuditQuery.MaxLimit))
            errors.Add("limit", $"Use a whole number from 1 to {AuditQuery.MaxLimit}.");
        long? page = null;
        if (!string.IsNullOrEmpty(before)) { if (long.TryParse(before, out var b) && b > 0) page = b; else errors.Add("before", "Use an entry id."); }
        var start = Moment(from, "from", zone, errors);
        var end = Moment(to, "to", zone, errors, endOfDay: true);
        if (!string.IsNullOrEmpty(patientId))
        {
            if (!string.IsNullOrEmpty(entity) || !string.IsNullOrEmpty(entityId)) errors.Add("patientId", "Use patientId or entity and entityId, not both.");
            (entity, entityId) = ("patient", patientId);
        }
        foreach (var (name, value) in new[] { ("entity", entity), ("entityId", entityId), ("action", action) })
            if (value is { Length: > 200 }) errors.Add(name, "At most 200 characters.");
        return errors.IsEmpty ? new AuditQuery(Empty(entity), Empty(entityId), Empty(action), actor, start, end, page, count) : null;
    }

    private static string? Empty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>An instant (2026-11-30T14:00:00Z) or a date in the organization's zone (the day's start; for "to", the next day's).</summary>
    private static NodaTime.Instant? Moment(string? text, string field, NodaTime.DateTimeZone zone, ValidationErrors errors, bool endOfDay = false)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (InstantPattern.ExtendedIso.Parse(text) is { Success: true } instant) return instant.Value;
        if (LocalDatePattern.Iso.Parse(text) is { Success: true } parsed)
            return (endOfDay ? parsed.Value.PlusDays(1) : parsed.Value).AtStartOfDayInZone(zone).ToInstant();
        errors.Add(field, "Use a date (2026-11-30) or an instant (2026-11-30T14:00:00Z).");
        return null;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> Find(string? patientId, string? entity, string? entityId, string? action,
        string? actorId, string? from, string? to, string? limit, string? before, HttpRequest request, Caller caller, ReadAuditTrail audit, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var query = Parse(patientId, entity, entityId, action, actorId, from, to, limit, before, NodaTime.DateTimeZoneProviders.Tzdb[caller.Organization.TimeZone], errors);
        if (query is null) return Problems.Invalid(errors);
        var entries = await audit.RunAsync(caller, query, ct);
        string? next = null;
        if (entries.Count == query.Limit)
        {
            var parameters = request.Query.Where(p => p.Key != "before").Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value.ToString())}")
                .Append($"before={entries[^1].Id}");
            next = "/v1/audit?" + string.Join('&', parameters);
        }
        return TypedResults.Ok(new AuditPage(entries.Select(e => new AuditEntryResponse(e.Id, e.At.ToDateTimeOffset(), e.ActorId, e.Actor, e.Action, e.Entity,
            e.EntityId, e.Detail is null ? null : JsonNode.Parse(e.Detail))).ToList(), next));
    }
}

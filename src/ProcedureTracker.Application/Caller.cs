using System.Security.Cryptography;
using System.Text;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Organizations;

namespace ProcedureTracker.Application;

/// <summary>Who acts: an API key, a signed-in person, an EHR known by its JWT issuer, or the service itself.</summary>
/// <param name="Id">The id the audit log records as the actor.</param>
public abstract record Actor(Guid Id)
{
    /// <summary>A machine holding one of the organization's API keys.</summary>
    public sealed record ApiKey(Guid KeyId) : Actor(KeyId);

    /// <summary>A staff member signed in to the web pages.</summary>
    public sealed record Person(Guid StaffId) : Actor(StaffId);

    /// <summary>An EHR calling CDS Hooks with a JWT signed by <paramref name="Issuer"/>.</summary>
    public sealed record EhrIssuer(string Issuer) : Actor(IssuerId(Issuer));

    /// <summary>The service acting on its own (the first administrator at set-up); audited as the all-zero actor.</summary>
    public sealed record Service() : Actor(Guid.Empty);

    /// <summary>The stable actor id of an issuer (the audit log's actor column is a UUID).</summary>
    public static Guid IssuerId(string issuer) => new(SHA256.HashData(Encoding.UTF8.GetBytes("cds-client:" + issuer)).AsSpan(0, 16));

    /// <summary>The kind as carried in claims and stored with a queued job: key, person, ehr or service.</summary>
    public string Kind => this switch { ApiKey => "key", Person => "person", EhrIssuer => "ehr", _ => "service" };

    /// <summary>The actor a <see cref="Kind"/> names, with its id (and, for an EHR, its issuer); anything else is an API key.</summary>
    public static Actor Of(string kind, Guid id, string? issuer = null) => kind switch
    {
        "person" => new Person(id),
        "ehr" when issuer is not null => new EhrIssuer(issuer),
        "service" => new Service(),
        _ => new ApiKey(id),
    };
}

/// <summary>Who is calling, bound once per request: the actor, its organization, its role and the door it came through.</summary>
/// <param name="Actor">The key, person or EHR issuer.</param>
/// <param name="Organization">The actor's organization.</param>
/// <param name="Role">admin, clinician, billing or ehr.</param>
/// <param name="Door">Where the call came in: api, fhir, cds-hooks or web (the read audit names it).</param>
public sealed record Caller(Actor Actor, Organization Organization, string Role, string Door = "api")
{
    /// <summary>The id the audit log records for this caller.</summary>
    public Guid ActorId => Actor.Id;
}

/// <summary>The read audit entries of a caller.</summary>
public static class CallerReadAudit
{
    public static ValueTask PatientAsync(this ReadAudit audit, Caller caller, string patientId, string purpose, CancellationToken ct) =>
        audit.PatientAsync(caller.Organization.Id, caller.ActorId, caller.Door, patientId, purpose, ct);

    public static ValueTask ReportAsync(this ReadAudit audit, Caller caller, string report, object parameters, CancellationToken ct) =>
        audit.ReportAsync(caller.Organization.Id, caller.ActorId, caller.Door, report, parameters, ct);

    public static ValueTask DeniedAsync(this ReadAudit audit, Caller caller, string method, string route, CancellationToken ct) =>
        audit.DeniedAsync(caller.Organization.Id, caller.ActorId, caller.Door, caller.Role, method, route, ct);
}

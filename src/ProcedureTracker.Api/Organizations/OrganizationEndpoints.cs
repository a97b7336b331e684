using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ProcedureTracker.Application.Organizations;

namespace ProcedureTracker.Api.Organizations;

/// <summary>The organization's settings (its admin) and the operator's door for new organizations.</summary>
public static class OrganizationEndpoints
{
    public sealed record OrganizationRequest(string? Name, string? TimeZone);
    public sealed record NewOrganizationRequest(string? Code, string? Name, string? TimeZone);
    public sealed record OrganizationResponse(string Code, string Name, string TimeZone, DateTime CreatedAt);
    public sealed record CreatedOrganization(string Code, string Name, string TimeZone, DateTime CreatedAt, string AdminKey);

    public static void MapOrganizations(this IEndpointRouteBuilder v1)
    {
        var organization = v1.MapGroup("/organization").WithTags("Organization").RequireAuthorization(Permission.Admin);
        organization.MapGet("/", Get)
            .WithName("getOrganization").WithSummary("This organization")
            .WithDescription("Name, time zone and creation date (admin).");
        organization.MapPut("/", Put)
            .WithName("putOrganization").WithSummary("Change name or time zone")
            .WithDescription("Admin only, audited. Later FHIR instants map to dates in the new zone; stored dates never change.");
        // The operator (who runs the service) creates organizations with a key from configuration, not an API key.
        v1.MapPost("/operator/organizations", Create)
            .WithName("createOrganization").WithSummary("Create an organization (operator)")
            .WithDescription("With the operator key (PT_OPERATOR_KEY) as bearer: a new organization with the default policies and its first admin key, shown once.").WithTags("Operator").AllowAnonymous();
    }

    private static OrganizationResponse Response(Data.Organizations.OrganizationSettings o) => new(o.Code, o.Name, o.TimeZone, o.CreatedAt);

    private static async Task<Ok<OrganizationResponse>> Get(Caller caller, ManageOrganizations organizations, CancellationToken ct) =>
        TypedResults.Ok(Response(await organizations.GetAsync(caller, ct)));

    private static async Task<Results<Ok<OrganizationResponse>, ValidationProblem>> Put(OrganizationRequest? request, Caller caller,
        ManageOrganizations organizations, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var updated = await organizations.UpdateAsync(caller, request?.Name, request?.TimeZone, errors, ct);
        return updated is null ? Problems.Invalid(errors) : TypedResults.Ok(Response(updated));
    }

    private static async Task<Results<Created<CreatedOrganization>, ValidationProblem, ProblemHttpResult>> Create(NewOrganizationRequest? request,
        HttpRequest http, IOptions<TrackerOptions> options, ManageOrganizations organizations, CancellationToken ct)
    {
        var configured = options.Value.OperatorKey;
        var sent = http.Headers.Authorization.FirstOrDefault() is { } a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? a[7..].Trim() : null;
        if (configured is not { Length: >= 24 })
            return TypedResults.Problem("No operator key is configured (PT_OPERATOR_KEY, at least 24 characters).", statusCode: 403, title: "Forbidden");
        if (sent is null || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(sent)), SHA256.HashData(Encoding.UTF8.GetBytes(configured))))
            return TypedResults.Problem("This needs the operator key (PT_OPERATOR_KEY).", statusCode: 401, title: "Unauthorized");
        var errors = new ValidationErrors();
        var created = await organizations.CreateAsync(request?.Code, request?.Name, request?.TimeZone, errors, ct);
        if (created is not { } c) return Problems.Invalid(errors);
        return TypedResults.Created($"/v1/organization", new CreatedOrganization(c.Organization.Code, c.Organization.Name, c.Organization.TimeZone,
            c.Organization.CreatedAt, c.AdminKey));
    }
}

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain;

namespace ProcedureTracker.Api.Keys;

public static class ApiKeyEndpoints
{
    public static void MapApiKeys(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Roles.Admin);
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapDelete("/{id:guid}", Revoke);
    }

    public sealed record CreateKeyRequest(string? Name, string? Role);
    public sealed record CreatedKey(Guid Id, string Name, string Role, string Key);
    public sealed record KeyInfo(Guid Id, string Name, string Role, DateTime CreatedAt, bool Revoked, DateTime? RevokedAt);

    private static async Task<Results<Created<CreatedKey>, ValidationProblem>> Create(CreateKeyRequest? request, ClaimsPrincipal user,
        OrganizationStore organizations, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request?.Name) || request.Name.Length > 100) errors.Add("name", "A name of 1-100 characters is required.");
        if (request?.Role is null || !OrganizationStore.Roles.Contains(request.Role))
            errors.Add("role", $"Use one of: {string.Join(", ", OrganizationStore.Roles)}.");
        if (!errors.IsEmpty) return Problems.Invalid(errors);

        var caller = ApiKeyAuthentication.CallerOf(user);
        var (id, key) = await organizations.CreateKeyAsync(caller.Organization.Id, request!.Name!.Trim(), request.Role!, caller.KeyId, ct);
        return TypedResults.Created($"/v1/api-keys/{id}", new CreatedKey(id, request.Name.Trim(), request.Role!, key));
    }

    private static async Task<Ok<IEnumerable<KeyInfo>>> List(ClaimsPrincipal user, OrganizationStore organizations, CancellationToken ct)
    {
        var keys = await organizations.ListKeysAsync(ApiKeyAuthentication.CallerOf(user).Organization.Id, ct);
        return TypedResults.Ok(keys.Select(k => new KeyInfo(k.Id, k.Name, k.Role, k.CreatedAt, k.RevokedAt is not null, k.RevokedAt)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, ClaimsPrincipal user, OrganizationStore organizations, CancellationToken ct)
    {
        var caller = ApiKeyAuthentication.CallerOf(user);
        return await organizations.RevokeKeyAsync(caller.Organization.Id, id, caller.KeyId, ct)
            ? TypedResults.NoContent()
            : Problems.NotFound($"No active API key {id}.");
    }
}

using ProcedureTracker.Application.Keys;

namespace ProcedureTracker.Api.Keys;

/// <summary>The JSON door to API keys (admin only).</summary>
public static class ApiKeyEndpoints
{
    public static void MapApiKeys(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Permission.Admin);
        group.MapPost("/", Create)
            .WithName("createApiKey").WithSummary("Create an API key")
            .WithDescription("Admin only. The key is shown once; only its hash is stored.");
        group.MapGet("/", List)
            .WithName("listApiKeys").WithSummary("List API keys")
            .WithDescription("Admin only. Names, roles and state, never the secrets.");
        group.MapDelete("/{id:guid}", Revoke)
            .WithName("revokeApiKey").WithSummary("Revoke an API key")
            .WithDescription("Admin only. The key stops working on every API process within a second.");
    }

    public sealed record CreateKeyRequest(string? Name, string? Role);
    public sealed record CreatedKey(Guid Id, string Name, string Role, string Key);
    public sealed record KeyInfo(Guid Id, string Name, string Role, DateTime CreatedAt, bool Revoked, DateTime? RevokedAt);

    private static async Task<Results<Created<CreatedKey>, ValidationProblem>> Create(CreateKeyRequest? request, Caller caller,
        CreateApiKey create, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (await create.RunAsync(caller, request?.Name, request?.Role, errors, ct) is not { } key)
            return Problems.Invalid(errors);
        return TypedResults.Created($"/v1/api-keys/{key.Id}", new CreatedKey(key.Id, key.Name, key.Role, key.Key));
    }

    private static async Task<Ok<IEnumerable<KeyInfo>>> List(Caller caller, ManageApiKeys keys, CancellationToken ct)
    {
        var list = await keys.ListAsync(caller, ct);
        return TypedResults.Ok(list.Select(k => new KeyInfo(k.Id, k.Name, k.Role, k.CreatedAt, k.RevokedAt is not null, k.RevokedAt)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, Caller caller, ManageApiKeys keys, CancellationToken ct) =>
        await keys.RevokeAsync(caller, id, ct) ? TypedResults.NoContent() : Problems.NotFound($"No active API key {id}.");
}

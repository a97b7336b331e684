using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Data;

namespace ProcedureTracker.Api.Health;

public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", Live);
        group.MapGet("/ready", Ready);
    }

    private static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live"));

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> Ready(TrackerDatabase db, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var connection = await db.OpenAsync(timeout.Token);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: timeout.Token));
            return TypedResults.Ok(new HealthStatus("ready"));
        }
        catch (Exception e) when (ProblemExceptionHandler.IsDatabaseUnavailable(e) || e is OperationCanceledException)
        {
            return TypedResults.Problem("PostgreSQL cannot be reached.", statusCode: 503, title: "Not ready");
        }
    }

    public sealed record HealthStatus(string Status);
}

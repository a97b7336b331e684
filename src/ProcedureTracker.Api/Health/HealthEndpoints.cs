using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ProcedureTracker.Data;

namespace ProcedureTracker.Api.Health;

/// <summary>ASP.NET Core health checks: /health/live (the process answers) and /health/ready (PostgreSQL answers within 3 s).</summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddTrackerHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("postgresql", tags: [Ready], timeout: TimeSpan.FromSeconds(3));
        return services;
    }

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write("live") })
            .AllowAnonymous().WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = Write(Ready) })
            .AllowAnonymous().WithTags("Health");
    }

    /// <summary>200 <c>{"status":"live|ready"}</c>, or 503 problem+json saying what is down.</summary>
    private static Func<HttpContext, HealthReport, Task> Write(string healthy) => async (context, report) =>
    {
        if (report.Status == HealthStatus.Healthy)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { status = healthy }));
            return;
        }
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 503, Title = "Not ready", Detail = "PostgreSQL cannot be reached." },
        });
    };

    /// <summary>Ready when a <c>select 1</c> answers; unhealthy when PostgreSQL is unreachable or the check times out.</summary>
    private sealed class DatabaseHealthCheck(TrackerDatabase db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await using var connection = await db.OpenAsync(ct);
                await connection.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: ct));
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (ProblemExceptionHandler.IsDatabaseUnavailable(e) || e is OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL cannot be reached.");
            }
        }
    }
}

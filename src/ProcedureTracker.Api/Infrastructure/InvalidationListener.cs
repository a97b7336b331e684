using ProcedureTracker.Data;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>Keeps this process listening for cache invalidations (revoked keys, new policy versions) from every process.</summary>
public sealed class InvalidationListener(TrackerDatabase db, ILogger<InvalidationListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => db.Invalidation.ListenAsync(db.ListenSource, logger, stoppingToken);
}

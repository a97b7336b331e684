using ProcedureTracker.Data;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// Makes this year's and next year's partitions of injections and audit_log once a day, so a service that runs across New
/// Year never writes into the default partition. A failure (no DDL rights, a read-only standby) is logged and tried again.
/// </summary>
public sealed class PartitionUpkeep(TrackerDatabase db, ILogger<PartitionUpkeep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(24));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await db.EnsureCurrentPartitionsAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not make next year's partitions ({Message}); rows for it go to the default partition until it exists.", e.Message);
            }
        }
    }
}

using ProcedureTracker.Data;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>Writes the queued read-audit entries in batches; on a database error it keeps the batch and tries again.</summary>
public sealed class ReadAuditWriter(ReadAudit audit, ILogger<ReadAuditWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<ReadAudit.Entry>();
        // Runs until the queue is completed at shutdown and drained (not until stoppingToken: nothing queued is dropped).
        while (await audit.Queue.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 1000 && audit.Queue.TryRead(out var entry)) batch.Add(entry);
            for (var attempt = 1; ; attempt++)
            {
                try { await audit.FlushAsync(batch, CancellationToken.None); break; }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException && attempt < 30)
                {
                    logger.LogWarning("Read audit: {Count} entries not yet written ({Reason}); retrying", batch.Count, e.GetType().Name);
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), CancellationToken.None);
                }
            }
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        audit.Complete();
        await base.StopAsync(cancellationToken);
    }
}

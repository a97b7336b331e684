using ProcedureTracker.Data.Imports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Application.Imports;

/// <summary>What happened to one row of a batch.</summary>
public abstract record ImportRowOutcome(int Line)
{
    public sealed record Imported(int Line, IReadOnlyList<string> OverLimitRuleIds) : ImportRowOutcome(Line);
    public sealed record Unchanged(int Line) : ImportRowOutcome(Line);
    public sealed record Rejected(int Line, string Field, string Message) : ImportRowOutcome(Line);
}

/// <summary>
/// Brings an old system's history in, a batch at a time: rows judged in file order against what is stored plus the
/// rows before them, under each row's plan and every version it meets. History that breaks a rule is imported anyway
/// (it happened) and flagged overridden. Every row has an externalId, so a re-run changes nothing.
/// </summary>
public sealed class ImportHistory(ImportStore imports, PolicyStore policies, EligibilityEvaluator evaluator)
{
    /// <summary>Rows per transaction.</summary>
    public const int BatchSize = 1000;

    /// <summary>The override reason stored with imported rows that break a rule.</summary>
    public const string OverLimitReason = "Imported history: over a limit when imported";

    /// <summary>Every policy version of the caller's organization (read once per import).</summary>
    public Task<IReadOnlyList<Policy>> VersionsAsync(Caller caller, CancellationToken ct) => policies.AllVersionsAsync(caller.Organization.Id, ct);

    /// <summary>Imports one batch as one transaction; retried as a whole on transient failures.</summary>
    public Task<IReadOnlyList<ImportRowOutcome>> RunBatchAsync(Caller caller, IReadOnlyList<ImportRow> rows, IReadOnlyList<Policy> versions,
        CancellationToken ct) =>
        imports.IdempotentAsync(c => OnceAsync(caller, rows, versions, c), ct);

    private async Task<IReadOnlyList<ImportRowOutcome>> OnceAsync(Caller caller, IReadOnlyList<ImportRow> rows, IReadOnlyList<Policy> versions,
        CancellationToken ct)
    {
        await using var batch = await imports.BeginBatchAsync(caller.Organization.Id, rows, ct);
        var outcomes = new List<ImportRowOutcome>(rows.Count);
        var inserts = new List<InjectionInsert>();
        foreach (var row in rows)
        {
            var injection = row.Injection;
            var hash = injection.ContentHash();
            if (batch.StoredHashes.TryGetValue(injection.ExternalId!, out var existing))
            {
                outcomes.Add(existing.AsSpan().SequenceEqual(hash)
                    ? new ImportRowOutcome.Unchanged(row.Line)
                    : new ImportRowOutcome.Rejected(row.Line, "externalId", $"externalId '{injection.ExternalId}' is already used by a record with different content."));
                continue;
            }
            var c = injection.Clinical;
            var history = batch.Histories.TryGetValue(injection.PatientId, out var h) ? h : batch.Histories[injection.PatientId] = [];
            // Only the breaches on the row's own date matter here (the row happened): no earliest-date search.
            var ruleIds = evaluator.BreachesOn(new ProposedInjection(c.Procedure.Code, c.Site, c.Steroid, c.Date), history, versions, injection.Plan);
            var id = Guid.CreateVersion7();
            history.Add(new InjectionRecord(id, c.Procedure.Code, c.Site, c.Steroid, c.Date));
            batch.StoredHashes[injection.ExternalId!] = hash;
            inserts.Add(new InjectionInsert(id, injection, hash, ruleIds.Count > 0, ruleIds.Count > 0 ? OverLimitReason : null));
            outcomes.Add(new ImportRowOutcome.Imported(row.Line, ruleIds));
        }
        await batch.InsertAsync(inserts, caller.KeyId, ct);
        await batch.CommitAsync(ct);
        return outcomes;
    }
}

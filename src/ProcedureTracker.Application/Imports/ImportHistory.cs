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
    public const int BatchSize = 2000;

    /// <summary>The override reason stored with imported rows that break a rule.</summary>
    public const string OverLimitReason = "Imported history: over a limit when imported";

    /// <summary>Every policy version of the caller's organization (read once per import).</summary>
    public Task<IReadOnlyList<Policy>> VersionsAsync(Caller caller, CancellationToken ct) => policies.AllVersionsAsync(caller.Organization.Id, ct);

    /// <summary>Transactions one batch is split into, stored at once on as many connections (at most one per core, 2 to 4).</summary>
    public static readonly int Parts = Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <summary>
    /// Imports one batch: its patients dealt into <see cref="Parts"/> groups stored at once, each as one transaction,
    /// retried as a whole on transient failures. Each patient's rows stay in one group, in file order, so every row is
    /// judged after the rows before it exactly as when the batch is stored in one piece; a batch whose externalIds recur
    /// across groups is stored in one piece (so the earlier line keeps it). Outcomes come back in line order.
    /// </summary>
    public async Task<IReadOnlyList<ImportRowOutcome>> RunBatchAsync(Caller caller, IReadOnlyList<ImportRow> rows, IReadOnlyList<Policy> versions,
        CancellationToken ct)
    {
        var groups = Split(rows, Parts);
        if (groups.Count == 1) return await StoreAsync(caller, rows, versions, ct);
        var outcomes = await Task.WhenAll(groups.Select(g => StoreAsync(caller, g, versions, ct)));
        return outcomes.SelectMany(o => o).OrderBy(o => o.Line).ToList();
    }

    /// <summary>
    /// Deals the rows' patients (in order of first appearance, each to the group with the fewest rows so far) into at
    /// most <paramref name="parts"/> groups, keeping file order within each; one group when an externalId would land in two.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<ImportRow>> Split(IReadOnlyList<ImportRow> rows, int parts)
    {
        var byPatient = rows.GroupBy(r => r.Injection.PatientId, StringComparer.Ordinal).ToList();
        if (parts < 2 || byPatient.Count < 2) return [rows];
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var sizes = new int[Math.Min(parts, byPatient.Count)];
        foreach (var patient in byPatient)
        {
            var smallest = Array.IndexOf(sizes, sizes.Min());
            groupOf[patient.Key] = smallest;
            sizes[smallest] += patient.Count();
        }
        var groups = sizes.Select(_ => new List<ImportRow>()).ToArray();
        var externalIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var group = groupOf[row.Injection.PatientId];
            if (externalIds.TryGetValue(row.Injection.ExternalId!, out var other) && other != group) return [rows];
            externalIds[row.Injection.ExternalId!] = group;
            groups[group].Add(row);
        }
        return groups;
    }

    /// <summary>
    /// Stores rows as one transaction, retried on transient failures, and again when another writer claimed one of their
    /// externalIds first (its record committed meanwhile; the retry sees it and judges the row against it).
    /// </summary>
    private async Task<IReadOnlyList<ImportRowOutcome>> StoreAsync(Caller caller, IReadOnlyList<ImportRow> rows, IReadOnlyList<Policy> versions,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await imports.IdempotentAsync(c => OnceAsync(caller, rows, versions, c), ct);
            }
            catch (Exception e) when (attempt < 3 && InjectionStore.IsExternalIdTaken(e))
            {
                // Someone else's record with one of these externalIds committed while this transaction ran: read again.
            }
        }
    }

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
        await batch.InsertAsync(inserts, caller.ActorId, ct);
        await batch.CommitAsync(ct);
        return outcomes;
    }
}

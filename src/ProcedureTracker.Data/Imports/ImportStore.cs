using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Imports;

/// <summary>
/// Imports history in batches, in SQL: one transaction per batch, the batch's patients locked like single records (so
/// checks and records running meanwhile stay consistent), their stored histories and the batch's known externalIds read
/// once, and all new rows inserted with one statement. What to insert is the import use case's decision.
/// </summary>
public sealed class ImportStore(TrackerDatabase db)
{
    /// <summary>
    /// The organization's import lock: a PostgreSQL session advisory lock on a connection of its own, so one import runs
    /// per organization across every process of the service, and a crashed process's lock goes with its connection.
    /// Null when another import holds it; dispose the connection (after unlocking) to release.
    /// </summary>
    public async Task<NpgsqlConnection?> TryLockImportsAsync(long organizationId, CancellationToken ct)
    {
        var connection = await db.OpenAsync(ct);
        try
        {
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select pg_try_advisory_lock(7001, @id)", new { id = (int)organizationId }, cancellationToken: ct)))
                return connection;
        }
        catch { await connection.DisposeAsync(); throw; }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Releases a lock taken by <see cref="TryLockImportsAsync"/> and closes its connection.</summary>
    public static async Task UnlockImportsAsync(NpgsqlConnection connection, long organizationId)
    {
        try { await connection.ExecuteAsync("select pg_advisory_unlock(7001, @id)", new { id = (int)organizationId }); }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { /* the connection is gone, and the lock with it */ }
        finally { await connection.DisposeAsync(); }
    }

    /// <summary>Retries a whole batch on transient failures (a batch is idempotent by externalId).</summary>
    public Task<T> IdempotentAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct) => db.IdempotentAsync(work, ct);

    /// <summary>Opens one batch's transaction: locks its patients (in a fixed order), ensures their rows, reads what it needs.</summary>
    public async Task<BatchWrite> BeginBatchAsync(long org, IReadOnlyList<ImportRow> rows, CancellationToken ct)
    {
        var patients = rows.Select(r => r.Injection.PatientId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var externalIds = rows.Select(r => r.Injection.ExternalId!).Distinct(StringComparer.Ordinal).ToArray();
        // Array parameters (= any(@patients)) have no useful generic plan: with auto-prepared statements PostgreSQL would
        // switch to one after a few batches and scan the whole injections table per batch. Keep custom plans for these
        // reads only: the setting also reaches the foreign-key checks of every inserted row, which would then be planned
        // afresh for every row (4 checks a row: about half of an import's time). No JIT either: compiling a
        // batch's statements cost more than running them.
        const string prepare = "set local jit = off;\nset local plan_cache_mode = force_custom_plan;\n" + InjectionStore.LockPatientsSql + $"""
            select i.external_id, p.external_id as patient, i.content_hash from injections i join patients p on p.id = i.patient_id
                where i.organization_id = @org and i.external_id = any(@externalIds);
            select p.external_id as PatientId, {InjectionRow.HistoryColumns}
            from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and p.organization_id = @org and p.external_id = any(@patients) and i.voided_at is null;
            set local plan_cache_mode to default;
            """;
        await db.EnsurePartitionYearsAsync(rows.Select(r => r.Injection.Clinical.Date.Year), ct);
        var connection = await db.OpenAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(ct);
            await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(prepare, new { org, patients, externalIds }, tx, cancellationToken: ct));
            await grid.ReadAsync();
            var patientIds = (await grid.ReadAsync<(long Id, string ExternalId)>()).ToDictionary(p => p.ExternalId, p => p.Id, StringComparer.Ordinal);
            var stored = (await grid.ReadAsync<(string ExternalId, string Patient, byte[] Hash)>()).ToDictionary(e => e.ExternalId, e => e.Hash, StringComparer.Ordinal);
            var histories = (await grid.ReadAsync<InjectionRow>()).GroupBy(r => r.PatientId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(r => r.ToRecord()).ToList(), StringComparer.Ordinal);
            return new BatchWrite(connection, tx, org, patientIds, stored, histories);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>One batch's transaction and what it read.</summary>
    public sealed class BatchWrite(NpgsqlConnection connection, NpgsqlTransaction tx, long org, Dictionary<string, long> patientIds,
        Dictionary<string, byte[]> stored, Dictionary<string, List<InjectionRecord>> histories) : IAsyncDisposable
    {
        /// <summary>Content hashes of the batch's externalIds already stored.</summary>
        public Dictionary<string, byte[]> StoredHashes { get; } = stored;

        /// <summary>Each batch patient's stored, non-voided history.</summary>
        public Dictionary<string, List<InjectionRecord>> Histories { get; } = histories;

        /// <summary>Inserts the rows (one statement) and one audit row each.</summary>
        public Task InsertAsync(IReadOnlyList<InjectionInsert> inserts, Guid actor, CancellationToken ct) =>
            inserts.Count == 0 ? Task.CompletedTask : ImportStore.InsertAsync(connection, tx, org, patientIds, inserts, actor, ct);

        public Task CommitAsync(CancellationToken ct) => tx.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long org, Dictionary<string, long> patientIds,
        IReadOnlyList<InjectionInsert> inserts, Guid actor, CancellationToken ct)
    {
        const string sql = """
            insert into injections (id, organization_id, patient_id, procedure, cpt_code, region, laterality, site_detail, steroid_drug,
                steroid_dose_mg, steroid_mpe_mg, date_of_service, plan, external_id, provider_id, image_guidance, override_reason,
                overridden, content_hash, recorded_at, recorded_by, levels)
            select u.id, @org, u.patient_id, u.procedure, u.cpt_code, u.region, u.laterality, u.site_detail, u.steroid_drug,
                u.dose, u.mpe, u.date_of_service, u.plan, u.external_id, u.provider_id, u.image_guidance,
                u.override_reason, u.overridden, u.content_hash, now(), @actor, u.levels
            from unnest(@ids, @patientIds, @procedures, @cptCodes, @regions, @lateralities, @details, @drugs, @doses, @mpes, @dates,
                        @plans, @externalIds, @providers, @guidance, @overridden, @hashes, @reasons, @levels)
                as u(id, patient_id, procedure, cpt_code, region, laterality, site_detail, steroid_drug, dose, mpe, date_of_service,
                     plan, external_id, provider_id, image_guidance, overridden, content_hash, override_reason, levels);
            insert into audit_log (organization_id, actor_key_id, action, entity, entity_id)
            select @org, @actor, 'import', 'injection', unnest(@ids)::text;
            """;
        await using var command = new NpgsqlCommand(sql, connection, tx);
        void Add<T>(string name, Func<InjectionInsert, T> get) =>
            command.Parameters.Add(new NpgsqlParameter(name, inserts.Select(get).ToArray()));
        command.Parameters.AddWithValue("org", org);
        command.Parameters.AddWithValue("actor", actor);
        Add("ids", x => x.Id);
        Add("patientIds", x => patientIds[x.Injection.PatientId]);
        Add("procedures", x => x.Injection.Clinical.Procedure.Code);
        Add("cptCodes", x => x.Injection.Clinical.CptCode);
        Add("regions", x => x.Injection.Clinical.Site.Region);
        Add("lateralities", x => x.Injection.Clinical.Site.Laterality.ToCode());
        Add("details", x => x.Injection.Clinical.Site.Detail);
        Add("drugs", x => x.Injection.Clinical.Steroid?.Drug);
        Add("doses", x => x.Injection.Clinical.Steroid?.DoseMg);
        Add("mpes", x => x.Injection.Clinical.Steroid?.MpeMg);
        Add("dates", x => x.Injection.Clinical.Date.ToDateOnly());
        Add("plans", x => x.Injection.Plan);
        Add("externalIds", x => x.Injection.ExternalId);
        Add("providers", x => x.Injection.ProviderId);
        Add("guidance", x => x.Injection.ImageGuidance);
        Add("overridden", x => x.Overridden);
        Add("hashes", x => x.ContentHash);
        Add("reasons", x => x.OverrideReason);
        Add("levels", x => (short)x.Injection.Clinical.Levels);
        await command.ExecuteNonQueryAsync(ct);
    }
}

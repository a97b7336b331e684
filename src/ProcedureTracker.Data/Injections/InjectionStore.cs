using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Injections;


/// <summary>Injections in SQL: the eligibility context, the per-patient write unit, history, lookups and voids. No business decisions.</summary>
public sealed class InjectionStore(TrackerDatabase db, PolicyStore policies)
{
    // The plan of the patient's latest injection that has one (asked only when no plan is named), kept on the patient's
    // row by triggers (migration 0009).
    private const string LatestPlanSql = """
        select latest_plan from patients where organization_id = @org and external_id = @patient;
        """;

    // The history a check can need (EligibilityEvaluator.HistoryNeeded), by date.
    private const string HistorySql = $"""
        select {InjectionRow.HistoryColumns}
        from injections i join patients p on p.id = i.patient_id
        where i.organization_id = @org and p.organization_id = @org and p.external_id = @patient and i.voided_at is null
          and i.date_of_service >= @from and i.date_of_service <= @to
        order by i.date_of_service;
        """;

    /// <summary>
    /// Loads what a check of <paramref name="patient"/> on <paramref name="date"/> under <paramref name="plan"/> needs:
    /// the organization's policy versions (cached in memory, see <see cref="Invalidation"/>) and, in one round trip,
    /// the latest plan (when none is named) and the history within the longest reach of any rule (a min-interval of
    /// N days, or one year for any window) around [date, date + 2 years].
    /// </summary>
    public Task<EligibilityContext> LoadContextAsync(long org, string patient, string? plan, LocalDate date, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenForSingleStatementAsync(c);
            return await LoadContextAsync(connection, null, org, patient, plan, date, c);
        }, ct);

    private async Task<EligibilityContext> LoadContextAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, long org, string patient,
        string? plan, LocalDate date, CancellationToken ct)
    {
        var query = await PrepareContextAsync(org, plan, date, ct);
        if (query.Sql.Length == 0) return query.Read(null, []);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(query.Sql, new { org, patient, from = query.From, to = query.To }, tx,
            cancellationToken: ct));
        return await query.ReadAsync(grid);
    }

    /// <summary>The statements a context needs (none when the named plan is unknown) and how to read their answers.</summary>
    private async Task<ContextQuery> PrepareContextAsync(long org, string? plan, LocalDate date, CancellationToken ct)
    {
        var versions = await policies.AllVersionsAsync(org, ct);
        if (plan is not null && !versions.Any(v => v.Code == plan)) return new ContextQuery(versions, plan, false, "", date, date);
        var range = EligibilityEvaluator.HistoryNeeded(date, versions);
        return new ContextQuery(versions, plan, true, plan is null ? LatestPlanSql + HistorySql : HistorySql, range.Start, range.End);
    }

    private sealed record ContextQuery(IReadOnlyList<Policy> Versions, string? Plan, bool PlanExists, string Sql, LocalDate From, LocalDate To)
    {
        public async Task<EligibilityContext> ReadAsync(SqlMapper.GridReader grid) =>
            await ReadHistoryAsync(grid, Plan ?? await grid.ReadSingleOrDefaultAsync<string?>());

        /// <summary>The context under <paramref name="chosen"/>, with the history read next from <paramref name="grid"/>.</summary>
        public async Task<EligibilityContext> ReadHistoryAsync(SqlMapper.GridReader grid, string? chosen) =>
            Read(chosen, (await grid.ReadAsync<InjectionRow>()).Select(r => r.ToRecord()).ToList());

        public EligibilityContext Read(string? chosen, IReadOnlyList<InjectionRecord> history)
        {
            if (!PlanExists) return new EligibilityContext(false, Plan, false, [], []);
            var codes = Versions.Where(v => v.AlwaysApply).Select(v => v.Code).ToHashSet(StringComparer.Ordinal);
            if (chosen is not null) codes.Add(chosen);
            return new EligibilityContext(true, chosen, Plan is null && chosen is not null, Versions.Where(v => codes.Contains(v.Code)).ToList(), history);
        }
    }

    /// <summary>What a record will ask first inside its lock, read in the same round trip as the lock.</summary>
    /// <param name="Patient">The patient whose context is read.</param>
    /// <param name="Plan">The plan named, or null for the patient's latest.</param>
    /// <param name="Date">The date of service.</param>
    /// <param name="ExternalId">The record's externalId, looked up too when given.</param>
    internal sealed record Prefetch(string Patient, string? Plan, LocalDate Date, string? ExternalId)
    {
        public static Prefetch Of(NewInjection record) => new(record.PatientId, record.Plan, record.Clinical.Date, record.ExternalId);
    }

    /// <summary>
    /// Opens the atomic unit in which injections of <paramref name="patients"/> are checked and stored: one transaction
    /// holding a transaction-scoped advisory lock per patient, taken in a fixed order so two units never deadlock
    /// (concurrent writes for a patient queue behind it, so together they can never exceed a limit), with the patient rows
    /// ensured. Nothing is stored until <see cref="PatientWrite.CommitAsync"/>; disposing without it rolls back.
    /// </summary>
    public Task<PatientWrite> BeginPatientWriteAsync(long org, IEnumerable<string> patients, CancellationToken ct) =>
        BeginPatientWriteAsync(org, patients, null, ct);

    /// <summary>
    /// As <see cref="BeginPatientWriteAsync(long, IEnumerable{string}, CancellationToken)"/>, and in the same round trip,
    /// after the locks are held, reads what <paramref name="record"/> needs: the record's externalId and the patient's
    /// context, which the unit then answers from memory.
    /// </summary>
    public async Task<PatientWrite> BeginPatientWriteAsync(long org, IEnumerable<string> patients, NewInjection? record, CancellationToken ct)
    {
        var prefetch = record is null ? null : Prefetch.Of(record);
        // Generic plans in this transaction, as on the check path (see TrackerDatabase): the history read inside the lock
        // would otherwise be planned afresh on every record, over every yearly partition.
        const string lockAndPatients = "set local plan_cache_mode = force_generic_plan;\n" + LockPatientsSql;
        var sorted = patients.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var query = prefetch is null ? null : await PrepareContextAsync(org, prefetch.Plan, prefetch.Date, ct);
        var sql = lockAndPatients + (prefetch?.ExternalId is null ? "" : FindByExternalIdSql + ";") + (query?.Sql ?? "");
        var connection = await db.OpenAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(ct);
            await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
                new { org, patients = sorted, patient = prefetch?.Patient, externalId = prefetch?.ExternalId, from = query?.From, to = query?.To }, tx,
                cancellationToken: ct));
            await grid.ReadAsync();
            var rows = (await grid.ReadAsync<(long Id, string ExternalId)>()).ToDictionary(r => r.ExternalId, r => r.Id, StringComparer.Ordinal);
            var write = new PatientWrite(this, connection, tx, org, rows);
            if (prefetch?.ExternalId is { } externalId) write.Remember(externalId, await grid.ReadSingleOrDefaultAsync<InjectionRow>());
            if (prefetch is not null && query is not null)
                write.Remember(prefetch, query.Sql.Length == 0 ? query.Read(null, []) : await query.ReadAsync(grid));
            return write;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Takes the transaction-scoped advisory lock of each of <c>@patients</c> (sorted, so two units never deadlock),
    /// ensures their rows, moves their write counters on (holding the rows until commit, so a record judged without the
    /// lock before this unit commits cannot store after it: see <see cref="InsertIfUnchangedAsync"/>), and answers
    /// (id, external_id) for each: the start of every unit that writes injections under the lock (first records,
    /// corrections, batches and import batches), so they exclude each other per patient.
    /// </summary>
    internal const string LockPatientsSql = """
        select count(*) from (select p from unnest(@patients::text[]) as p order by p) s
            cross join lateral (select pg_advisory_xact_lock(@org::int, hashtext(s.p))) l;
        insert into patients (organization_id, external_id) select @org, p from unnest(@patients::text[]) as p
            on conflict (organization_id, external_id) do nothing;
        update patients set write_version = write_version + 1 where organization_id = @org and external_id = any(@patients)
            returning id, external_id;
        """;

    /// <summary>What a record read before it was judged: the patient's row and write counter, the record's externalId and the context.</summary>
    /// <param name="PatientRowId">The patient's row.</param>
    /// <param name="WriteVersion">The patient's write counter when read; the record stores only if it is unchanged.</param>
    /// <param name="ExternalIdRow">The injection already stored with the record's externalId (voided or not); null when none or none given.</param>
    /// <param name="Context">What the check needs, read after the counter.</param>
    public sealed record RecordSnapshot(long PatientRowId, long WriteVersion, InjectionRow? ExternalIdRow, EligibilityContext Context);

    private sealed record PatientVersionRow(long Id, long WriteVersion, string? LatestPlan);

    /// <summary>
    /// Reads, in one round trip and outside any transaction, what <paramref name="record"/> is judged on:
    /// the patient's write counter first, then its externalId and context (a writer committing in between moves the
    /// counter, so the record then stores nothing). Null when the organization has no such patient yet.
    /// </summary>
    public Task<RecordSnapshot?> ReadForRecordAsync(long org, NewInjection record, CancellationToken ct) =>
        db.IdempotentAsync(async c =>
        {
            var prefetch = Prefetch.Of(record);
            // The patient's row gives its latest plan too (when none is named): one statement fewer than a check's context.
            const string patientSql = """
                select id, write_version as WriteVersion, latest_plan as LatestPlan from patients where organization_id = @org and external_id = @patient;
                """;
            var query = await PrepareContextAsync(org, prefetch.Plan, prefetch.Date, c);
            var sql = patientSql + (prefetch.ExternalId is null ? "" : FindByExternalIdSql + ";") + (query.PlanExists ? HistorySql : "");
            await using var connection = await db.OpenForSingleStatementAsync(c);
            await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql,
                new { org, patient = prefetch.Patient, externalId = prefetch.ExternalId, from = query.From, to = query.To }, cancellationToken: c));
            var patient = await grid.ReadSingleOrDefaultAsync<PatientVersionRow>();
            if (patient is null) return null;
            var existing = prefetch.ExternalId is null ? null : await grid.ReadSingleOrDefaultAsync<InjectionRow>();
            var context = query.PlanExists ? await query.ReadHistoryAsync(grid, prefetch.Plan ?? patient.LatestPlan) : query.Read(null, []);
            return new RecordSnapshot(patient.Id, patient.WriteVersion, existing, context);
        }, ct);

    /// <summary>
    /// Stores a record judged on <paramref name="snapshot"/> in one statement (its own transaction) if the patient's
    /// write counter is still the one read: the counter moves on, the injection and its audit entry are inserted, and
    /// the row is returned as stored. Null, with nothing stored, when another writer changed the patient's injections
    /// since the read (the update of the patient's row waits for a writer holding it and then sees its new counter), so
    /// checking and storing stay one atomic step without a transaction open across the check. Not for corrections.
    /// </summary>
    public async Task<InjectionRow?> InsertIfUnchangedAsync(long org, RecordSnapshot snapshot, InjectionInsert row, Guid actor,
        (string Action, object? Detail) audit, CancellationToken ct)
    {
        const string insert = $"""
            with bumped as (
                update patients set write_version = write_version + 1
                where organization_id = @org and id = @patientRowId and write_version = @version
                returning id),
            stored as (
                insert into injections ({InsertColumns})
                select {InsertValues} from bumped
                returning *),
            audited as (
                insert into audit_log (organization_id, actor_key_id, action, entity, entity_id, detail)
                select @org, @actor, @auditAction, 'injection', s.id::text, @auditDetail::jsonb from stored s)
            select {InjectionRow.Columns} from stored i join patients p on p.id = i.patient_id;
            """;
        await using var connection = await db.OpenForSingleStatementAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<InjectionRow>(new CommandDefinition(insert,
            InsertArguments(org, snapshot.PatientRowId, row, actor, audit, null, snapshot.WriteVersion), cancellationToken: ct));
    }

    private const string InsertColumns = """
        id, organization_id, patient_id, procedure, cpt_code, region, laterality, site_detail,
        steroid_drug, steroid_dose_mg, steroid_mpe_mg, date_of_service, plan, external_id, provider_id, image_guidance,
        override_reason, prior_authorization, overridden, supersedes, content_hash, recorded_at, recorded_by, levels
        """;

    private const string InsertValues = """
        @id, @org, @patientRowId, @procedure, @cptCode, @region, @laterality, @detail,
        @drug, @dose, @mpe, @date, @plan, @externalId, @providerId, @imageGuidance,
        @overrideReason, @priorAuthorization, @overridden, @supersedes, @hash, now(), @actor, @levels
        """;

    /// <summary>The parameters of an insert (both paths: the statement names the ones it uses).</summary>
    private static object InsertArguments(long org, long patientRowId, InjectionInsert row, Guid actor, (string Action, object? Detail) audit,
        (string Action, object? Detail)? supersededAudit, long version)
    {
        var injection = row.Injection;
        var clinical = injection.Clinical;
        return new
        {
            id = row.Id, org, patientRowId, procedure = clinical.Procedure.Code, cptCode = clinical.CptCode, region = clinical.Site.Region,
            laterality = clinical.Site.Laterality.ToCode(), detail = clinical.Site.Detail, drug = clinical.Steroid?.Drug,
            dose = clinical.Steroid?.DoseMg, mpe = clinical.Steroid?.MpeMg, date = clinical.Date, plan = injection.Plan,
            externalId = injection.ExternalId, providerId = injection.ProviderId, imageGuidance = injection.ImageGuidance,
            overrideReason = row.OverrideReason, priorAuthorization = injection.PriorAuthorization, overridden = row.Overridden,
            supersedes = injection.Supersedes, hash = row.ContentHash, actor, version, levels = (short)clinical.Levels,
            auditAction = audit.Action, auditDetail = Audit.Json(audit.Detail),
            supersededAction = supersededAudit?.Action, supersededDetail = Audit.Json(supersededAudit?.Detail),
        };
    }

    /// <summary>The unit for one patient (see the overload for several).</summary>
    public Task<PatientWrite> BeginPatientWriteAsync(long org, string patient, CancellationToken ct) => BeginPatientWriteAsync(org, [patient], ct);

    /// <summary>True when <paramref name="e"/> says another request stored this externalId first (its claim in injection_external_ids).</summary>
    public static bool IsExternalIdTaken(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "injection_external_ids_pkey" };

    /// <summary>A write transaction holding its patients' locks (see <see cref="BeginPatientWriteAsync(long, IEnumerable{string}, CancellationToken)"/>).</summary>
    public sealed class PatientWrite(InjectionStore store, NpgsqlConnection connection, NpgsqlTransaction tx, long org, Dictionary<string, long> patientRows)
        : IAsyncDisposable
    {
        private (string ExternalId, InjectionRow? Row)? _externalId;
        private (Prefetch Key, EligibilityContext Context)? _context;

        internal void Remember(string externalId, InjectionRow? row) => _externalId = (externalId, row);
        internal void Remember(Prefetch key, EligibilityContext context) => _context = (key with { ExternalId = null }, context);

        /// <summary>The injection stored with this externalId (voided or not); null when none.</summary>
        public Task<InjectionRow?> FindByExternalIdAsync(string externalId, CancellationToken ct) =>
            _externalId is { } known && known.ExternalId == externalId
                ? Task.FromResult(known.Row)
                : InjectionStore.FindByExternalIdAsync(connection, tx, org, externalId, ct);

        /// <summary>
        /// What a check needs, read inside the lock (see <see cref="InjectionStore.LoadContextAsync(long, string, string?, LocalDate, CancellationToken)"/>);
        /// the prefetched one once, when it was asked for (nothing is written in between: the unit reads before it writes).
        /// </summary>
        public Task<EligibilityContext> LoadContextAsync(string patient, string? plan, LocalDate date, CancellationToken ct)
        {
            if (_context is { } known && known.Key == new Prefetch(patient, plan, date, null))
            {
                _context = null;
                return Task.FromResult(known.Context);
            }
            return store.LoadContextAsync(connection, tx, org, patient, plan, date, ct);
        }

        /// <summary>Locks one of this patient's injections for an update: null when none, else whether it is voided.</summary>
        public Task<bool?> LockInjectionAsync(string patient, Guid id, CancellationToken ct) =>
            connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
                "select voided_at is not null from injections where organization_id = @org and patient_id = @patientRowId and id = @id for update",
                new { org, patientRowId = patientRows[patient], id }, tx, cancellationToken: ct));

        /// <summary>
        /// Inserts the injection (voiding the one it supersedes, if any) with its audit entries, in one round trip, and
        /// returns it as stored. <paramref name="audit"/> is written for the new injection; <paramref name="supersededAudit"/>,
        /// when given, for the one it supersedes.
        /// </summary>
        public Task<InjectionRow> InsertAsync(InjectionInsert row, Guid actor, (string Action, object? Detail) audit,
            (string Action, object? Detail)? supersededAudit, CancellationToken ct)
        {
            // One statement: the insert, the superseded record's void, both audit entries and the row as stored (one
            // executor start over the yearly partitions instead of four).
            const string insert = $"""
                with stored as (
                    insert into injections ({InsertColumns})
                    values ({InsertValues})
                    returning *),
                voided as (
                    update injections set voided_at = now(), voided_by = @actor, void_reason = 'superseded by ' || @id::text, superseded_by = @id
                    where organization_id = @org and id = @supersedes
                    returning id),
                audited as (
                    insert into audit_log (organization_id, actor_key_id, action, entity, entity_id, detail)
                    select @org, @actor, @auditAction, 'injection', s.id::text, @auditDetail::jsonb from stored s
                    union all
                    select @org, @actor, @supersededAction::text, 'injection', v.id::text, @supersededDetail::jsonb from voided v
                    where @supersededAction::text is not null)
                select {InjectionRow.Columns} from stored i join patients p on p.id = i.patient_id;
                """;
            var args = InsertArguments(org, patientRows[row.Injection.PatientId], row, actor, audit, supersededAudit, 0);
            return connection.QuerySingleAsync<InjectionRow>(new CommandDefinition(insert, args, tx, cancellationToken: ct));
        }

        /// <summary>Stores everything written in this unit.</summary>
        public Task CommitAsync(CancellationToken ct) => tx.CommitAsync(ct);

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Injections whose externalId is <c>system|value</c>: with a system, the one exact match; without one (a FHIR token
    /// <c>identifier=value</c>), every system's record with that value, so several can match.
    /// </summary>
    public Task<IReadOnlyList<InjectionRow>> FindByIdentifierAsync(long org, string? system, string value, CancellationToken ct = default)
    {
        const string sql = $"""
            select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org
              and (case when @system::text is null then right(i.external_id, length(@value) + 1) = '|' || @value
                        else i.external_id = @system || '|' || @value end)
            order by i.recorded_at
            """;
        return db.IdempotentAsync<IReadOnlyList<InjectionRow>>(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return (await connection.QueryAsync<InjectionRow>(new CommandDefinition(sql, new { org, system, value }, cancellationToken: c))).ToList();
        }, ct);
    }

    /// <summary>The organization's injection with this id (voided or not); null when none.</summary>
    public Task<InjectionRow?> FindByIdAsync(long org, Guid id, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await connection.QuerySingleOrDefaultAsync<InjectionRow>(new CommandDefinition(
                $"select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id where i.organization_id = @org and i.id = @id",
                new { org, id }, cancellationToken: c));
        }, ct);

    /// <summary>The injection stored with this externalId (voided or not); null when none.</summary>
    public Task<InjectionRow?> FindByExternalIdAsync(long org, string externalId, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await FindByExternalIdAsync(connection, null, org, externalId, c);
        }, ct);

    private const string FindByExternalIdSql = $"""
        select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id
        where i.organization_id = @org and i.external_id = @externalId
        """;

    private static Task<InjectionRow?> FindByExternalIdAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, long org, string externalId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<InjectionRow>(new CommandDefinition(FindByExternalIdSql, new { org, externalId }, tx, cancellationToken: ct));

    /// <summary>
    /// A patient's injections by date (voided ones only when asked); null when the organization has no such patient.
    /// A listing may come from a standby (it may lag a moment behind the primary).
    /// </summary>
    public Task<IReadOnlyList<InjectionRow>?> ListAsync(long org, string patient, bool includeVoided, CancellationToken ct = default)
    {
        const string sql = $"""
            select exists(select 1 from patients where organization_id = @org and external_id = @patient);
            select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and p.organization_id = @org and p.external_id = @patient
              and (@includeVoided or i.voided_at is null)
            order by i.date_of_service, i.recorded_at, i.id;
            """;
        return db.IdempotentAsync<IReadOnlyList<InjectionRow>?>(async c =>
        {
            await using var connection = await db.OpenForLaggingReadAsync(c);
            await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { org, patient, includeVoided }, cancellationToken: c));
            if (!await grid.ReadSingleAsync<bool>()) return null;
            return (await grid.ReadAsync<InjectionRow>()).ToList();
        }, ct);
    }

    /// <summary>
    /// One page of a search, in (date of service, id) order after <paramref name="afterDate"/>/<paramref name="afterId"/>
    /// (keyset paging: a page costs the same however deep), with the number of matches. Every filter is optional;
    /// <paramref name="voided"/> null matches both. Codes match a record's procedure, its CPT code, or (a record without
    /// one) the CPT code its procedure bills by default (<paramref name="defaultCptProcedures"/>). May come from a standby.
    /// </summary>
    public Task<(IReadOnlyList<InjectionRow> Rows, int Total)> SearchAsync(long org, string? patient, Guid? id, LocalDate? from, LocalDate? to,
        bool? voided, string[]? procedures, string[]? cptCodes, string[]? defaultCptProcedures, LocalDate? afterDate, Guid? afterId, int limit,
        CancellationToken ct = default)
    {
        const string where = """
            from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and p.organization_id = @org
              and (@patient::text is null or p.external_id = @patient) and (@id::uuid is null or i.id = @id)
              and (@from::date is null or i.date_of_service >= @from) and (@to::date is null or i.date_of_service <= @to)
              and (@voided::boolean is null or (i.voided_at is not null) = @voided)
              and (not @byCode or i.procedure = any(@procedures) or i.cpt_code = any(@cptCodes)
                   or (i.cpt_code is null and i.procedure = any(@defaultCptProcedures)))
            """;
        const string sql = $"""
            select count(*)::int {where};
            select {InjectionRow.Columns} {where}
              and (@afterDate::date is null or (i.date_of_service, i.id) > (@afterDate, @afterId))
            order by i.date_of_service, i.id
            limit @limit;
            """;
        var byCode = procedures is not null || cptCodes is not null;
        var args = new
        {
            org, patient, id, from, to, voided, byCode, procedures = procedures ?? [], cptCodes = cptCodes ?? [],
            defaultCptProcedures = defaultCptProcedures ?? [], afterDate, afterId = afterId ?? Guid.Empty, limit,
        };
        return db.IdempotentAsync<(IReadOnlyList<InjectionRow>, int)>(async c =>
        {
            await using var connection = await db.OpenForLaggingReadAsync(c);
            await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, args, cancellationToken: c));
            var total = await grid.ReadSingleAsync<int>();
            return ((await grid.ReadAsync<InjectionRow>()).ToList(), total);
        }, ct);
    }

    /// <summary>Voids an injection (it stops counting, stays in the history) and audits who and why.</summary>
    public async Task<(VoidOutcome Outcome, InjectionRow? Injection)> VoidAsync(long org, string patient, Guid id, string reason, Guid actor,
        CancellationToken ct = default)
    {
        const string find = """
            select i.voided_at is not null from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and p.external_id = @patient and i.id = @id
            for update of i
            """;
        const string update = $"""
            update injections set voided_at = now(), voided_by = @actor, void_reason = @reason where organization_id = @org and id = @id;
            select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id where i.id = @id;
            """;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var voided = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(find, new { org, patient, id }, tx, cancellationToken: ct));
        if (voided is null) return (VoidOutcome.NotFound, null);
        if (voided.Value) return (VoidOutcome.AlreadyVoided, null);
        var row = await connection.QuerySingleAsync<InjectionRow>(new CommandDefinition(update, new { org, id, reason, actor }, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, org, actor, "void", "injection", id.ToString(), null, ct);
        await tx.CommitAsync(ct);
        return (VoidOutcome.Voided, row);
    }
}

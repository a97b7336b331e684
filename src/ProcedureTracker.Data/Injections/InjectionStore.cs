using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Injections;

/// <summary>What a check needs: the plan it is judged under, every policy version it can meet, and the patient's history within reach of them.</summary>
/// <param name="PlanExists">False when a plan was named that the organization does not have.</param>
/// <param name="Plan">The plan judged under: the named one, else the plan of the patient's latest injection that has one; null when neither.</param>
/// <param name="PlanInferred">True when no plan was named and <paramref name="Plan"/> came from the patient's latest injection.</param>
/// <param name="Policies">Every version of the plan and of each always-apply policy that governs some day from the date to two years later.</param>
/// <param name="History">Non-voided records the rules can reach from those days, by date.</param>
public sealed record EligibilityContext(bool PlanExists, string? Plan, bool PlanInferred, IReadOnlyList<Policy> Policies, IReadOnlyList<InjectionRecord> History);

/// <summary>Injections: the eligibility context, the atomic check-and-record, history and voids.</summary>
public sealed class InjectionStore(TrackerDatabase db, EligibilityEvaluator evaluator)
{
    /// <summary>Days from the asked date to the end of the earliest-date search (two years, with a leap day to spare).</summary>
    private const string SearchDays = "731";

    // The plan (named, or the latest injection's), then every version of it and of each policy that has an always-apply
    // version, with the day the next version of its code takes over, kept when it governs some day of [date, date + 2y].
    private const string Reachable = $"""
        chosen as (
            select coalesce(@plan::text, (
                select i.plan from injections i join patients p on p.id = i.patient_id
                where i.organization_id = @org and p.organization_id = @org and p.external_id = @patient
                  and i.voided_at is null and i.plan is not null
                order by i.date_of_service desc, i.recorded_at desc limit 1)) as plan),
        codes as (
            select (select plan from chosen) as code
            union select distinct policy_code from policy_versions where organization_id = @org and always_apply),
        versions as (
            select v.*, lead(v.effective_from) over (partition by v.policy_code order by v.effective_from nulls first, v.version) as next_from
            from policy_versions v where v.organization_id = @org and v.policy_code in (select code from codes)),
        reachable as (
            select * from versions
            where (effective_from is null or effective_from <= @date + {SearchDays}) and (next_from is null or next_from > @date))
        """;

    // One round trip: whether the named plan exists, the plan chosen, the reachable versions, and the history bounded by
    // the longest reach of their rules (a min-interval of N days, or one year for any window) around [date, date + 2y].
    private const string ContextSql = $"""
        select exists(select 1 from policies where organization_id = @org and code = @plan);
        with {Reachable}
        select plan from chosen;
        with {Reachable}
        select policy_code as PolicyCode, version, name, plan_year_start as PlanYearStart, always_apply as AlwaysApply,
               effective_from as EffectiveFrom, rules::text as Rules, created_at as CreatedAt
        from reachable order by policy_code, effective_from nulls first, version;
        with {Reachable},
        reach as (
            select greatest(366, coalesce(max((r ->> 'days')::int), 0)) as days
            from reachable f cross join lateral jsonb_array_elements(f.rules) r)
        select i.id, i.procedure, i.region, i.laterality, i.site_detail as SiteDetail, i.steroid_drug as SteroidDrug,
               i.steroid_dose_mg as SteroidDoseMg, i.steroid_mpe_mg as SteroidMpeMg, i.date_of_service as DateOfService
        from injections i join patients p on p.id = i.patient_id
        where i.organization_id = @org and p.organization_id = @org and p.external_id = @patient and i.voided_at is null
          and i.date_of_service >= @date - (select days from reach)
          and i.date_of_service <= @date + {SearchDays} + (select days from reach)
        order by i.date_of_service
        """;

    /// <summary>Loads what a check of <paramref name="patient"/> on <paramref name="date"/> under <paramref name="plan"/> needs, in one round trip.</summary>
    public Task<EligibilityContext> LoadContextAsync(long org, string patient, string? plan, LocalDate date, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await LoadContextAsync(connection, null, org, patient, plan, date, c);
        }, ct);

    private static async Task<EligibilityContext> LoadContextAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, long org, string patient,
        string? plan, LocalDate date, CancellationToken ct)
    {
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(ContextSql, new { org, patient, plan, date }, tx, cancellationToken: ct));
        var planExists = await grid.ReadSingleAsync<bool>() || plan is null;
        var chosen = await grid.ReadSingleOrDefaultAsync<string?>();
        var policies = (await grid.ReadAsync<PolicyRow>()).Select(r => r.ToVersion().Policy).ToList();
        var history = (await grid.ReadAsync<InjectionRow>()).Select(r => r.ToRecord()).ToList();
        return new EligibilityContext(planExists, chosen, plan is null && chosen is not null, policies, history);
    }

    /// <summary>
    /// Judges <paramref name="proposal"/> against a loaded context, adding the warning that says which plan was used
    /// when none was named.
    /// </summary>
    public EligibilityResult Evaluate(ProposedInjection proposal, IReadOnlyList<InjectionRecord> history, EligibilityContext context)
    {
        var result = evaluator.Evaluate(proposal, history, context.Policies, context.Plan);
        return context.PlanInferred
            ? result.WithUnchecked($"No plan was named: the plan of the patient's latest injection, '{context.Plan}', was used.")
            : result;
    }

    /// <summary>Evaluates a proposal against the stored history (no lock: a read).</summary>
    public async Task<(bool PlanExists, EligibilityResult Result)> CheckAsync(long org, string patient, string? plan, ProposedInjection proposal,
        CancellationToken ct = default)
    {
        var context = await LoadContextAsync(org, patient, plan, proposal.Date, ct);
        return (context.PlanExists, Evaluate(proposal, context.History, context));
    }

    /// <summary>
    /// Checks and stores one injection as a single atomic step: a transaction-scoped advisory lock per patient
    /// serializes concurrent requests for that patient, so together they can never exceed a limit. A repeated
    /// externalId returns the first record (identical content) or a conflict, also under parallel retries.
    /// </summary>
    public async Task<RecordOutcome> RecordAsync(long org, NewInjection injection, Guid actor, CancellationToken ct = default)
    {
        var hash = injection.ContentHash();
        // Retrying is safe only when an externalId makes the request idempotent.
        if (injection.ExternalId is null) return await RecordOnceAsync(org, injection, hash, actor, ct);
        return await db.IdempotentAsync(c => RecordOnceAsync(org, injection, hash, actor, c), ct);
    }

    private async Task<RecordOutcome> RecordOnceAsync(long org, NewInjection injection, byte[] hash, Guid actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            var outcome = await RecordInTransactionAsync(connection, tx, org, injection, hash, actor, ct);
            if (outcome is RecordOutcome.Created) await tx.CommitAsync(ct);
            else await tx.RollbackAsync(ct);
            return outcome;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "injections_external_id")
        {
            // Another patient's request stored this externalId first (different patients do not share a lock).
            var existing = await FindByExternalIdAsync(connection, null, org, injection.ExternalId!, ct);
            return Replay(existing!, injection, hash);
        }
    }

    private async Task<RecordOutcome> RecordInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long org,
        NewInjection injection, byte[] hash, Guid actor, CancellationToken ct)
    {
        const string lockAndPatient = """
            select pg_advisory_xact_lock(@org::int, hashtext(@patient));
            insert into patients (organization_id, external_id) values (@org, @patient) on conflict (organization_id, external_id) do nothing;
            select id from patients where organization_id = @org and external_id = @patient;
            """;
        long patientRowId;
        await using (var grid = await connection.QueryMultipleAsync(new CommandDefinition(lockAndPatient, new { org, patient = injection.PatientId }, tx, cancellationToken: ct)))
        {
            await grid.ReadAsync();
            patientRowId = await grid.ReadSingleAsync<long>();
        }

        if (injection.ExternalId is not null && await FindByExternalIdAsync(connection, tx, org, injection.ExternalId, ct) is { } existing)
            return Replay(existing, injection, hash);

        var clinical = injection.Clinical;
        var context = await LoadContextAsync(connection, tx, org, injection.PatientId, injection.Plan, clinical.Date, ct);
        if (!context.PlanExists) return new RecordOutcome.Invalid("plan", $"Unknown plan '{injection.Plan}'.");

        var history = context.History;
        if (injection.Supersedes is { } old)
        {
            const string find = """
                select voided_at is not null from injections where organization_id = @org and patient_id = @patientRowId and id = @old for update
                """;
            var voided = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(find, new { org, patientRowId, old }, tx, cancellationToken: ct));
            if (voided is null) return new RecordOutcome.Invalid("supersedes", $"No injection {old} for this patient.");
            if (voided.Value) return new RecordOutcome.Conflict($"Injection {old} is already voided and cannot be superseded.");
            history = history.Where(r => r.Id != old).ToList();
        }

        var proposal = new ProposedInjection(clinical.Procedure.Code, clinical.Site, clinical.Steroid, clinical.Date);
        var eligibility = Evaluate(proposal, history, context);
        if (!eligibility.Eligible && injection.OverrideReason is null && injection.PriorAuthorization is null && injection.OverLimitReason is null)
            return new RecordOutcome.Refused(eligibility);

        const string insert = $"""
            insert into injections (id, organization_id, patient_id, procedure, cpt_code, region, laterality, site_detail,
                steroid_drug, steroid_dose_mg, steroid_mpe_mg, date_of_service, plan, external_id, provider_id, image_guidance,
                override_reason, prior_authorization, overridden, supersedes, content_hash, recorded_at, recorded_by)
            values (@id, @org, @patientRowId, @procedure, @cptCode, @region, @laterality, @detail,
                @drug, @dose, @mpe, @date, @plan, @externalId, @providerId, @imageGuidance,
                @overrideReason, @priorAuthorization, @overridden, @supersedes, @hash, now(), @actor);
            update injections set voided_at = now(), voided_by = @actor, void_reason = 'superseded by ' || @id::text, superseded_by = @id
            where organization_id = @org and id = @supersedes;
            select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id where i.id = @id;
            """;
        var id = Guid.CreateVersion7();
        var args = new
        {
            id, org, patientRowId, procedure = clinical.Procedure.Code, cptCode = clinical.CptCode, region = clinical.Site.Region,
            laterality = clinical.Site.Laterality.ToCode(), detail = clinical.Site.Detail, drug = clinical.Steroid?.Drug,
            dose = clinical.Steroid?.DoseMg, mpe = clinical.Steroid?.MpeMg, date = clinical.Date, plan = injection.Plan,
            externalId = injection.ExternalId, providerId = injection.ProviderId, imageGuidance = injection.ImageGuidance,
            overrideReason = injection.OverrideReason ?? (eligibility.Eligible ? null : injection.OverLimitReason), priorAuthorization = injection.PriorAuthorization,
            overridden = !eligibility.Eligible, supersedes = injection.Supersedes, hash, actor,
        };
        var row = await connection.QuerySingleAsync<InjectionRow>(new CommandDefinition(insert, args, tx, cancellationToken: ct));
        await Audit.WriteAsync(connection, tx, org, actor, row.Overridden ? "record-override" : "record", "injection", id.ToString(),
            row.Overridden ? new { ruleIds = eligibility.Violations.Select(v => $"{v.Policy}/{v.RuleId}") } : null, ct);
        if (injection.Supersedes is { } superseded)
            await Audit.WriteAsync(connection, tx, org, actor, "void", "injection", superseded.ToString(), new { supersededBy = id }, ct);
        return new RecordOutcome.Created(row, eligibility);
    }

    private static RecordOutcome Replay(InjectionRow existing, NewInjection injection, byte[] hash) =>
        existing.ContentHash.AsSpan().SequenceEqual(hash)
            ? new RecordOutcome.Replayed(existing)
            : new RecordOutcome.Conflict($"externalId '{injection.ExternalId}' is already used by injection {existing.Id} with different content.");

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

    /// <summary>The injection stored with this externalId (voided or not); null when none.</summary>
    public Task<InjectionRow?> FindByExternalIdAsync(long org, string externalId, CancellationToken ct = default) =>
        db.IdempotentAsync(async c =>
        {
            await using var connection = await db.OpenAsync(c);
            return await FindByExternalIdAsync(connection, null, org, externalId, c);
        }, ct);

    private static Task<InjectionRow?> FindByExternalIdAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, long org, string externalId, CancellationToken ct)
    {
        const string sql = $"""
            select {InjectionRow.Columns} from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and i.external_id = @externalId
            """;
        return connection.QuerySingleOrDefaultAsync<InjectionRow>(new CommandDefinition(sql, new { org, externalId }, tx, cancellationToken: ct));
    }

    /// <summary>A patient's injections by date (voided ones only when asked); null when the organization has no such patient.</summary>
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
            await using var connection = await db.OpenAsync(c);
            await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, new { org, patient, includeVoided }, cancellationToken: c));
            if (!await grid.ReadSingleAsync<bool>()) return null;
            return (await grid.ReadAsync<InjectionRow>()).ToList();
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

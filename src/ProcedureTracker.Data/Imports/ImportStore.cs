using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Imports;

/// <summary>One validated import row, with its line in the file (the header is line 1).</summary>
public sealed record ImportRow(int Line, NewInjection Injection);

/// <summary>What happened to one row of a batch.</summary>
public abstract record ImportRowOutcome(int Line)
{
    public sealed record Imported(int Line, IReadOnlyList<string> OverLimitRuleIds) : ImportRowOutcome(Line);
    public sealed record Unchanged(int Line) : ImportRowOutcome(Line);
    public sealed record Rejected(int Line, string Field, string Message) : ImportRowOutcome(Line);
}

/// <summary>
/// Imports history in batches: one transaction per batch, the batch's patients locked like single records (so checks
/// and records running meanwhile stay consistent), their histories read once, rows judged in file order against what
/// is stored plus the rows before them, and all new rows inserted with one statement. History that breaks a rule is
/// still imported (it happened), flagged as overridden. Every row needs an externalId, so a re-run changes nothing.
/// </summary>
public sealed class ImportStore(TrackerDatabase db, EligibilityEvaluator evaluator)
{
    /// <summary>The text stored as the override reason of imported rows that break a rule.</summary>
    public const string OverLimitReason = "Imported history: over a limit when imported";

    /// <summary>Imports one batch; retried as a whole on transient failures (a batch is idempotent by externalId).</summary>
    public Task<IReadOnlyList<ImportRowOutcome>> ImportBatchAsync(long org, IReadOnlyList<ImportRow> rows, IReadOnlyList<Policy> versions, Guid actor,
        CancellationToken ct) =>
        db.IdempotentAsync(c => ImportOnceAsync(org, rows, versions, actor, c), ct);

    private async Task<IReadOnlyList<ImportRowOutcome>> ImportOnceAsync(long org, IReadOnlyList<ImportRow> rows, IReadOnlyList<Policy> versions,
        Guid actor, CancellationToken ct)
    {
        var patients = rows.Select(r => r.Injection.PatientId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var externalIds = rows.Select(r => r.Injection.ExternalId!).Distinct(StringComparer.Ordinal).ToArray();
        const string prepare = """
            select count(*) from (select p from unnest(@patients::text[]) as p order by p) s
                cross join lateral (select pg_advisory_xact_lock(@org::int, hashtext(s.p))) l;
            insert into patients (organization_id, external_id) select @org, p from unnest(@patients::text[]) as p
                on conflict (organization_id, external_id) do nothing;
            select id, external_id from patients where organization_id = @org and external_id = any(@patients);
            select i.external_id, p.external_id as patient, i.content_hash from injections i join patients p on p.id = i.patient_id
                where i.organization_id = @org and i.external_id = any(@externalIds);
            select p.external_id as PatientId, i.id, i.procedure, i.region, i.laterality, i.site_detail as SiteDetail, i.steroid_drug as SteroidDrug,
                   i.steroid_dose_mg as SteroidDoseMg, i.steroid_mpe_mg as SteroidMpeMg, i.date_of_service as DateOfService
            from injections i join patients p on p.id = i.patient_id
            where i.organization_id = @org and p.organization_id = @org and p.external_id = any(@patients) and i.voided_at is null;
            """;
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        Dictionary<string, long> patientIds;
        Dictionary<string, byte[]> stored;
        Dictionary<string, List<InjectionRecord>> histories;
        await using (var grid = await connection.QueryMultipleAsync(new CommandDefinition(prepare, new { org, patients, externalIds }, tx, cancellationToken: ct)))
        {
            await grid.ReadAsync();
            patientIds = (await grid.ReadAsync<(long Id, string ExternalId)>()).ToDictionary(p => p.ExternalId, p => p.Id, StringComparer.Ordinal);
            stored = (await grid.ReadAsync<(string ExternalId, string Patient, byte[] Hash)>()).ToDictionary(e => e.ExternalId, e => e.Hash, StringComparer.Ordinal);
            histories = (await grid.ReadAsync<InjectionRow>()).GroupBy(r => r.PatientId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(r => r.ToRecord()).ToList(), StringComparer.Ordinal);
        }

        var outcomes = new List<ImportRowOutcome>(rows.Count);
        var inserts = new List<(ImportRow Row, Guid Id, byte[] Hash, IReadOnlyList<string> RuleIds)>();
        foreach (var row in rows)
        {
            var injection = row.Injection;
            var hash = injection.ContentHash();
            if (stored.TryGetValue(injection.ExternalId!, out var existing))
            {
                outcomes.Add(existing.AsSpan().SequenceEqual(hash)
                    ? new ImportRowOutcome.Unchanged(row.Line)
                    : new ImportRowOutcome.Rejected(row.Line, "externalId", $"externalId '{injection.ExternalId}' is already used by a record with different content."));
                continue;
            }
            var c = injection.Clinical;
            var history = histories.TryGetValue(injection.PatientId, out var h) ? h : histories[injection.PatientId] = [];
            var result = evaluator.Evaluate(new ProposedInjection(c.Procedure.Code, c.Site, c.Steroid, c.Date), history, versions, injection.Plan);
            var id = Guid.CreateVersion7();
            var ruleIds = result.Violations.Select(v => $"{v.Policy}/{v.RuleId}").ToList();
            history.Add(new InjectionRecord(id, c.Procedure.Code, c.Site, c.Steroid, c.Date));
            stored[injection.ExternalId!] = hash;
            inserts.Add((row, id, hash, ruleIds));
            outcomes.Add(new ImportRowOutcome.Imported(row.Line, ruleIds));
        }

        if (inserts.Count > 0) await InsertAsync(connection, tx, org, patientIds, inserts, actor, ct);
        await tx.CommitAsync(ct);
        return outcomes;
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long org, Dictionary<string, long> patientIds,
        List<(ImportRow Row, Guid Id, byte[] Hash, IReadOnlyList<string> RuleIds)> inserts, Guid actor, CancellationToken ct)
    {
        const string sql = """
            insert into injections (id, organization_id, patient_id, procedure, cpt_code, region, laterality, site_detail, steroid_drug,
                steroid_dose_mg, steroid_mpe_mg, date_of_service, plan, external_id, provider_id, image_guidance, override_reason,
                overridden, content_hash, recorded_at, recorded_by)
            select u.id, @org, u.patient_id, u.procedure, u.cpt_code, u.region, u.laterality, u.site_detail, u.steroid_drug,
                u.dose, u.mpe, u.date_of_service, u.plan, u.external_id, u.provider_id, u.image_guidance,
                case when u.overridden then @reason end, u.overridden, u.content_hash, now(), @actor
            from unnest(@ids, @patientIds, @procedures, @cptCodes, @regions, @lateralities, @details, @drugs, @doses, @mpes, @dates,
                        @plans, @externalIds, @providers, @guidance, @overridden, @hashes)
                as u(id, patient_id, procedure, cpt_code, region, laterality, site_detail, steroid_drug, dose, mpe, date_of_service,
                     plan, external_id, provider_id, image_guidance, overridden, content_hash);
            insert into audit_log (organization_id, actor_key_id, action, entity, entity_id)
            select @org, @actor, 'import', 'injection', unnest(@ids)::text;
            """;
        await using var command = new NpgsqlCommand(sql, connection, tx);
        void Add<T>(string name, Func<(ImportRow Row, Guid Id, byte[] Hash, IReadOnlyList<string> RuleIds), T> get) =>
            command.Parameters.Add(new NpgsqlParameter(name, inserts.Select(get).ToArray()));
        command.Parameters.AddWithValue("org", org);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("reason", OverLimitReason);
        Add("ids", x => x.Id);
        Add("patientIds", x => patientIds[x.Row.Injection.PatientId]);
        Add("procedures", x => x.Row.Injection.Clinical.Procedure.Code);
        Add("cptCodes", x => x.Row.Injection.Clinical.CptCode);
        Add("regions", x => x.Row.Injection.Clinical.Site.Region);
        Add("lateralities", x => x.Row.Injection.Clinical.Site.Laterality.ToCode());
        Add("details", x => x.Row.Injection.Clinical.Site.Detail);
        Add("drugs", x => x.Row.Injection.Clinical.Steroid?.Drug);
        Add("doses", x => x.Row.Injection.Clinical.Steroid?.DoseMg);
        Add("mpes", x => x.Row.Injection.Clinical.Steroid?.MpeMg);
        Add("dates", x => x.Row.Injection.Clinical.Date.ToDateOnly());
        Add("plans", x => x.Row.Injection.Plan);
        Add("externalIds", x => x.Row.Injection.ExternalId);
        Add("providers", x => x.Row.Injection.ProviderId);
        Add("guidance", x => x.Row.Injection.ImageGuidance);
        Add("overridden", x => x.RuleIds.Count > 0);
        Add("hashes", x => x.Hash);
        await command.ExecuteNonQueryAsync(ct);
    }
}

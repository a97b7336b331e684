using ProcedureTracker.Application.Eligibility;
using ProcedureTracker.Data;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Application.Injections;

/// <summary>What happened to a request to record an injection.</summary>
public abstract record RecordOutcome
{
    private RecordOutcome() { }

    /// <summary>Stored now (possibly over a limit with an override).</summary>
    public sealed record Created(InjectionRow Injection, EligibilityResult Eligibility) : RecordOutcome;

    /// <summary>The same externalId with identical content was stored before: the first record, nothing new stored.</summary>
    public sealed record Replayed(InjectionRow Injection) : RecordOutcome;

    /// <summary>Breaks a rule and no override was given: nothing stored.</summary>
    public sealed record Refused(EligibilityResult Eligibility) : RecordOutcome;

    /// <summary>A field refers to something that does not exist (unknown plan, unknown superseded record).</summary>
    public sealed record Invalid(string Field, string Message) : RecordOutcome;

    /// <summary>The externalId is taken by different content, or the superseded record is already voided.</summary>
    public sealed record Conflict(string Detail) : RecordOutcome;
}

/// <summary>
/// Checks and stores one injection as a single atomic step: judged on a read of the patient's history and stored by one
/// statement only if nothing was written for the patient since (<see cref="InjectionStore.InsertIfUnchangedAsync"/>;
/// judged again otherwise), or, for a patient's first record, a correction, a batch or after repeated interference, in
/// one transaction under the patient's lock (<see cref="InjectionStore.BeginPatientWriteAsync"/>). Over a limit it is
/// refused unless it carries an override reason, a prior-authorization number, or is a performed procedure reported by
/// the EHR (stored, flagged overridden). A repeated externalId returns the first record (identical content) or a
/// conflict, also under parallel retries.
/// </summary>
public sealed class RecordInjection(InjectionStore injections, EligibilityEvaluator evaluator, TrackerDatabase db)
{
    public async Task<RecordOutcome> RunAsync(Caller caller, NewInjection injection, CancellationToken ct)
    {
        var hash = injection.ContentHash();
        // Retrying is safe only when an externalId makes the request idempotent.
        var outcome = injection.ExternalId is null
            ? await OnceAsync(caller, injection, hash, ct)
            : await db.IdempotentAsync(c => OnceAsync(caller, injection, hash, c), ct);
        Telemetry.Records.Add(1, new("door", caller.Door), new("outcome", outcome switch
        {
            RecordOutcome.Created { Injection.Overridden: true } => "over-limit",
            RecordOutcome.Created => "created",
            RecordOutcome.Replayed => "replayed",
            RecordOutcome.Refused => "refused",
            RecordOutcome.Invalid => "invalid",
            _ => "conflict",
        }));
        return outcome;
    }

    /// <summary>How many times a record is judged without the lock before it takes it (each retry follows another writer's commit).</summary>
    private const int UnlockedAttempts = 3;

    private async Task<RecordOutcome> OnceAsync(Caller caller, NewInjection injection, byte[] hash, CancellationToken ct)
    {
        try
        {
            await db.EnsurePartitionYearsAsync([injection.Clinical.Date.Year], ct);
            // Without a transaction held across the check: read, judge, store if unchanged (two round trips, the database's
            // least work per record). A correction locks the record it supersedes, so it takes the patient's lock.
            for (var attempt = 0; injection.Supersedes is null && attempt < UnlockedAttempts; attempt++)
            {
                var (unlocked, retry) = await TryUnlockedAsync(caller, injection, hash, ct);
                if (unlocked is not null) return unlocked;
                if (!retry) break;
            }
            // The lock, the externalId lookup and the context in one round trip.
            await using var write = await injections.BeginPatientWriteAsync(caller.Organization.Id, [injection.PatientId],
                injection, ct);
            var outcome = await RecordInAsync(write, caller, injection, hash, ct);
            if (outcome is RecordOutcome.Created) await write.CommitAsync(ct);
            return outcome;
        }
        catch (Exception e) when (InjectionStore.IsExternalIdTaken(e))
        {
            // Another patient's request stored this externalId first (different patients do not share a lock).
            var existing = await injections.FindByExternalIdAsync(caller.Organization.Id, injection.ExternalId!, ct);
            return Replay(existing!, injection, hash);
        }
    }

    /// <summary>
    /// One attempt without the lock: the outcome, or none with whether to try again (the patient changed since the read)
    /// or take the lock at once (the organization has no such patient yet: its row is made under the lock).
    /// </summary>
    private async Task<(RecordOutcome? Outcome, bool Retry)> TryUnlockedAsync(Caller caller, NewInjection injection, byte[] hash, CancellationToken ct)
    {
        var snapshot = await injections.ReadForRecordAsync(caller.Organization.Id, injection, ct);
        if (snapshot is null) return (null, false);
        if (snapshot.ExternalIdRow is { } existing) return (Replay(existing, injection, hash), false);
        var decision = Decide(injection, hash, snapshot.Context, snapshot.Context.History);
        if (decision.Final is { } final) return (final, false);
        var row = await injections.InsertIfUnchangedAsync(caller.Organization.Id, snapshot, decision.Insert!, caller.ActorId, decision.Audit, ct);
        return row is null ? (null, true) : (new RecordOutcome.Created(row, decision.Eligibility!), false);
    }

    /// <summary>The judgement of one injection on a context: a final outcome (unknown plan, refused), or what to insert.</summary>
    private (RecordOutcome? Final, EligibilityResult? Eligibility, InjectionInsert? Insert, (string Action, object? Detail) Audit) Decide(
        NewInjection injection, byte[] hash, EligibilityContext context, IReadOnlyList<InjectionRecord> history)
    {
        if (!context.PlanExists) return (new RecordOutcome.Invalid("plan", $"Unknown plan '{injection.Plan}'."), null, null, default);
        var clinical = injection.Clinical;
        var proposal = new ProposedInjection(clinical.Procedure.Code, clinical.Site, clinical.Steroid, clinical.Date);
        var eligibility = CheckEligibility.Judge(evaluator, proposal, history, context);
        if (!eligibility.Eligible && !MayExceed(injection)) return (new RecordOutcome.Refused(eligibility), eligibility, null, default);

        var id = Guid.CreateVersion7();
        var reason = injection.OverrideReason ?? (eligibility.Eligible ? null : injection.OverLimitReason);
        var overridden = !eligibility.Eligible;
        return (null, eligibility, new InjectionInsert(id, injection, hash, overridden, reason),
            (overridden ? "record-override" : "record", overridden ? new { ruleIds = eligibility.Violations.Select(v => $"{v.Policy}/{v.RuleId}") } : null));
    }

    /// <summary>
    /// Checks and writes one injection inside <paramref name="write"/> (which holds the patient's lock) without
    /// committing: the caller commits when every write of its unit is Created or Replayed.
    /// </summary>
    internal async Task<RecordOutcome> RecordInAsync(InjectionStore.PatientWrite write, Caller caller, NewInjection injection, byte[] hash,
        CancellationToken ct)
    {
        if (injection.ExternalId is not null && await write.FindByExternalIdAsync(injection.ExternalId, ct) is { } existing)
            return Replay(existing, injection, hash);

        var context = await write.LoadContextAsync(injection.PatientId, injection.Plan, injection.Clinical.Date, ct);
        if (!context.PlanExists) return new RecordOutcome.Invalid("plan", $"Unknown plan '{injection.Plan}'.");

        var history = context.History;
        if (injection.Supersedes is { } old)
        {
            var voided = await write.LockInjectionAsync(injection.PatientId, old, ct);
            if (voided is null) return new RecordOutcome.Invalid("supersedes", $"No injection {old} for this patient.");
            if (voided.Value) return new RecordOutcome.Conflict($"Injection {old} is already voided and cannot be superseded.");
            history = CheckEligibility.WithoutReplaced(history, old);
        }

        var decision = Decide(injection, hash, context, history);
        if (decision.Final is { } final) return final;
        var row = await write.InsertAsync(decision.Insert!, caller.ActorId, decision.Audit,
            injection.Supersedes is null ? null : ("void", new { supersededBy = decision.Insert!.Id }), ct);
        return new RecordOutcome.Created(row, decision.Eligibility!);
    }

    /// <summary>
    /// Records several injections all or nothing, in one transaction holding every patient's lock: either each is Created
    /// (or Replayed: the same externalId and content stored before) and all are committed, or nothing is stored and the
    /// answer names the first entry that failed. Retried as a whole on transient failures (every entry has an externalId).
    /// </summary>
    public Task<(IReadOnlyList<RecordOutcome> Outcomes, int? FailedAt)> RunAllAsync(Caller caller, IReadOnlyList<NewInjection> batch, CancellationToken ct) =>
        db.IdempotentAsync(async c =>
        {
            await db.EnsurePartitionYearsAsync(batch.Select(i => i.Clinical.Date.Year), c);
            await using var write = await injections.BeginPatientWriteAsync(caller.Organization.Id, batch.Select(i => i.PatientId), c);
            var outcomes = new List<RecordOutcome>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                var outcome = await RecordInAsync(write, caller, batch[i], batch[i].ContentHash(), c);
                outcomes.Add(outcome);
                if (outcome is not (RecordOutcome.Created or RecordOutcome.Replayed)) return ((IReadOnlyList<RecordOutcome>)outcomes, (int?)i);
            }
            await write.CommitAsync(c);
            return ((IReadOnlyList<RecordOutcome>)outcomes, (int?)null);
        }, ct);

    /// <summary>Over a limit, an injection is stored only with a documented reason, a prior authorization, or as a performed procedure.</summary>
    private static bool MayExceed(NewInjection injection) =>
        injection.OverrideReason is not null || injection.PriorAuthorization is not null || injection.OverLimitReason is not null;

    private static RecordOutcome Replay(InjectionRow existing, NewInjection injection, byte[] hash) =>
        existing.ContentHash.AsSpan().SequenceEqual(hash)
            ? new RecordOutcome.Replayed(existing)
            : new RecordOutcome.Conflict($"externalId '{injection.ExternalId}' is already used by injection {existing.Id} with different content.");
}

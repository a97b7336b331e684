using ProcedureTracker.Domain.Eligibility;

namespace ProcedureTracker.Data.Injections;

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

/// <summary>What happened to a void request.</summary>
public enum VoidOutcome
{
    /// <summary>Voided now.</summary>
    Voided,
    /// <summary>No such injection for this patient in this organization.</summary>
    NotFound,
    /// <summary>Already voided.</summary>
    AlreadyVoided,
}

namespace ProcedureTracker.Data.Injections;

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

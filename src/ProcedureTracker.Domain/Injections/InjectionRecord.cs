using NodaTime;

namespace ProcedureTracker.Domain.Injections;

/// <summary>One recorded injection as the rules see it. Voided records stay in the history but never count.</summary>
/// <param name="Id">The record's id.</param>
/// <param name="Procedure">Procedure code from the catalog.</param>
/// <param name="Site">Where it was given.</param>
/// <param name="Steroid">The steroid given; null when none (local anaesthetic alone is "no steroid").</param>
/// <param name="DateOfService">Date of service in the clinic's time zone.</param>
/// <param name="IsVoided">True when the record was voided; voided records are ignored by every rule.</param>
public sealed record InjectionRecord(
    Guid Id, string Procedure, BodySite Site, SteroidUse? Steroid, LocalDate DateOfService, bool IsVoided = false);

/// <summary>An injection a clinician proposes to give, asked about before it happens.</summary>
/// <param name="Procedure">Procedure code from the catalog.</param>
/// <param name="Site">Where it would be given.</param>
/// <param name="Steroid">The steroid it would use; null when none.</param>
/// <param name="Date">The proposed date of service.</param>
public sealed record ProposedInjection(string Procedure, BodySite Site, SteroidUse? Steroid, LocalDate Date);

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ProcedureTracker.Domain.Injections;

/// <summary>An injection to record, validated. <paramref name="OverLimitReason"/>: when set, a record that breaks a rule
/// is stored anyway, flagged overridden with this reason (a procedure the EHR reports as performed already happened).</summary>
public sealed record NewInjection(
    string PatientId,
    ClinicalFields Clinical,
    string? Plan,
    string? ExternalId,
    string? ProviderId,
    string? ImageGuidance,
    string? OverrideReason,
    string? PriorAuthorization,
    Guid? Supersedes,
    string? OverLimitReason = null)
{
    /// <summary>
    /// SHA-256 over every field the client sent, normalized (40 and 40.0 mg are equal), so a retry with the same
    /// externalId can be told apart from a different record reusing it.
    /// </summary>
    public byte[] ContentHash()
    {
        var c = Clinical;
        string?[] parts =
        [
            PatientId, c.Procedure.Code, c.CptCode, c.Site.Region, c.Site.Laterality.ToCode(), c.Site.Detail,
            c.Steroid?.Drug, c.Steroid?.DoseMg.ToString("0.############", CultureInfo.InvariantCulture),
            c.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Plan, ExternalId, ProviderId, ImageGuidance,
            OverrideReason, PriorAuthorization, Supersedes?.ToString(),
        ];
        // Levels joined the record later: one level (the default) leaves the hash as records made before had it.
        if (c.Levels != 1) parts = [.. parts, "levels=" + c.Levels.ToString(CultureInfo.InvariantCulture)];
        return SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.Select(p => p ?? "\u0000"))));
    }
}

/// <summary>A row to insert, as the record use case decided it.</summary>
/// <param name="Id">The new record's id (UUIDv7).</param>
/// <param name="Injection">What to store.</param>
/// <param name="ContentHash">The injection's <see cref="NewInjection.ContentHash"/>, kept to tell retries from conflicts.</param>
/// <param name="Overridden">True when it was stored over a limit.</param>
/// <param name="OverrideReason">The reason stored with it (the client's, or the reason a reported procedure is stored anyway).</param>
public sealed record InjectionInsert(Guid Id, NewInjection Injection, byte[] ContentHash, bool Overridden, string? OverrideReason);

/// <summary>A line of a history import: its line number in the file and the injection it holds, validated.</summary>
public sealed record ImportRow(int Line, NewInjection Injection);

using Dapper;

namespace ProcedureTracker.Data.Web;

/// <summary>
/// The one-time tokens of the web application's forms (<c>form_submissions</c>): a token is claimed by at most one
/// request, whichever process serves it, so a form is carried out once however often the browser posts it.
/// </summary>
public sealed class FormSubmissionStore(TrackerDatabase db)
{
    /// <summary>True when this request claimed the token; false when another request claimed it first.</summary>
    public async Task<bool> ClaimAsync(Guid token, Guid actor, CancellationToken ct)
    {
        const string sql = """
            insert into form_submissions (token, actor) values (@token, @actor) on conflict (token) do nothing
            """;
        await using var connection = await db.OpenAsync(ct);
        var claimed = await connection.ExecuteAsync(new CommandDefinition(sql, new { token, actor }, cancellationToken: ct)) == 1;
        // Claims older than the oldest token still accepted tell nothing; one claim in a hundred clears them.
        if (claimed && Random.Shared.Next(100) == 0)
            await connection.ExecuteAsync(new CommandDefinition("delete from form_submissions where claimed_at < now() - interval '2 days'", cancellationToken: ct));
        return claimed;
    }

    /// <summary>Gives a claimed token back when its post stored nothing (refused input), so the same form may be sent again.</summary>
    public async Task ReleaseAsync(Guid token, Guid actor, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from form_submissions where token = @token and actor = @actor",
            new { token, actor }, cancellationToken: ct));
    }
}

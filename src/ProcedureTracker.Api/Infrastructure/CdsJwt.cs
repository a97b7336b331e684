using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>One EHR allowed to call the CDS services with a JWT: its issuer, its public keys (a JWK set) and its organization.</summary>
public sealed record CdsIssuer(string Iss, string Organization, JsonArray Keys)
{
    /// <summary>The issuer's keys as the validator takes them (parsed once).</summary>
    public IList<SecurityKey> SigningKeys { get; } = new JsonWebKeySet(new JsonObject { ["keys"] = Keys.DeepClone() }.ToJsonString()).GetSigningKeys();
}

/// <summary>
/// Verifies a CDS Hooks client JWT (CDS Hooks 2.0 "Trusting CDS Clients") with Microsoft.IdentityModel's
/// <see cref="JsonWebTokenHandler"/>: ES384 or RS384 signature against the configured keys of an allow-listed issuer
/// (never a key the token points to), <c>aud</c> equal to the service URL, <c>exp</c> in the future and <c>nbf</c> passed
/// (60 s skew, against the service's clock). CDS Hooks then asks what the validator does not: <c>iat</c> present, not in
/// the future, and at most 5 minutes before <c>exp</c>; <c>jti</c> present (replay is checked by the caller).
/// </summary>
public static class CdsJwt
{
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    /// <summary>Longest a token may live from its <c>iat</c> (CDS Hooks 2.0: exp at most 5 minutes in the future).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A client JWT is a few hundred bytes; nothing larger is parsed.</summary>
    private const int MaxTokenBytes = 16 * 1024;

    private static readonly string[] Algorithms = [SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384];

    public sealed record Verified(CdsIssuer Issuer, string Jti, DateTimeOffset Expires);

    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;

    /// <summary>Parses <c>PT_CDS_ISSUERS</c>: <c>[{"iss":"...","organization":"default","jwks":{"keys":[...]}}]</c>.</summary>
    public static IReadOnlyList<CdsIssuer> ParseIssuers(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        return JsonNode.Parse(json)!.AsArray().Select(i => new CdsIssuer(
            (string)i!["iss"]!, (string?)i["organization"] ?? "default", i["jwks"]!["keys"]!.AsArray())).ToList();
    }

    /// <summary>The verified token, or why it is refused. Never throws on a malformed token.</summary>
    public static (Verified? Token, string? Error) Verify(string token, string audience, IReadOnlyList<CdsIssuer> issuers, DateTimeOffset now)
    {
        var handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = MaxTokenBytes };
        JsonWebToken jwt;
        try { jwt = handler.ReadJsonWebToken(token); }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or FormatException or System.Text.Json.JsonException)
        {
            return (null, "malformed JWT");
        }
        string? alg, iss;
        try { (alg, iss) = (jwt.Alg, jwt.Issuer); }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException) { return (null, "malformed JWT"); }
        if (alg is not ("ES384" or "RS384")) return (null, $"algorithm {alg} is not accepted (ES384, RS384)");
        var issuer = issuers.FirstOrDefault(x => x.Iss == iss);
        if (issuer is null) return (null, "issuer not allowed");

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Iss, ValidAudience = audience, IssuerSigningKeys = issuer.SigningKeys, ValidAlgorithms = Algorithms,
            TryAllIssuerSigningKeys = true, RequireSignedTokens = true,
            // Times are checked below against the service's clock (the one IClock), with CDS Hooks' own rules.
            ValidateLifetime = false, RequireExpirationTime = false,
        };
        TokenValidationResult result;
        try { result = handler.ValidateTokenAsync(jwt, parameters).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException or FormatException or InvalidOperationException or OverflowException)
        {
            return (null, "malformed JWT");
        }
        if (!result.IsValid) return (null, Reason(result.Exception, jwt));

        if (Seconds(jwt, "exp") is not { } expiresAt) return (null, "exp missing or out of range");
        if (expiresAt + Skew < now) return (null, "token expired");
        // CDS Hooks: iat required, not in the future, and exp "no more than 5 minutes in the future" of it; nbf honoured.
        if (Seconds(jwt, "iat") is not { } issued) return (null, "iat missing or out of range");
        if (issued - Skew > now) return (null, "iat is in the future");
        if (expiresAt - issued > MaxLifetime) return (null, $"lifetime exceeds {MaxLifetime.TotalMinutes} minutes");
        if (jwt.TryGetClaim("nbf", out _) && (Seconds(jwt, "nbf") is not { } notBefore || notBefore - Skew > now)) return (null, "token not yet valid (nbf)");
        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || jti is not { Length: > 0 and <= 200 }) return (null, "jti missing");
        return (new Verified(issuer, jti, expiresAt), null);
    }

    /// <summary>A NumericDate claim (seconds since 1970) within the years DateTimeOffset holds; null when absent or not one.</summary>
    private static DateTimeOffset? Seconds(JsonWebToken jwt, string claim)
    {
        try { return jwt.TryGetPayloadValue<long>(claim, out var s) && s is >= 0 and <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null; }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException) { return null; }
    }

    /// <summary>Why the validator refused, in a few words (logged, never answered).</summary>
    private static string Reason(Exception? e, JsonWebToken jwt) => e switch
    {
        SecurityTokenInvalidAudienceException => "audience is not this service",
        SecurityTokenInvalidIssuerException => "issuer not allowed",
        SecurityTokenInvalidAlgorithmException => $"algorithm {jwt.Alg} is not accepted (ES384, RS384)",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "signature does not verify",
        null => "refused",
        _ => $"refused ({e.GetType().Name})",
    };
}

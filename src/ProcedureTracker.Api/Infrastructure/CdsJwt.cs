using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>One EHR allowed to call the CDS services with a JWT: its issuer, its public keys (a JWK set) and its organization.</summary>
public sealed record CdsIssuer(string Iss, string Organization, JsonArray Keys);

/// <summary>
/// Verifies a CDS Hooks client JWT (CDS Hooks 2.0 "Trusting CDS Clients") with System.Security.Cryptography alone:
/// ES384 or RS384 signature against the configured keys of an allow-listed issuer (never a key the token points to),
/// <c>aud</c> equal to the service URL, <c>exp</c> in the future (60 s skew), <c>iat</c> present and at most 5 minutes before <c>exp</c>, <c>nbf</c> passed, and <c>jti</c> present (replay is checked by the caller).
/// </summary>
public static class CdsJwt
{
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    /// <summary>Longest a token may live from its <c>iat</c> (CDS Hooks 2.0: exp at most 5 minutes in the future).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    public sealed record Verified(CdsIssuer Issuer, string Jti, DateTimeOffset Expires);

    /// <summary>
    /// The issuer's stand-in for a key id in the audit trail: a stable id derived from its name (a name, not a secret),
    /// registered in <c>cds_clients</c> at start-up so the audit names it.
    /// </summary>
    public static Guid ActorId(string issuer) => new(SHA256.HashData(Encoding.UTF8.GetBytes("cds-client:" + issuer)).AsSpan(0, 16));

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
        var parts = token.Split('.');
        if (parts.Length != 3) return (null, "not a JWT");
        JsonObject header, payload;
        byte[] signature;
        try
        {
            if (JsonNode.Parse(Base64Url(parts[0])) is not JsonObject h || JsonNode.Parse(Base64Url(parts[1])) is not JsonObject p)
                return (null, "malformed JWT");
            (header, payload, signature) = (h, p, Base64Url(parts[2]));
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException) { return (null, "malformed JWT"); }

        var alg = Text(header, "alg");
        if (alg is not ("ES384" or "RS384")) return (null, $"algorithm {alg} is not accepted (ES384, RS384)");
        var iss = Text(payload, "iss");
        var issuer = issuers.FirstOrDefault(x => x.Iss == iss);
        if (issuer is null) return (null, "issuer not allowed");
        var kid = Text(header, "kid");
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var keys = issuer.Keys.OfType<JsonObject>().Where(k => kid is null || Text(k, "kid") == kid).ToList();
        if (!keys.Any(k => VerifySignature(alg, k, signed, signature))) return (null, "signature does not verify");

        var audiences = payload["aud"] is JsonArray many ? many.Select(a => a is JsonValue v && v.TryGetValue<string>(out var x) ? x : null).ToList() : [Text(payload, "aud")];
        if (!audiences.Contains(audience)) return (null, "audience is not this service");
        if (Seconds(payload, "exp") is not { } expires) return (null, "exp missing or out of range");
        if (expires + Skew < now) return (null, "token expired");
        // CDS Hooks: iat required, and exp "no more than 5 minutes in the future" of it; nbf honoured when present.
        if (Seconds(payload, "iat") is not { } issued) return (null, "iat missing or out of range");
        if (issued - Skew > now) return (null, "iat is in the future");
        if (expires - issued > MaxLifetime) return (null, $"lifetime exceeds {MaxLifetime.TotalMinutes} minutes");
        if (payload["nbf"] is not null && (Seconds(payload, "nbf") is not { } notBefore || notBefore - Skew > now)) return (null, "token not yet valid (nbf)");
        if (Text(payload, "jti") is not { Length: > 0 and <= 200 } jti) return (null, "jti missing");
        return (new Verified(issuer, jti, expires), null);
    }

    private static DateTimeOffset? Seconds(JsonObject node, string name) =>
        node[name] is JsonValue v && v.TryGetValue<long>(out var s) && s is >= 0 and <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    private static string? Text(JsonObject node, string name) => node[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool VerifySignature(string alg, JsonObject jwk, byte[] data, byte[] signature)
    {
        try
        {
            if (alg == "ES384" && Text(jwk, "kty") == "EC" && Text(jwk, "crv") == "P-384")
            {
                using var ec = ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = Base64Url(Text(jwk, "x") ?? ""), Y = Base64Url(Text(jwk, "y") ?? "") },
                });
                return ec.VerifyData(data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            if (alg == "RS384" && Text(jwk, "kty") == "RSA")
            {
                using var rsa = RSA.Create(new RSAParameters { Modulus = Base64Url(Text(jwk, "n") ?? ""), Exponent = Base64Url(Text(jwk, "e") ?? "") });
                return rsa.VerifyData(data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or InvalidOperationException or ArgumentException) { }
        return false;
    }

    /// <summary>Decodes base64url without padding (RFC 7515).</summary>
    /// <exception cref="FormatException">The text is not base64url.</exception>
    public static byte[] Base64Url(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}

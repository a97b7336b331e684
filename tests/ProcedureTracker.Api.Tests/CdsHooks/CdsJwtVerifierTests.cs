using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ProcedureTracker.Api.Infrastructure;

namespace ProcedureTracker.Api.Tests.CdsHooks;

/// <summary>The CDS Hooks JWT verifier on its own: what it accepts, and every way it refuses without throwing.</summary>
public class CdsJwtVerifierTests
{
    private const string Iss = "https://ehr.example.org";
    private const string Aud = "https://pt.example.org/cds-services/procedure-limits-order-sign";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly RSA _rsa = RSA.Create(2048);
    private IReadOnlyList<CdsIssuer> _issuers = [];

    [OneTimeSetUp]
    public void Keys()
    {
        var ec = _ec.ExportParameters(false);
        var rsa = _rsa.ExportParameters(false);
        _issuers = [new CdsIssuer(Iss, "default", new JsonArray(
            new JsonObject { ["kty"] = "EC", ["crv"] = "P-384", ["kid"] = "ec-1", ["x"] = B64(ec.Q.X!), ["y"] = B64(ec.Q.Y!) },
            new JsonObject { ["kty"] = "RSA", ["kid"] = "rsa-1", ["n"] = B64(rsa.Modulus!), ["e"] = B64(rsa.Exponent!) }))];
    }

    [OneTimeTearDown]
    public void Dispose() { _ec.Dispose(); _rsa.Dispose(); }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    private static string B64(string json) => B64(Encoding.UTF8.GetBytes(json));

    private string Sign(string header, string payload, string alg = "ES384")
    {
        var signed = $"{B64(header)}.{B64(payload)}";
        var data = Encoding.ASCII.GetBytes(signed);
        var signature = alg == "RS384"
            ? _rsa.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1)
            : _ec.SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signed}.{B64(signature)}";
    }

    private static string Payload(string aud = $"\"{Aud}\"", long? exp = null, string jti = "\"j-1\"", string iss = $"\"{Iss}\"",
        string iat = "now", string extra = "") =>
        $$"""{"iss":{{iss}},"aud":{{aud}},"exp":{{exp ?? Now.AddMinutes(5).ToUnixTimeSeconds()}},{{(iat == "now" ? $"\"iat\":{Now.ToUnixTimeSeconds()}," : iat)}}{{extra}}"jti":{{jti}}}""";

    [TestCase("ES384", "ec-1")]
    [TestCase("RS384", "rsa-1")]
    public void A_token_signed_by_an_allowed_issuer_s_key_is_accepted(string alg, string kid)
    {
        var (verified, error) = CdsJwt.Verify(Sign($$"""{"alg":"{{alg}}","kid":"{{kid}}"}""", Payload(), alg), Aud, _issuers, Now);
        Assert.That(error, Is.Null);
        Assert.That((verified!.Issuer.Iss, verified.Jti), Is.EqualTo((Iss, "j-1")));
    }

    [Test]
    public void An_audience_list_containing_the_service_is_accepted() =>
        Assert.That(CdsJwt.Verify(Sign("""{"alg":"ES384"}""", Payload(aud: $"[\"other\",\"{Aud}\"]")), Aud, _issuers, Now).Error, Is.Null);

    [TestCase("""{"alg":"none"}""", "algorithm")]
    [TestCase("""{"alg":"HS256"}""", "algorithm")]
    [TestCase("""{"alg":"ES384","kid":"rsa-1"}""", "signature")]
    [TestCase("""{"alg":["ES384"]}""", "malformed")] // the validator refuses a claim of the wrong JSON type as it reads the token
    [TestCase("""[1,2]""", "malformed")]
    public void A_bad_header_is_refused(string header, string reason) =>
        Assert.That(CdsJwt.Verify(Sign(header, Payload()), Aud, _issuers, Now).Error, Does.Contain(reason));

    [TestCase("aud", "audience")]
    [TestCase("aud-number", "malformed")]
    [TestCase("expired", "expired")]
    [TestCase("exp-huge", "exp")]
    [TestCase("no-jti", "jti")]
    [TestCase("iss", "issuer")]
    [TestCase("iss-object", "malformed")]
    [TestCase("no-iat", "iat")]
    [TestCase("iat-future", "iat")]
    [TestCase("exp-9999", "lifetime")]
    [TestCase("lifetime-6-minutes", "lifetime")]
    [TestCase("nbf-future", "nbf")]
    [TestCase("nbf-text", "malformed")]
    public void A_bad_claim_is_refused(string what, string reason)
    {
        var payload = what switch
        {
            "aud" => Payload(aud: "\"https://elsewhere.example/cds\""),
            "aud-number" => Payload(aud: "1"),
            "expired" => Payload(exp: Now.AddMinutes(-2).ToUnixTimeSeconds()),
            "exp-huge" => Payload(exp: long.MaxValue),
            "no-jti" => Payload(jti: "\"\""),
            "iss" => Payload(iss: "\"https://attacker.example\""),
            "no-iat" => Payload(iat: ""),
            "iat-future" => Payload(iat: $"\"iat\":{Now.AddMinutes(3).ToUnixTimeSeconds()},", exp: Now.AddMinutes(4).ToUnixTimeSeconds()),
            "exp-9999" => Payload(exp: new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()),
            "lifetime-6-minutes" => Payload(exp: Now.AddMinutes(6).ToUnixTimeSeconds()),
            "nbf-future" => Payload(extra: $"\"nbf\":{Now.AddMinutes(2).ToUnixTimeSeconds()},"),
            "nbf-text" => Payload(extra: "\"nbf\":\"soon\","),
            _ => Payload(iss: "{\"a\":1}"),
        };
        Assert.That(CdsJwt.Verify(Sign("""{"alg":"ES384"}""", payload), Aud, _issuers, Now).Error, Does.Contain(reason));
    }

    [Test]
    public void A_token_whose_payload_was_changed_after_signing_is_refused()
    {
        var parts = Sign("""{"alg":"ES384"}""", Payload()).Split('.');
        var forged = $"{parts[0]}.{B64(Payload(jti: "\"j-2\""))}.{parts[2]}";
        Assert.That(CdsJwt.Verify(forged, Aud, _issuers, Now).Error, Does.Contain("signature"));
    }

    [TestCase("a.b")]
    [TestCase("!!.??.**")]
    [TestCase("e30.e30.")]
    [TestCase("eyJhbGciOiJFUzM4NCJ9.bm90IGpzb24.AAAA")]
    public void Garbage_is_refused_not_thrown(string token) =>
        Assert.That(CdsJwt.Verify(token, Aud, _issuers, Now).Error, Is.Not.Null);
}

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.CdsHooks;

/// <summary>CDS Hooks clients authenticating with a signed JWT instead of an API key.</summary>
public class CdsJwtTests
{
    private const string Issuer = "https://ehr.example.org";
    private const string Service = "http://localhost/cds-services/procedure-limits-order-sign";
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private readonly RSA _rsa = RSA.Create(2048);
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public void Start()
    {
        var organization = TestDatabase.NewOrganizationCode();
        var ec = _ec.ExportParameters(false);
        var rsa = _rsa.ExportParameters(false);
        var issuers = new JsonArray(new JsonObject
        {
            ["iss"] = Issuer, ["organization"] = organization,
            ["jwks"] = new JsonObject
            {
                ["keys"] = new JsonArray(
                    new JsonObject { ["kty"] = "EC", ["crv"] = "P-384", ["kid"] = "ec-1", ["x"] = B64(ec.Q.X!), ["y"] = B64(ec.Q.Y!) },
                    new JsonObject { ["kty"] = "RSA", ["kid"] = "rsa-1", ["n"] = B64(rsa.Modulus!), ["e"] = B64(rsa.Exponent!) }),
            },
        });
        _factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_CDS_ISSUERS"] = issuers.ToJsonString(), ["PT_PUBLIC_URL"] = "http://localhost" }, organization);
    }

    [OneTimeTearDown]
    public void Stop() { _factory.Dispose(); _ec.Dispose(); _rsa.Dispose(); }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private string Token(string alg = "ES384", string kid = "ec-1", string aud = Service, string iss = Issuer, string? jti = null,
        DateTimeOffset? exp = null, ECDsa? signer = null)
    {
        var header = B64(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = kid, ["jku"] = "https://attacker.example/jwks" }.ToJsonString()));
        var payload = B64(Encoding.UTF8.GetBytes(new JsonObject
        {
            ["iss"] = iss, ["sub"] = "client-1", ["aud"] = aud, ["exp"] = (exp ?? DateTimeOffset.UtcNow.AddMinutes(5)).ToUnixTimeSeconds(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["jti"] = jti ?? Guid.NewGuid().ToString(),
        }.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(header + "." + payload);
        var signature = alg == "ES384"
            ? (signer ?? _ec).SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            : _rsa.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
        return header + "." + payload + "." + B64(signature);
    }

    private async Task<HttpStatusCode> CallWith(string token)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = JsonSerializer.Serialize(new
        {
            hook = "order-sign", hookInstance = Guid.NewGuid().ToString(),
            context = new { userId = "Practitioner/1", patientId = "jwt-patient", draftOrders = new { resourceType = "Bundle", entry = Array.Empty<object>() } },
        });
        return (await client.PostAsync("/cds-services/procedure-limits-order-sign", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode;
    }

    [Test]
    public async Task Valid_ES384_and_RS384_tokens_are_accepted()
    {
        Assert.That(await CallWith(Token()), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await CallWith(Token(alg: "RS384", kid: "rsa-1")), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Wrong_signature_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.That(await CallWith(Token(signer: other)), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Wrong_audience_unknown_issuer_and_expired_tokens_are_refused()
    {
        Assert.That(await CallWith(Token(aud: "http://localhost/cds-services/some-other-service")), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await CallWith(Token(iss: "https://evil.example.org")), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await CallWith(Token(exp: DateTimeOffset.UtcNow.AddMinutes(-5))), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await CallWith(Token(alg: "HS256")), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_token_issued_to_another_service_is_refused_whatever_host_is_sent()
    {
        // The EHR issued this token to a CDS service at another host; the attacker replays it here with that Host.
        var token = Token(aud: "http://other-cds.example/cds-services/procedure-limits-order-sign");
        var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/cds-services/procedure-limits-order-sign")
        {
            Content = new StringContent(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "CdsHooks/examples/order-sign.json")),
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "other-cds.example";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.AnyOf(400, 401), "a Host other than PT_PUBLIC_URL's is not served, and the audience is never taken from it");
        Assert.That(await CallWith(token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public void The_service_refuses_to_start_with_cds_issuers_and_no_public_url()
    {
        using var factory = new ApiFactory(TestDatabase.ConnectionString,
            new Dictionary<string, string> { ["PT_CDS_ISSUERS"] = """[{"iss":"https://ehr.example","jwks":{"keys":[]}}]""" }, "jwt-no-url");
        var e = Assert.Catch(() => factory.CreateClient());
        Assert.That(e!.ToString(), Does.Contain("PT_PUBLIC_URL"));
    }

    [Test]
    public async Task Reused_jti_is_refused()
    {
        var token = Token(jti: "once-" + Guid.NewGuid());
        Assert.That(await CallWith(token), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await CallWith(token), Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_jwt_opens_only_the_cds_services()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        Assert.That((await client.GetAsync("/v1/policies")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}

using System.Net;

namespace ProcedureTracker.Api.Tests.Health;

public class OperationsTests : ApiTest
{
    [Test]
    public async Task OpenApi_document_lists_the_v1_endpoints_without_a_key()
    {
        var response = await Factory.Client(null).GetAsync("/openapi/v1.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(text, Does.Contain("/v1/eligibility").And.Contain("/v1/patients/{patientId}/injections").And.Contain("/v1/policies/{code}"));
    }

    [Test]
    public async Task Health_endpoints_answer_without_a_key()
    {
        var anonymous = Factory.Client(null);
        Assert.That((await anonymous.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await anonymous.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ProcedureTracker.Api.Fhir;

namespace ProcedureTracker.Api.CdsHooks;

/// <summary>
/// Fetches the patient's active Coverage from the EHR's FHIR server when a CDS call brought no prefetch (CDS Hooks
/// 2.0 "FHIR Resource Access"), with the bearer token the EHR handed over. Only servers on the configured allow-list
/// are ever contacted (a request must not make this service call arbitrary URLs), within a short time-out.
/// </summary>
public sealed class CoverageFetcher(HttpClient http, IOptions<TrackerOptions> options, ILogger<CoverageFetcher> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>The Coverage (or searchset Bundle) JSON, or why none could be had.</summary>
    public async Task<(JsonNode? Coverage, string? Problem)> FetchAsync(string? fhirServer, string? accessToken, string patientId, CancellationToken ct)
    {
        if (fhirServer is null) return (null, "the EHR sent neither a Coverage prefetch nor a fhirServer");
        if (!Uri.TryCreate(fhirServer.TrimEnd('/'), UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            return (null, "fhirServer is not an absolute http(s) URL");
        var allowed = (options.Value.CdsFhirServers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!allowed.Any(a => server.AbsoluteUri.StartsWith(a.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
            return (null, $"fhirServer {server.Host} is not on this service's allow-list (PT_CDS_FHIR_SERVERS)");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.AbsoluteUri.TrimEnd('/')}/Coverage?patient={Uri.EscapeDataString(patientId)}&status=active");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
            if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await http.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode) return (null, $"the FHIR server answered {(int)response.StatusCode} for Coverage");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            return body.Str("resourceType") is "Bundle" or "Coverage" ? (body, null) : (null, "the FHIR server answered something other than Coverage");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Coverage fetch from {Host} failed: {Reason}", server.Host, e.GetType().Name);
            return (null, e is OperationCanceledException ? "the FHIR server did not answer in time" : "the FHIR server could not be reached");
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ProcedureTracker.Api.Fhir;

namespace ProcedureTracker.Api.CdsHooks;

/// <summary>
/// Fetches the patient's active Coverage from the EHR's FHIR server when a CDS call brought no prefetch (CDS Hooks
/// 2.0 "FHIR Resource Access"), with the bearer token the EHR handed over. A request must not make this service call
/// arbitrary addresses: only servers on the configured allow-list (same scheme, host and port, and the listed path
/// segments), never a URL with user-info, no redirects, and no loopback, private or link-local address unless the
/// operator allows them (<c>PT_CDS_FHIR_ALLOW_PRIVATE</c>, checked on the address actually connected to), within a
/// short time-out. Every failure to fetch reads the same to the caller (no port scan through the card text).
/// </summary>
public sealed class CoverageFetcher(HttpClient http, IOptions<TrackerOptions> options, ILogger<CoverageFetcher> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Largest Coverage answer read.</summary>
    public const int MaxAnswerBytes = 1024 * 1024;

    public const string Unreachable = "the Coverage could not be fetched from the EHR's FHIR server";

    /// <summary>The Coverage (or searchset Bundle) JSON, or why none could be had.</summary>
    public async Task<(JsonNode? Coverage, string? Problem)> FetchAsync(string? fhirServer, string? accessToken, string patientId, CancellationToken ct)
    {
        if (fhirServer is null) return (null, "the EHR sent neither a Coverage prefetch nor a fhirServer");
        if (!Uri.TryCreate(fhirServer.Trim(), UriKind.Absolute, out var server) || server.Scheme is not ("https" or "http"))
            return (null, "fhirServer is not an absolute http(s) URL");
        if (server.UserInfo.Length > 0 || server.Query.Length > 0 || server.Fragment.Length > 0)
            return (null, "fhirServer has user-info, a query or a fragment");
        if (!IsAllowed(server, options.Value.CdsFhirServers)) return (null, $"fhirServer {server.IdnHost} is not on this service's allow-list (PT_CDS_FHIR_SERVERS)");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.AbsoluteUri.TrimEnd('/')}/Coverage?patient={Uri.EscapeDataString(patientId)}&status=active");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
            if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("Coverage fetch from {Host} answered {Status}", server.IdnHost, (int)response.StatusCode);
                return (null, Unreachable);
            }
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > MaxAnswerBytes) { logger.LogWarning("Coverage answer from {Host} is too large", server.IdnHost); return (null, Unreachable); }
                buffer.Write(chunk, 0, read);
            }
            var body = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            return body.Str("resourceType") is "Bundle" or "Coverage" ? (body, null) : (null, "the FHIR server answered something other than Coverage");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            logger.LogWarning("Coverage fetch from {Host} failed: {Reason}", server.IdnHost, e.GetType().Name);
            return (null, Unreachable);
        }
    }

    /// <summary>
    /// True when <paramref name="server"/> is one of the allow-listed bases: scheme, host and port equal, and the base's
    /// path segments a prefix of the server's (https://ehr.example/fhir allows https://ehr.example/fhir/r4, not
    /// https://ehr.example/fhirx nor https://ehr.example.evil/fhir).
    /// </summary>
    public static bool IsAllowed(Uri server, string? allowList)
    {
        foreach (var entry in (allowList ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var allowed) || allowed.UserInfo.Length > 0) continue;
            if (!string.Equals(allowed.Scheme, server.Scheme, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(allowed.IdnHost, server.IdnHost, StringComparison.OrdinalIgnoreCase) || allowed.Port != server.Port) continue;
            var want = Segments(allowed);
            var have = Segments(server);
            if (want.Length <= have.Length && want.SequenceEqual(have[..want.Length], StringComparer.Ordinal)) return true;
        }
        return false;
    }

    private static string[] Segments(Uri uri) => uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The handler outbound Coverage calls use: no redirects, no proxy from the environment, and (unless allowed) a
    /// connection only to a public address, checked on the address resolved at connect time (no DNS rebinding).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = Timeout,
        ConnectCallback = async (context, ct) =>
        {
            var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var usable = addresses.Where(a => allowPrivate || IsPublic(a)).ToArray();
            if (usable.Length == 0) throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves to no public address.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch { socket.Dispose(); throw; }
        },
    };

    /// <summary>False for loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified and multicast addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None)) return false;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast);
        var b = address.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
                 || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) || b[0] >= 224);
    }
}

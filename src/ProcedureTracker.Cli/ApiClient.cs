using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ProcedureTracker.Cli;

/// <summary>The HTTP API as the tool uses it: URL and key from options or PT_URL / PT_KEY; errors printed plainly.</summary>
public sealed class ApiClient(string url, string? key, TextWriter error) : IDisposable
{
    private readonly HttpClient _http = Create(url, key);

    private static HttpClient Create(string url, string? key)
    {
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(30) };
        if (!string.IsNullOrEmpty(key)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Sends a request; on success returns the response, else prints the problem and returns the exit code.</summary>
    public Task<(HttpResponseMessage? Response, int ExitCode)> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct,
        params int[] alsoOk) => SendAsync(method, path, content, null, ct, alsoOk);

    /// <summary>As <see cref="SendAsync(HttpMethod, string, HttpContent?, CancellationToken, int[])"/>, with extra request headers.</summary>
    public async Task<(HttpResponseMessage? Response, int ExitCode)> SendAsync(HttpMethod method, string path, HttpContent? content,
        IReadOnlyDictionary<string, string>? headers, CancellationToken ct, params int[] alsoOk)
    {
        HttpResponseMessage response;
        try
        {
            var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: cannot reach {_http.BaseAddress}: {e.Message}");
            return (null, ExitCodes.Unavailable);
        }
        if (response.IsSuccessStatusCode || alsoOk.Contains((int)response.StatusCode)) return (response, ExitCodes.Ok);
        await error.WriteLineAsync(await DescribeAsync(response, ct));
        return (null, (int)response.StatusCode >= 500 ? ExitCodes.Unavailable : ExitCodes.Refused);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        var message = new StringBuilder($"error: {(int)response.StatusCode} {response.ReasonPhrase}");
        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            if (root.TryGetProperty("title", out var title)) message.Append(": ").Append(title.GetString());
            if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String) message.Append(Environment.NewLine).Append("  ").Append(detail.GetString());
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                foreach (var field in errors.EnumerateObject())
                    foreach (var m in field.Value.EnumerateArray()) message.Append(Environment.NewLine).Append($"  {field.Name}: {m.GetString()}");
        }
        catch (JsonException) { if (text.Length > 0) message.Append(": ").Append(text); }
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized) message.Append(Environment.NewLine).Append("  (set PT_KEY or --key to a valid API key)");
        return message.ToString();
    }

    public void Dispose() => _http.Dispose();
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;

// Load driver for scripts/load-eligibility: eligibility checks over HTTP against a loaded database, then the bare
// history query through Npgsql with the same concurrency, in the same run, so the two can be compared.
// Usage: ProcedureTracker.Load <apiUrl> <apiKey> <connectionString> <patients> <seconds> <concurrency>
var (api, key, connectionString) = (args[0], args[1], args[2]);
var patients = int.Parse(args[3]);
var seconds = int.Parse(args[4]);
var concurrency = int.Parse(args[5]);

using var http = new HttpClient { BaseAddress = new Uri(api) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
await using var dataSource = NpgsqlDataSource.Create(connectionString);
var orgId = await OrganizationIdAsync(dataSource);
string[] procedures = ["trigger-point-injection", "epidural-steroid-injection", "facet-joint-injection", "joint-injection"];
string[] regions = ["neck", "lower-back", "lumbar-sacral-spine", "knee"];

async Task<bool> Eligibility(Random random)
{
    var response = await http.PostAsJsonAsync("/v1/eligibility", new
    {
        patientId = $"lp-{random.Next(1, patients + 1)}", procedure = procedures[random.Next(4)],
        site = new { region = regions[random.Next(4)], laterality = "left" },
        steroid = random.Next(2) == 0 ? null : new { drug = "triamcinolone", doseMg = 40 },
        date = new DateOnly(2026, 1, 1).AddDays(random.Next(0, 330)).ToString("yyyy-MM-dd"), plan = "medicare-lcd",
    });
    return response.IsSuccessStatusCode;
}

async Task<bool> BareHistory(Random random)
{
    const string sql = """
        select i.id, i.procedure, i.region, i.laterality, i.site_detail, i.steroid_drug, i.steroid_dose_mg, i.steroid_mpe_mg, i.date_of_service
        from injections i join patients p on p.id = i.patient_id
        where i.organization_id = $1 and p.organization_id = $1 and p.external_id = $2 and i.voided_at is null
          and i.date_of_service >= $3 and i.date_of_service <= $4
        order by i.date_of_service
        """;
    var date = new DateOnly(2026, 1, 1).AddDays(random.Next(0, 330));
    await using var command = dataSource.CreateCommand(sql);
    command.Parameters.Add(new NpgsqlParameter { Value = orgId });
    command.Parameters.Add(new NpgsqlParameter { Value = $"lp-{random.Next(1, patients + 1)}" });
    command.Parameters.Add(new NpgsqlParameter { Value = date.AddDays(-366) });
    command.Parameters.Add(new NpgsqlParameter { Value = date.AddDays(1096 + 366) });
    await using var reader = await command.ExecuteReaderAsync();
    var rows = 0;
    while (await reader.ReadAsync()) rows++;
    return rows >= 0;
}

Console.WriteLine($"patients={patients} concurrency={concurrency} seconds={seconds} (after a 3 s warm-up each)");
var eligibility = await Run("eligibility over HTTP", Eligibility);
var bare = await Run("bare history query (Npgsql)", BareHistory);
Console.WriteLine($"ratio: eligibility throughput is {eligibility.PerSecond / bare.PerSecond:0.00} x the bare query's; " +
                  $"p50 latency {eligibility.P50 / bare.P50:0.0} x, p99 {eligibility.P99 / bare.P99:0.0} x");

async Task<(double PerSecond, double P50, double P99)> Run(string name, Func<Random, Task<bool>> operation)
{
    await Phase(TimeSpan.FromSeconds(3), operation, null);
    var latencies = new List<double>[concurrency];
    var failures = await Phase(TimeSpan.FromSeconds(seconds), operation, latencies);
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var (perSecond, p50, p99) = (all.Length / (double)seconds, all[all.Length / 2], all[(int)(all.Length * 0.99)]);
    Console.WriteLine($"{name,-30} {perSecond,8:0} /s   p50 {p50,7:0.00} ms   p99 {p99,7:0.00} ms   n={all.Length} failures={failures}");
    return (perSecond, p50, p99);
}

async Task<int> Phase(TimeSpan duration, Func<Random, Task<bool>> operation, List<double>[]? latencies)
{
    var stop = Stopwatch.StartNew();
    var failures = 0;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        var random = new Random(worker * 7919 + (latencies is null ? 1 : 2));
        var mine = new List<double>();
        if (latencies is not null) latencies[worker] = mine;
        while (stop.Elapsed < duration)
        {
            var t = Stopwatch.GetTimestamp();
            if (!await operation(random)) Interlocked.Increment(ref failures);
            mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
    }));
    return failures;
}

static async Task<long> OrganizationIdAsync(NpgsqlDataSource dataSource)
{
    await using var command = dataSource.CreateCommand("select id from organizations where code = 'load'");
    return (long)(await command.ExecuteScalarAsync())!;
}

using Dapper;
using NodaTime;
using Npgsql;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Tests.Agreement;

/// <summary>
/// Two rules SQL keeps a copy of for speed, held equal to the Domain's over thousands of random cases: which policy
/// versions govern a span of days (<c>policy_versions_governing</c>, sql/0005, used by the policy list and the yearly
/// report) and where a plan year starts (<c>plan_year_start_in</c>, sql/0002, the yearly report's periods). A change
/// to either side alone fails.
/// </summary>
public class PolicyVersionAgreementTests
{
    private const int Cases = 2000;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("PT_AGREEMENT_SEED"), out var s) ? s : 22;

    [Test]
    public async Task The_sql_versions_governing_a_span_equal_the_domain_s()
    {
        TypeHandlers.Register(); // LocalDate parameters, as the stores send them
        var random = new Random(Seed);
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        await db.OpenAsync();
        var org = await db.ExecuteScalarAsync<long>(
            "insert into organizations (code, name, time_zone) values (@code, 'agreement', 'UTC') returning id", new { code = TestDatabase.NewOrganizationCode() });
        var mismatches = new List<string>();
        var compared = 0;
        var nonEmpty = 0;
        for (var c = 0; c < Cases && mismatches.Count < 5; c++)
        {
            // One policy code per case with 1-5 versions; dates from a small set so that equal dates (the later version
            // wins) and a null first version are common.
            var code = $"p{c}";
            await db.ExecuteAsync("insert into policies (organization_id, code) values (@org, @code)", new { org, code });
            var versions = new List<(int Version, LocalDate? From)>();
            for (var v = 1; v <= random.Next(1, 6); v++)
                versions.Add((v, random.Next(5) == 0 ? null : new LocalDate(2026, 1, 1).PlusDays(random.Next(0, 12) * 30)));
            foreach (var (version, from) in versions)
                await db.ExecuteAsync("""
                    insert into policy_versions (organization_id, policy_code, version, name, plan_year_start, always_apply, effective_from, rules)
                    values (@org, @code, @version, 'agreement', '01-01', false, @from, '[]')
                    """, new { org, code, version, from });
            // The Domain reads versions as the store lists them: by date (none first), then version.
            var ordered = versions.OrderBy(v => v.From.HasValue).ThenBy(v => v.From).ThenBy(v => v.Version).ToList();
            var domainVersions = ordered.Select(v => new Policy(code, $"v{v.Version}", new AnnualDate(1, 1), false, v.From, [])).ToList();
            for (var q = 0; q < 3; q++)
            {
                var first = new LocalDate(2025, 11, 1).PlusDays(random.Next(0, 420));
                var last = first.PlusDays(random.Next(0, 3) == 0 ? 0 : random.Next(0, 200));
                var domain = EligibilityEvaluator.GoverningVersions(domainVersions, first, last).Select(p => int.Parse(p.Name[1..])).Order().ToList();
                var sql = (await db.QueryAsync<int>(
                    "select version from policy_versions_governing(@org, @first, @last) where policy_code = @code order by version",
                    new { org, code, first, last })).ToList();
                compared++;
                if (domain.Count > 0) nonEmpty++;
                if (!domain.SequenceEqual(sql))
                    mismatches.Add($"case {c} [{string.Join(", ", versions.Select(v => $"v{v.Version}@{v.From?.ToString() ?? "start"}"))}] "
                        + $"{first}..{last}: domain [{string.Join(",", domain)}], sql [{string.Join(",", sql)}]");
            }
        }
        TestContext.Out.WriteLine($"seed {Seed}: {compared} spans over {Cases} version sets compared");
        Assert.That(mismatches, Is.Empty, $"seed {Seed} (replay: PT_AGREEMENT_SEED={Seed})");
        Assert.That(nonEmpty, Is.GreaterThan(compared / 2), "most spans are governed by some version");
    }

    [Test]
    public async Task The_sql_plan_year_periods_equal_the_domain_s()
    {
        var random = new Random(Seed);
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        await db.OpenAsync();
        var cases = Enumerable.Range(0, Cases).Select(_ =>
        {
            var month = random.Next(1, 13);
            // Month ends (and 02-29) often: they are where the two could part.
            var day = random.Next(3) == 0 ? (month == 2 ? 29 : DateTime.DaysInMonth(2024, month)) : random.Next(1, DateTime.DaysInMonth(2024, month) + 1);
            return (Year: random.Next(1950, 2101), Start: new AnnualDate(month, day));
        }).ToList();
        var sql = (await db.QueryAsync<(string Start, string End)>("""
            select plan_year_start_in(y, md)::text, (plan_year_start_in(y + 1, md) - 1)::text
            from unnest(@years, @monthDays) with ordinality as c(y, md, n) order by n
            """, new { years = cases.Select(c => c.Year).ToArray(), monthDays = cases.Select(c => $"{c.Start.Month:00}-{c.Start.Day:00}").ToArray() })).ToList();
        var mismatches = cases.Zip(sql).Select(p =>
        {
            var domain = ProcedureTracker.Domain.Eligibility.Windows.YearStartingIn(p.First.Year, p.First.Start);
            return (domain.Start.ToString("yyyy-MM-dd", null), domain.End.ToString("yyyy-MM-dd", null)) == p.Second
                ? null : $"{p.First.Year} {p.First.Start}: domain {domain.Start}..{domain.End}, sql {p.Second.Start}..{p.Second.End}";
        }).OfType<string>().Take(5).ToList();
        Assert.That(sql, Has.Count.EqualTo(Cases));
        Assert.That(mismatches, Is.Empty, $"seed {Seed} (replay: PT_AGREEMENT_SEED={Seed})");
    }
}

using System.Text.RegularExpressions;
using ProcedureTracker.Data.Tests;
using static ProcedureTracker.Cli.Tests.CliHost;

namespace ProcedureTracker.Cli.Tests;

public class PtTests
{
    private string _dir = "";

    [SetUp]
    public void TempDir() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "pt-cli-" + Guid.NewGuid().ToString("N")[..8]));

    [TearDown]
    public void Clean() => Directory.Delete(_dir, recursive: true);

    private static async Task<string> BillingKeyAsync()
    {
        var run = await PtAsync(AdminKey, "keys", "create", "--name", "billing desk", "--role", "billing");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Err);
        return Regex.Match(run.Out, @"key:\s+(\S+)").Groups[1].Value;
    }

    [Test]
    public async Task Import_reports_rejected_lines_and_a_rerun_changes_nothing_then_yearly_report_counts_sessions()
    {
        var patient = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(_dir, "history.csv");
        await File.WriteAllTextAsync(file,
            "patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance\n" +
            $"{patient},trigger-point-injection,20552,neck,left,,triamcinolone,40,2026-02-03,medicare-lcd,{patient}-1,,\n" +
            $"{patient},trigger-point-injection,20552,elbowpit,left,,,,2026-02-04,medicare-lcd,{patient}-2,,\n" +
            $"{patient},trigger-point-injection,20552,neck,right,,,,2026-02-03,medicare-lcd,{patient}-3,,\n");
        var key = await BillingKeyAsync();

        var first = await PtAsync(key, "import", file);
        Assert.That(first.ExitCode, Is.EqualTo(3), "some rows were rejected");
        Assert.That(first.Out, Does.Contain("imported 2, unchanged 0, rejected 1"));
        Assert.That(first.Out, Does.Contain("line 3: region: Unknown region 'elbowpit'."));

        var again = await PtAsync(key, "import", file);
        Assert.That(again.Out, Does.Contain("imported 0, unchanged 2, rejected 1"));

        var csv = Path.Combine(_dir, "counts.csv");
        var report = await PtAsync(key, "report", "yearly", "--year", "2026", "--basis", "plan", "--out", csv);
        Assert.That(report.ExitCode, Is.EqualTo(0), report.Err);
        var line = (await File.ReadAllLinesAsync(csv)).Single(l => l.StartsWith(patient, StringComparison.Ordinal));
        Assert.That(line, Is.EqualTo($"{patient},medicare-lcd,trigger-point-injection,2026-01-01,2026-12-31,1,2,1,40"), "two injections on one day are one session");
    }

    [Test]
    public async Task Check_exits_3_with_the_earliest_date_when_not_eligible_and_0_when_eligible()
    {
        var patient = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var file = Path.Combine(_dir, "h.csv");
        await File.WriteAllTextAsync(file, "patientId,procedure,region,laterality,dateOfService,plan,externalId\n" +
            $"{patient},trigger-point-injection,neck,left,2026-03-01,medicare-lcd,{patient}-a\n");
        Assert.That((await PtAsync(AdminKey, "import", file)).ExitCode, Is.EqualTo(0));

        string[] Ask(string date) => ["check", "--patient", patient, "--procedure", "trigger-point-injection", "--region", "neck", "--laterality", "left", "--date", date, "--plan", "medicare-lcd"];
        var early = await PtAsync(AdminKey, Ask("2026-03-20"));
        Assert.That(early.ExitCode, Is.EqualTo(3));
        Assert.That(early.Out, Does.Contain("Not eligible on 2026-03-20; earliest eligible date: 2026-04-12."));
        var later = await PtAsync(AdminKey, Ask("2026-04-12"));
        Assert.That(later.ExitCode, Is.EqualTo(0));
        Assert.That(later.Out, Does.StartWith("Eligible on 2026-04-12."));
    }

    [Test]
    public async Task Errors_are_plain_and_exit_codes_say_what_went_wrong()
    {
        var badKey = await PtAsync("no-such-key", "policies", "list");
        Assert.That(badKey.ExitCode, Is.EqualTo(2));
        Assert.That(badKey.Err, Does.Contain("401").And.Contain("PT_KEY"));

        var badRegion = await PtAsync(AdminKey, "check", "--patient", "p", "--procedure", "trigger-point-injection", "--region", "elbowpit", "--date", "2026-01-01");
        Assert.That(badRegion.ExitCode, Is.EqualTo(2));
        Assert.That(badRegion.Err, Does.Contain("site.region: Unknown region 'elbowpit'."));

        var usage = await PtAsync(AdminKey, "report", "yearly");
        Assert.That(usage.ExitCode, Is.EqualTo(1));
        Assert.That(usage.Err + usage.Out, Does.Contain("--year"));

        var help = await PtAsync(null, "import", "--help");
        Assert.That(help.ExitCode, Is.EqualTo(0));
        Assert.That(help.Out, Does.Contain("re-running the same file changes nothing"));
    }

    [Test]
    public async Task Policies_apply_show_and_list()
    {
        var code = "cli-plan-" + Guid.NewGuid().ToString("N")[..6];
        var file = Path.Combine(_dir, "plan.json");
        await File.WriteAllTextAsync(file, $$"""
            {"code":"{{code}}","name":"CLI Plan","planYearStart":"07-01","effectiveFrom":"2026-01-01",
             "rules":[{"id":"tpi-year","kind":"max-sessions","procedures":["trigger-point-injection"],"scope":"patient","max":4,"window":"plan-year"}]}
            """);
        var apply = await PtAsync(AdminKey, "policies", "apply", file);
        Assert.That(apply.ExitCode, Is.EqualTo(0), apply.Err);
        Assert.That(apply.Out, Does.Contain($"{code} version 1 stored, in force from 2026-01-01."));
        Assert.That((await PtAsync(AdminKey, "policies", "show", code)).Out, Does.Contain("\"planYearStart\": \"07-01\""));
        Assert.That((await PtAsync(AdminKey, "policies", "list")).Out, Does.Contain(code));

        await File.WriteAllTextAsync(file, """{"name":"Broken","rules":[{"id":"x","kind":"max-sessions","procedures":["*"],"scope":"patient"}]}""");
        var broken = await PtAsync(AdminKey, "policies", "apply", file, "--code", code);
        Assert.That(broken.ExitCode, Is.EqualTo(2));
        Assert.That(broken.Err, Does.Contain("rules[0].max").And.Contain("rules[0].window"));
    }

    [Test]
    public async Task Migrate_on_a_migrated_database_says_it_is_up_to_date()
    {
        var run = await PtAsync(null, "migrate", "--connection", TestDatabase.ConnectionString);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Err);
        Assert.That(run.Out.Trim(), Is.EqualTo("Database is up to date."));
    }

    [Test]
    public async Task Approaching_report_is_written_as_csv()
    {
        var csv = Path.Combine(_dir, "near.csv");
        var run = await PtAsync(await BillingKeyAsync(), "report", "approaching", "--date", "2026-11-21", "--out", csv);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Err);
        Assert.That((await File.ReadAllLinesAsync(csv))[0], Is.EqualTo("patientId,policy,ruleId,kind,procedure,region,used,limit,remaining,unit,windowStart,windowEnd"));
    }
}

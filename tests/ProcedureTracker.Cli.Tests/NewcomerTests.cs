using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ProcedureTracker.Cli.Tests;

/// <summary>What a newcomer meets in the first hour: pt's key commands, full import reports, plain refusals, scripts/run's checks.</summary>
public class NewcomerTests
{
    [Test]
    public async Task Keys_are_listed_and_revoked_with_pt()
    {
        var created = await CliHost.PtAsync(CliHost.AdminKey, "keys", "create", "--name", "front desk scanner", "--role", "ehr");
        Assert.That(created.ExitCode, Is.EqualTo(0), created.Err);
        var id = created.Out.Split('\n').First(l => l.StartsWith("id:", StringComparison.Ordinal))[3..].Trim();
        var key = created.Out.Split('\n').First(l => l.StartsWith("key:", StringComparison.Ordinal))[4..].Trim();

        var list = await CliHost.PtAsync(CliHost.AdminKey, "keys", "list");
        Assert.That(list.Out, Does.Contain(id).And.Contain("front desk scanner"));
        Assert.That(list.Out.Split('\n').Single(l => l.Contains(id)), Does.Contain("active"));

        var revoked = await CliHost.PtAsync(CliHost.AdminKey, "keys", "revoke", id);
        Assert.That(revoked.ExitCode, Is.EqualTo(0), revoked.Err);
        Assert.That((await CliHost.PtAsync(CliHost.AdminKey, "keys", "list")).Out.Split('\n').Single(l => l.Contains(id)), Does.Contain("revoked"));
        var refused = await CliHost.PtAsync(key, "policies", "list");
        Assert.That(refused.ExitCode, Is.EqualTo(2));
        Assert.That(refused.Err, Does.Contain("401"));
    }

    [Test]
    public async Task An_import_report_lists_every_rejected_and_over_limit_line()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var lines = new List<string> { "patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance" };
        for (var i = 0; i < 30; i++) // one patient, 30 TPIs a week apart: Medicare wants 42 days at one site, so every one after the first is over a limit
            lines.Add($"rep-{suffix},trigger-point-injection,20553,neck,left,,,,{new DateOnly(2025, 1, 6).AddDays(7 * i):yyyy-MM-dd},medicare-lcd,rep-{suffix}-{i},,");
        lines.Add($"rep-{suffix},trigger-point-injection,20553,elbowpit,left,,,,2025-09-01,medicare-lcd,rep-{suffix}-bad,,");
        var file = Path.Combine(Path.GetTempPath(), $"import-{suffix}.csv");
        var report = Path.Combine(Path.GetTempPath(), $"report-{suffix}.csv");
        await File.WriteAllLinesAsync(file, lines);

        var run = await CliHost.PtAsync(CliHost.AdminKey, "import", file, "--report", report);
        Assert.That(run.Out, Does.Contain("imported 30, unchanged 0, rejected 1, over a limit 29"));
        var written = await File.ReadAllLinesAsync(report);
        Assert.That(written.Count(l => l.Contains(",over-limit,")), Is.EqualTo(29), "every over-limit line, not the first 20");
        Assert.That(written.Single(l => l.Contains(",rejected,")), Does.StartWith("32,rejected,\"region\""));
    }

    [Test]
    public async Task Unknown_plans_and_missing_roles_are_refused_in_plain_words()
    {
        var yearly = await CliHost.PtAsync(CliHost.AdminKey, "report", "yearly", "--year", "2026", "--plan", "nope");
        Assert.That(yearly.ExitCode, Is.EqualTo(2));
        Assert.That(yearly.Err, Does.Contain("plan: Unknown plan 'nope'."));

        var billing = await CliHost.PtAsync(CliHost.AdminKey, "keys", "create", "--name", "billing desk", "--role", "billing");
        var key = billing.Out.Split('\n').First(l => l.StartsWith("key:", StringComparison.Ordinal))[4..].Trim();
        var forbidden = await CliHost.PtAsync(key, "keys", "list");
        Assert.That(forbidden.ExitCode, Is.EqualTo(2));
        Assert.That(forbidden.Err, Does.Contain("This needs a key with the role admin; this key has the role billing."));
    }

    [Test]
    public async Task Scripts_run_on_a_taken_port_refuses_in_one_line_and_exits_non_zero()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = CliHost.RepoRootPath };
        info.ArgumentList.Add("scripts/run");
        info.Environment["PT_PORT"] = port.ToString();
        info.Environment["PT_DATA_DIR"] = Path.Combine(Path.GetTempPath(), "pt-run-" + Guid.NewGuid().ToString("N")[..8]);
        using var run = Process.Start(info)!;
        var err = await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.That(run.ExitCode, Is.Not.EqualTo(0));
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1), err);
        Assert.That(err, Does.Contain($"port {port} is already in use"));
    }
}

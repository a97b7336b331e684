using System.Diagnostics;
using ProcedureTracker.Data.Tests;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ProcedureTracker.Cli.Tests;

/// <summary>
/// Every bash example in README.md, pasted in order into a shell as a newcomer would (after `scripts/run`), against a
/// real API process in a fresh organization made with `pt orgs create`; each answer is checked.
/// </summary>
public partial class ReadmeExamplesTests
{
    [GeneratedRegex(@"^```bash\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    /// <summary>The README's bash blocks as commands (continued lines joined), in order.</summary>
    private static List<string> Commands()
    {
        var readme = Repository.Readme;
        var commands = new List<string>();
        foreach (Match block in BashBlock().Matches(readme))
        {
            var current = "";
            foreach (var line in block.Groups["code"].Value.Split('\n'))
            {
                current += line.TrimEnd('\\') + (line.EndsWith('\\') ? " " : "");
                if (line.EndsWith('\\')) continue;
                if (current.Trim().Length > 0) commands.Add(current.Trim());
                current = "";
            }
        }
        return commands;
    }

    private static async Task<string> BashAsync(string command, string key)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = CliHost.RepoRootPath };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command.Replace("http://127.0.0.1:5080", CliHost.Url));
        info.Environment["KEY"] = key;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.EqualTo(0), $"{command}\n{await process.StandardError.ReadToEndAsync()}");
        return output;
    }

    [Test]
    public async Task Every_readme_example_works_when_pasted_in_order()
    {
        var code = "readme-" + Guid.NewGuid().ToString("N")[..8];
        var org = await CliHost.PtAsync(null, "orgs", "create", "--code", code, "--name", "README clinic", "--time-zone", "America/New_York", "--key", CliHost.OperatorKey);
        Assert.That(org.ExitCode, Is.EqualTo(0), org.Err);
        var key = org.Out.Split('\n').First(l => l.StartsWith("admin key:", StringComparison.Ordinal))["admin key:".Length..].Trim();

        var commands = Commands();
        Assert.That(commands[0], Is.EqualTo("KEY=$(cat .data/admin-key)"), "the README starts from the key scripts/run keeps");
        var answers = new List<JsonElement>();
        foreach (var command in commands.Skip(1))
        {
            Assert.That(command, Does.StartWith("curl -s "), "every other example is a curl command");
            var output = await BashAsync(command, key);
            answers.Add(JsonDocument.Parse(output).RootElement);
        }

        Assert.That(answers, Has.Count.EqualTo(5));
        Assert.That(answers[0].GetProperty("code").GetString(), Is.EqualTo("acme-ppo"));
        Assert.That(answers[0].GetProperty("effectiveFrom").ValueKind, Is.EqualTo(JsonValueKind.Null), "a first version governs from the beginning");
        Assert.That(answers[1].GetProperty("dateOfService").GetString(), Is.EqualTo("2026-03-05"));
        Assert.That(answers[2].GetProperty("eligible").GetBoolean(), Is.False);
        Assert.That(answers[2].GetProperty("earliestEligibleDate").GetString(), Is.EqualTo("2026-03-12"));
        Assert.That(answers[3].GetProperty("resourceType").GetString(), Is.EqualTo("Procedure"));
        Assert.That(answers[3].GetProperty("identifier")[0].GetProperty("value").GetString(), Is.EqualTo("PROC-ESI-0001"));
        var rerun = JsonDocument.Parse(await BashAsync(commands[4], key)).RootElement;
        Assert.That(rerun.GetProperty("id").GetString(), Is.EqualTo(answers[3].GetProperty("id").GetString()), "If-None-Exist matches the file's identifier");
        // The order is for 2026-11-30, long after p-1's 2026-03-05 TPI: allowed, so no card, and the plan's answer is "covered".
        Assert.That(answers[4].GetProperty("cards").GetArrayLength(), Is.EqualTo(0));
        var coverage = answers[4].GetProperty("systemActions")[0].GetProperty("resource").GetProperty("extension").EnumerateArray()
            .Single(e => e.GetProperty("url").GetString()!.EndsWith("ext-coverage-information")).GetProperty("extension").EnumerateArray();
        Assert.That(coverage.Single(e => e.GetProperty("url").GetString() == "covered").GetProperty("valueCode").GetString(), Is.EqualTo("covered"));
    }
}

using System.CommandLine;
using ProcedureTracker.Cli;

// pt: ProcedureTracker's command-line tool for billing staff and admins. Every command but `migrate` calls the HTTP API.
var url = new Option<string>("--url") { Description = "API base URL (default: $PT_URL or http://127.0.0.1:5080)", Recursive = true };
var key = new Option<string>("--key") { Description = "API key (default: $PT_KEY)", Recursive = true };
var root = new RootCommand("ProcedureTracker command line: reports, imports, eligibility checks, policies, keys, migrations.") { url, key };

ApiClient Client(ParseResult r) => new(r.GetValue(url) ?? Environment.GetEnvironmentVariable("PT_URL") ?? "http://127.0.0.1:5080",
    r.GetValue(key) ?? Environment.GetEnvironmentVariable("PT_KEY"), Console.Error);

root.Subcommands.Add(Commands.Report(Client));
root.Subcommands.Add(Commands.Import(Client));
root.Subcommands.Add(Commands.Check(Client));
root.Subcommands.Add(Commands.Policies(Client));
root.Subcommands.Add(Commands.Keys(Client));
root.Subcommands.Add(Commands.Organizations(r => new ApiClient(r.GetValue(url) ?? Environment.GetEnvironmentVariable("PT_URL") ?? "http://127.0.0.1:5080",
    r.GetValue(key) ?? Environment.GetEnvironmentVariable("PT_OPERATOR_KEY"), Console.Error)));
root.Subcommands.Add(Commands.Migrate());
return await root.Parse(args).InvokeAsync();

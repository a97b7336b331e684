using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using ProcedureTracker.Data.Catalog;
using ProcedureTracker.Data.Migrations;

namespace ProcedureTracker.Cli;

public static class Commands
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    public static Command Report(Func<ParseResult, ApiClient> client)
    {
        var year = new Option<int>("--year") { Description = "Year (the plan year starting in it, with --basis plan)", Required = true };
        var basis = new Option<string>("--basis") { Description = "calendar or plan", DefaultValueFactory = _ => "calendar" };
        basis.AcceptOnlyFromAmong("calendar", "plan");
        var plan = new Option<string>("--plan") { Description = "Only this plan" };
        var outFile = new Option<FileInfo>("--out") { Description = "Write the CSV here (default: standard output)" };
        var yearly = new Command("yearly", "Sessions, injections and steroid use per patient, plan and procedure for a year, as CSV.") { year, basis, plan, outFile };
        yearly.SetAction((r, ct) => DownloadAsync(client(r),
            $"v1/reports/yearly-counts?year={r.GetValue(year)}&basis={r.GetValue(basis)}&format=csv{Query("plan", r.GetValue(plan))}", r.GetValue(outFile), ct));

        var date = new Option<string>("--date") { Description = "Date (yyyy-MM-dd; default today in the clinic's time zone)" };
        var plan2 = new Option<string>("--plan") { Description = "Only patients on this plan" };
        var out2 = new Option<FileInfo>("--out") { Description = "Write the CSV here (default: standard output)" };
        var approaching = new Command("approaching", "Patients with at most one session left on a cap, as CSV.") { date, plan2, out2 };
        approaching.SetAction((r, ct) => DownloadAsync(client(r),
            $"v1/reports/approaching-limits?format=csv{Query("date", r.GetValue(date))}{Query("plan", r.GetValue(plan2))}", r.GetValue(out2), ct));

        return new Command("report", "Billing reports.") { yearly, approaching };
    }

    private static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";

    public static Command Import(Func<ParseResult, ApiClient> client)
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV file with a header row (see README)" };
        var report = new Option<FileInfo>("--report") { Description = "Write every rejected and over-limit line to this CSV file" };
        var command = new Command("import", "Import history from a CSV file; re-running the same file changes nothing.") { file, report };
        command.SetAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!;
            if (!path.Exists) { await Console.Error.WriteLineAsync($"error: no file {path.FullName}"); return ExitCodes.Usage; }
            using var api = client(r);
            await using var stream = new ProgressStream(File.OpenRead(path.FullName), Console.Error);
            var content = new StreamContent(stream);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            // The server imports as a job and reports rows handled; the bar above covered the upload, this line the server's work.
            var (response, code) = await api.SendAsync(HttpMethod.Post, "v1/imports", content,
                new Dictionary<string, string> { ["Prefer"] = "respond-async", ["X-File-Name"] = path.Name }, ct);
            stream.Finish();
            if (response is null) return code;
            var job = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            var lastRows = -1;
            while (job["state"]!.GetValue<string>() is "running" or "queued")
            {
                var rows = job["rowsHandled"]!.GetValue<int>();
                if (rows != lastRows) { await Console.Error.WriteLineAsync($"server: {rows} rows handled..."); lastRows = rows; }
                await Task.Delay(500, ct);
                (response, code) = await api.SendAsync(HttpMethod.Get, $"v1/imports/{job["id"]}", null, ct);
                if (response is null) return code;
                job = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            }
            if (job["state"]!.GetValue<string>() == "failed") { await Console.Error.WriteLineAsync($"error: {job["error"]}"); return ExitCodes.Unavailable; }
            if (job["state"]!.GetValue<string>() == "refused") { await Console.Error.WriteLineAsync($"error: header: {job["error"]}"); return ExitCodes.Refused; }
            await Console.Error.WriteLineAsync($"server: done, {job["rowsHandled"]} rows handled");
            var summary = job["result"]!;
            var rejected = summary["rejected"]!.AsArray();
            var overLimit = summary["overLimit"]!.AsArray();
            // The answer lists the first lines of each; the totals count them all.
            var rejectedTotal = summary["rejectedTotal"]?.GetValue<int>() ?? rejected.Count;
            var overLimitTotal = summary["overLimitTotal"]?.GetValue<int>() ?? overLimit.Count;
            Console.WriteLine($"imported {summary["imported"]}, unchanged {summary["unchanged"]}, rejected {rejectedTotal}, over a limit {overLimitTotal}");
            if (rejectedTotal > rejected.Count) Console.WriteLine($"  (the first {rejected.Count} rejected lines follow; fix them and import again to see the next)");
            foreach (var row in rejected)
                foreach (var field in row!["errors"]!.AsObject())
                    Console.WriteLine($"  line {row["line"]}: {field.Key}: {string.Join("; ", field.Value!.AsArray().Select(m => m!.GetValue<string>()))}");
            foreach (var row in overLimit.Take(20))
                Console.WriteLine($"  line {row!["line"]}: imported over a limit ({string.Join(", ", row["ruleIds"]!.AsArray().Select(x => x!.GetValue<string>()))})");
            if (overLimitTotal > 20) Console.WriteLine($"  ... and {overLimitTotal - 20} more over a limit{(r.GetValue(report) is null ? " (pt import --report FILE lists them all)" : "")}");
            if (r.GetValue(report) is { } reportFile)
            {
                await using var writer = new StreamWriter(reportFile.FullName);
                await writer.WriteLineAsync("line,outcome,field,detail");
                foreach (var row in rejected)
                    foreach (var field in row!["errors"]!.AsObject())
                        await writer.WriteLineAsync($"{row["line"]},rejected,{Quote(field.Key)},{Quote(string.Join("; ", field.Value!.AsArray().Select(m => m!.GetValue<string>())))}");
                foreach (var row in overLimit)
                    await writer.WriteLineAsync($"{row!["line"]},over-limit,,{Quote(string.Join(" ", row["ruleIds"]!.AsArray().Select(x => x!.GetValue<string>())))}");
                Console.WriteLine($"report: {rejected.Count} rejected and {overLimit.Count} over-limit lines in {reportFile.FullName}");
            }
            return rejectedTotal == 0 ? ExitCodes.Ok : ExitCodes.No;
        });
        return command;
    }

    public static Command Check(Func<ParseResult, ApiClient> client)
    {
        var patient = new Option<string>("--patient") { Description = "Patient id", Required = true };
        var procedure = new Option<string>("--procedure") { Description = "Procedure code, e.g. trigger-point-injection", Required = true };
        var region = new Option<string>("--region") { Description = "Region code, e.g. neck", Required = true };
        var laterality = new Option<string>("--laterality") { Description = "left, right, bilateral or none", DefaultValueFactory = _ => "none" };
        var drug = new Option<string>("--steroid-drug") { Description = "Steroid drug, if any" };
        var dose = new Option<decimal?>("--dose-mg") { Description = "Steroid dose in mg" };
        var date = new Option<string>("--date") { Description = "Date of service (yyyy-MM-dd)", Required = true };
        var plan = new Option<string>("--plan") { Description = "Payer plan (policy code)" };
        var json = new Option<bool>("--json") { Description = "Print the whole answer as JSON" };
        var command = new Command("check", "Is this injection allowed on this date? Exit 0 if eligible, 3 if not.")
            { patient, procedure, region, laterality, drug, dose, date, plan, json };
        command.SetAction(async (r, ct) =>
        {
            var body = new JsonObject
            {
                ["patientId"] = r.GetValue(patient), ["procedure"] = r.GetValue(procedure),
                ["site"] = new JsonObject { ["region"] = r.GetValue(region), ["laterality"] = r.GetValue(laterality) },
                ["steroid"] = r.GetValue(drug) is null && r.GetValue(dose) is null ? null : new JsonObject { ["drug"] = r.GetValue(drug), ["doseMg"] = r.GetValue(dose) },
                ["date"] = r.GetValue(date), ["plan"] = r.GetValue(plan),
            };
            using var api = client(r);
            var (response, code) = await api.SendAsync(HttpMethod.Post, "v1/eligibility", ApiClient.Json(body.ToJsonString()), ct);
            if (response is null) return code;
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            if (r.GetValue(json)) Console.WriteLine(answer.ToJsonString(Pretty));
            else
            {
                var eligible = answer["eligible"]!.GetValue<bool>();
                Console.WriteLine(eligible ? $"Eligible on {answer["date"]}." :
                    $"Not eligible on {answer["date"]}; earliest eligible date: {answer["earliestEligibleDate"]?.ToString() ?? "none within two years"}.");
                foreach (var v in answer["violations"]!.AsArray()) Console.WriteLine($"  - {v!["message"]} ({v["policy"]}/{v["ruleId"]}, passes on {v["passesOn"]?.ToString() ?? "never"})");
                foreach (var u in answer["usage"]!.AsArray())
                    Console.WriteLine($"  {u!["policy"]}/{u["ruleId"]}: {u["used"]} of {u["limit"]} {u["unit"]} used ({u["windowStart"]} to {u["windowEnd"]})");
                foreach (var w in answer["warnings"]!.AsArray()) Console.WriteLine($"  ! {w}");
            }
            return answer["eligible"]!.GetValue<bool>() ? ExitCodes.Ok : ExitCodes.No;
        });
        return command;
    }

    public static Command Policies(Func<ParseResult, ApiClient> client)
    {
        var list = new Command("list", "List the policies in force today.");
        list.SetAction(async (r, ct) =>
        {
            using var api = client(r);
            var (response, code) = await api.SendAsync(HttpMethod.Get, "v1/policies", null, ct);
            if (response is null) return code;
            foreach (var p in JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsArray())
                Console.WriteLine($"{p!["code"],-28} v{p["version"],-3} {(p["alwaysApply"]!.GetValue<bool>() ? "always " : "       ")} from {p["effectiveFrom"]}  {p["name"]} ({p["rules"]!.AsArray().Count} rules)");
            return ExitCodes.Ok;
        });

        var code = new Argument<string>("code") { Description = "Policy code" };
        var asOf = new Option<string>("--as-of") { Description = "The version in force on this date (yyyy-MM-dd)" };
        var show = new Command("show", "Show one policy as JSON.") { code, asOf };
        show.SetAction(async (r, ct) =>
        {
            using var api = client(r);
            var (response, exit) = await api.SendAsync(HttpMethod.Get, $"v1/policies/{Uri.EscapeDataString(r.GetValue(code)!)}?{Query("asOf", r.GetValue(asOf)).TrimStart('&')}", null, ct);
            if (response is null) return exit;
            Console.WriteLine(JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.ToJsonString(Pretty));
            return ExitCodes.Ok;
        });

        var file = new Argument<FileInfo>("file") { Description = "Policy JSON as PUT /v1/policies/{code} takes it" };
        var codeOption = new Option<string>("--code") { Description = "Policy code (default: the file's \"code\" member, else its file name)" };
        var apply = new Command("apply", "Create a policy or a new version of it from a JSON file.") { file, codeOption };
        apply.SetAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!;
            if (!path.Exists) { await Console.Error.WriteLineAsync($"error: no file {path.FullName}"); return ExitCodes.Usage; }
            JsonNode? body;
            try { body = JsonNode.Parse(await File.ReadAllTextAsync(path.FullName, ct)); }
            catch (JsonException e) { await Console.Error.WriteLineAsync($"error: {path.Name} is not valid JSON: {e.Message}"); return ExitCodes.Usage; }
            var policyCode = r.GetValue(codeOption) ?? body?["code"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(path.Name);
            using var api = client(r);
            var (response, exit) = await api.SendAsync(HttpMethod.Put, $"v1/policies/{Uri.EscapeDataString(policyCode)}", ApiClient.Json(body?.ToJsonString() ?? "null"), ct);
            if (response is null) return exit;
            var stored = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            Console.WriteLine($"{stored["code"]} version {stored["version"]} stored, in force from {stored["effectiveFrom"]}.");
            return ExitCodes.Ok;
        });
        return new Command("policies", "Payer plans and clinic protocols.") { list, show, apply };
    }

    public static Command Keys(Func<ParseResult, ApiClient> client)
    {
        var name = new Option<string>("--name") { Description = "Who or what uses the key", Required = true };
        var role = new Option<string>("--role") { Description = "admin, clinician, billing or ehr", Required = true };
        role.AcceptOnlyFromAmong("admin", "clinician", "billing", "ehr");
        var create = new Command("create", "Create an API key; the key is printed once.") { name, role };
        create.SetAction(async (r, ct) =>
        {
            using var api = client(r);
            var body = new JsonObject { ["name"] = r.GetValue(name), ["role"] = r.GetValue(role) };
            var (response, code) = await api.SendAsync(HttpMethod.Post, "v1/api-keys", ApiClient.Json(body.ToJsonString()), ct);
            if (response is null) return code;
            var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            Console.WriteLine($"id:   {created["id"]}\nrole: {created["role"]}\nkey:  {created["key"]}\n(store the key now: it is not shown again)");
            return ExitCodes.Ok;
        });
        var list = new Command("list", "List the organization's API keys (never their secrets).");
        list.SetAction(async (r, ct) =>
        {
            using var api = client(r);
            var (response, code) = await api.SendAsync(HttpMethod.Get, "v1/api-keys", null, ct);
            if (response is null) return code;
            foreach (var k in JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsArray())
                Console.WriteLine($"{k!["id"]}  {k["role"],-9}  {(k["revoked"]!.GetValue<bool>() ? "revoked" : "active "),-8} {k["name"]}");
            return ExitCodes.Ok;
        });
        var id = new Argument<Guid>("id") { Description = "The key's id (from pt keys list)" };
        var revoke = new Command("revoke", "Revoke a key at once (on every API process).") { id };
        revoke.SetAction(async (r, ct) =>
        {
            using var api = client(r);
            var (response, code) = await api.SendAsync(HttpMethod.Delete, $"v1/api-keys/{r.GetValue(id)}", null, ct);
            if (response is null) return code;
            Console.WriteLine($"revoked {r.GetValue(id)}");
            return ExitCodes.Ok;
        });
        return new Command("keys", "API keys.") { create, list, revoke };
    }

    public static Command Organizations(Func<ParseResult, ApiClient> client)
    {
        var code = new Option<string>("--code") { Description = "Stable code, e.g. north-clinic", Required = true };
        var name = new Option<string>("--name") { Description = "The organization's name", Required = true };
        var zone = new Option<string>("--time-zone") { Description = "IANA time zone, e.g. America/Chicago", Required = true };
        var create = new Command("create", "Create an organization and its first admin key (needs the operator key: PT_OPERATOR_KEY or --key).") { code, name, zone };
        create.SetAction(async (r, ct) =>
        {
            using var api = client(r);
            var body = new JsonObject { ["code"] = r.GetValue(code), ["name"] = r.GetValue(name), ["timeZone"] = r.GetValue(zone) };
            var (response, status) = await api.SendAsync(HttpMethod.Post, "v1/operator/organizations", ApiClient.Json(body.ToJsonString()), ct);
            if (response is null) return status;
            var created = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            Console.WriteLine($"organization {created["code"]} ({created["name"]}, {created["timeZone"]}) created\nadmin key: {created["adminKey"]}\n(store the key now: it is not shown again)");
            return ExitCodes.Ok;
        });
        return new Command("orgs", "Organizations (operator).") { create };
    }

    public static Command Migrate()
    {
        var connection = new Option<string>("--connection") { Description = "PostgreSQL connection string (default: $ConnectionStrings__Tracker)" };
        var command = new Command("migrate", "Apply database migrations and seed the catalog (talks to PostgreSQL directly).") { connection };
        command.SetAction(async (r, ct) =>
        {
            var connectionString = r.GetValue(connection) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Tracker");
            if (string.IsNullOrEmpty(connectionString)) { await Console.Error.WriteLineAsync("error: give --connection or set ConnectionStrings__Tracker"); return ExitCodes.Usage; }
            try
            {
                await using var dataSource = NpgsqlDataSource.Create(connectionString);
                var applied = await MigrationRunner.MigrateAsync(dataSource, ct);
                await CatalogStore.SeedAsync(dataSource, ct);
                Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied: {string.Join(", ", applied)}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException or System.Net.Sockets.SocketException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Unavailable;
            }
        });
        return command;
    }

    private static async Task<int> DownloadAsync(ApiClient api, string path, FileInfo? outFile, CancellationToken ct)
    {
        using (api)
        {
            var (response, code) = await api.SendAsync(HttpMethod.Get, path, null, ct);
            if (response is null) return code;
            await using var source = await response.Content.ReadAsStreamAsync(ct);
            if (outFile is null) { await source.CopyToAsync(Console.OpenStandardOutput(), ct); return ExitCodes.Ok; }
            await using (var target = File.Create(outFile.FullName)) await source.CopyToAsync(target, ct);
            await Console.Error.WriteLineAsync($"wrote {outFile.FullName}");
            return ExitCodes.Ok;
        }
    }

    private static string Query(string name, string? value) => value is null ? "" : $"&{name}={Uri.EscapeDataString(value)}";
}

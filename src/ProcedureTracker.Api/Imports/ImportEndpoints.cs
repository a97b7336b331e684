using System.Globalization;
using System.Security.Claims;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using ProcedureTracker.Api.Infrastructure;
using ProcedureTracker.Api.Injections;
using ProcedureTracker.Data.Imports;
using ProcedureTracker.Data.Injections;
using ProcedureTracker.Data.Policies;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Injections;

namespace ProcedureTracker.Api.Imports;

public static class ImportEndpoints
{
    public const int BatchSize = 1000;

    public static readonly string[] Columns =
        ["patientId", "procedure", "cptCode", "region", "laterality", "detail", "steroidDrug", "steroidDoseMg", "dateOfService", "plan",
         "externalId", "providerId", "imageGuidance"];

    private static readonly string[] Required = ["patientId", "procedure", "region", "dateOfService", "externalId"];

    public static void MapImports(this IEndpointRouteBuilder v1) =>
        v1.MapPost("/imports", Import).WithTags("Import").RequireAuthorization(Roles.Reports).Accepts<string>("text/csv");

    public sealed record RejectedRow(int Line, IDictionary<string, string[]> Errors);
    public sealed record OverLimitRow(int Line, IReadOnlyList<string> RuleIds);
    public sealed record ImportSummary(int Imported, int Unchanged, IReadOnlyList<RejectedRow> Rejected, IReadOnlyList<OverLimitRow> OverLimit);

    /// <summary>
    /// Streams the CSV body: rows are validated as they arrive and stored a batch at a time, so a file of a million rows
    /// never needs a million rows in memory (only the rejected and over-limit line lists grow).
    /// </summary>
    private static async Task<Results<Ok<ImportSummary>, ValidationProblem>> Import(HttpContext context, ClaimsPrincipal user, ImportStore imports,
        PolicyStore policies, ProcedureCatalog catalog, CancellationToken ct)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
            return Problems.Invalid("body", "Send the file as text/csv.");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;

        var caller = ApiKeyAuthentication.CallerOf(user);
        var versions = await policies.AllVersionsAsync(caller.Organization.Id, ct);
        var plans = versions.Select(p => p.Code).ToHashSet(StringComparer.Ordinal);

        using var reader = new StreamReader(context.Request.Body);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null, MissingFieldFound = null });
        if (!await csv.ReadAsync() || !csv.ReadHeader()) return Problems.Invalid("header", "The file is empty; it needs a header row.");
        var missing = Required.Where(c => !csv.HeaderRecord!.Contains(c)).ToList();
        if (missing.Count > 0) return Problems.Invalid("header", $"Missing column(s): {string.Join(", ", missing)}. Columns: {string.Join(",", Columns)}.");

        var (imported, unchanged) = (0, 0);
        var rejected = new List<RejectedRow>();
        var overLimit = new List<OverLimitRow>();
        var batch = new List<ImportRow>(BatchSize);

        async Task Flush()
        {
            if (batch.Count == 0) return;
            foreach (var outcome in await imports.ImportBatchAsync(caller.Organization.Id, batch, versions, caller.KeyId, ct))
                switch (outcome)
                {
                    case ImportRowOutcome.Imported i:
                        imported++;
                        if (i.OverLimitRuleIds.Count > 0) overLimit.Add(new OverLimitRow(i.Line, i.OverLimitRuleIds));
                        break;
                    case ImportRowOutcome.Unchanged: unchanged++; break;
                    case ImportRowOutcome.Rejected r: rejected.Add(new RejectedRow(r.Line, new Dictionary<string, string[]> { [r.Field] = [r.Message] })); break;
                }
            batch.Clear();
        }

        while (await csv.ReadAsync())
        {
            var line = csv.Parser.Row; // the header is row 1
            var errors = new ValidationErrors();
            var row = Parse(csv, catalog, plans, errors);
            if (row is null) rejected.Add(new RejectedRow(line, errors.ToDictionary()));
            else batch.Add(new ImportRow(line, row));
            if (batch.Count == BatchSize) await Flush();
        }
        await Flush();
        return TypedResults.Ok(new ImportSummary(imported, unchanged, rejected.OrderBy(r => r.Line).ToList(), overLimit));
    }

    private static NewInjection? Parse(CsvReader csv, ProcedureCatalog catalog, HashSet<string> plans, ValidationErrors errors)
    {
        string? Get(string column)
        {
            if (!csv.TryGetField<string>(column, out var value) || string.IsNullOrWhiteSpace(value)) return null;
            if (InputText.Problem(value) is { } problem) { errors.Add(column, problem); return null; }
            return value.Trim();
        }

        var patientId = Get("patientId");
        InjectionRequestValidation.PatientId(patientId, "patientId", errors);
        decimal? dose = null;
        if (Get("steroidDoseMg") is { } doseText)
        {
            if (decimal.TryParse(doseText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed)) dose = parsed;
            else errors.Add("steroidDoseMg", $"'{doseText}' is not a number of mg.");
        }
        var plan = Get("plan");
        if (plan is not null && !plans.Contains(plan)) errors.Add("plan", $"Unknown plan '{plan}'.");
        var externalId = Get("externalId");
        if (externalId is null) errors.Add("externalId", "Required: it makes re-importing the same file change nothing.");
        InjectionRequestValidation.Text(externalId, "externalId", 200, errors);
        InjectionRequestValidation.Text(Get("providerId"), "providerId", 64, errors);
        var guidance = Get("imageGuidance");
        if (guidance is not null && !InjectionRequestValidation.ImageGuidance.Contains(guidance))
            errors.Add("imageGuidance", $"Use one of: {string.Join(", ", InjectionRequestValidation.ImageGuidance)}.");
        var clinical = InjectionValidator.Validate(new ClinicalDraft(Get("procedure"), Get("cptCode"), Get("region"), Get("laterality"), Get("detail"),
            Get("steroidDrug"), dose, Get("dateOfService")), catalog, ClinicalFieldNames.Csv, errors);
        if (clinical is null || !errors.IsEmpty) return null;
        return new NewInjection(patientId!, clinical, plan, externalId, Get("providerId"), guidance, null, null, null);
    }
}

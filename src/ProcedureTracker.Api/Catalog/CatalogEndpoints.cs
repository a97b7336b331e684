using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Api.Catalog;

public static class CatalogEndpoints
{
    public static void MapCatalog(this IEndpointRouteBuilder v1)
    {
        var group = v1.MapGroup("/").WithTags("Catalog").RequireAuthorization(Permission.Read);
        group.MapGet("/procedures", Procedures)
            .WithName("listProcedures").WithSummary("Procedure catalog")
            .WithDescription("Procedure types with their CPT/HCPCS codes.");
        group.MapGet("/regions", Regions)
            .WithName("listRegions").WithSummary("Body regions")
            .WithDescription("Region codes used in sites.");
        group.MapGet("/steroid-drugs", Drugs)
            .WithName("listSteroidDrugs").WithSummary("Steroid drugs")
            .WithDescription("Drugs with their methylprednisolone-equivalent factors.");
    }

    public sealed record ProcedureDto(string Code, string Name, IReadOnlyList<string> CptCodes);
    public sealed record RegionDto(string Code, string Name);
    public sealed record DrugDto(string Code, string Name, decimal MpeFactor, decimal MaxSingleDoseMg);

    private static Ok<IEnumerable<ProcedureDto>> Procedures(ProcedureCatalog catalog) =>
        TypedResults.Ok(catalog.Procedures.Select(p => new ProcedureDto(p.Code, p.Name, p.CptCodes)));

    private static Ok<IEnumerable<RegionDto>> Regions(ProcedureCatalog catalog) =>
        TypedResults.Ok(catalog.Regions.Select(r => new RegionDto(r.Code, r.Name)));

    private static Ok<IEnumerable<DrugDto>> Drugs(ProcedureCatalog catalog) =>
        TypedResults.Ok(catalog.Drugs.Select(d => new DrugDto(d.Code, d.Name, d.MpeFactor, d.MaxSingleDoseMg)));
}

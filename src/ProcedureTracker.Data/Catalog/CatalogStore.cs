using Dapper;
using Npgsql;
using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Data.Catalog;

/// <summary>The shared catalog tables: seeded from <see cref="DefaultCatalog"/>, read whole at start-up.</summary>
public static class CatalogStore
{
    /// <summary>Inserts the default catalog rows that are missing; rows a clinic changed are left alone.</summary>
    public static async Task SeedAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        const string procedures = """
            insert into procedure_types (code, name, cpt_codes) values (@Code, @Name, @CptCodes)
            on conflict (code) do nothing
            """;
        const string regions = "insert into regions (code, name) values (@Code, @Name) on conflict (code) do nothing";
        const string drugs = """
            insert into steroid_drugs (code, name, mpe_factor, max_single_dose_mg) values (@Code, @Name, @MpeFactor, @MaxSingleDoseMg)
            on conflict (code) do nothing
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(procedures,
            DefaultCatalog.Procedures.Select(p => new { p.Code, p.Name, CptCodes = p.CptCodes.ToArray() }), tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(regions, DefaultCatalog.Regions, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(drugs, DefaultCatalog.Drugs, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>Reads the catalog.</summary>
    public static async Task<ProcedureCatalog> LoadAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        const string sql = """
            select code, name, cpt_codes as CptCodes from procedure_types order by code;
            select code, name from regions order by code;
            select code, name, mpe_factor as MpeFactor, max_single_dose_mg as MaxSingleDoseMg from steroid_drugs order by code;
            """;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        var procedures = (await grid.ReadAsync<(string Code, string Name, string[] CptCodes)>())
            .Select(p => new ProcedureType(p.Code, p.Name, p.CptCodes)).ToList();
        var regions = (await grid.ReadAsync<(string Code, string Name)>()).Select(r => new Region(r.Code, r.Name)).ToList();
        var drugs = (await grid.ReadAsync<(string Code, string Name, decimal MpeFactor, decimal MaxSingleDoseMg)>())
            .Select(d => new SteroidDrug(d.Code, d.Name, d.MpeFactor, d.MaxSingleDoseMg)).ToList();
        return new ProcedureCatalog(procedures, regions, drugs);
    }
}

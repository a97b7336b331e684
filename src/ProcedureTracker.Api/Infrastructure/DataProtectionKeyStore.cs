using System.Xml.Linq;
using Dapper;

using ProcedureTracker.Data;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// The Data Protection key ring in PostgreSQL (<c>data_protection_keys</c>), so every process of the service shares
/// one ring. The framework's repository interface is synchronous; it is called rarely (start-up and key rotation).
/// </summary>
public sealed class DataProtectionKeyStore(TrackerDatabase db) : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = db.DataSource.OpenConnection();
        return connection.Query<string>("select xml from data_protection_keys order by id").Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = db.DataSource.OpenConnection();
        connection.Execute("insert into data_protection_keys (friendly_name, xml) values (@friendlyName, @xml) on conflict (friendly_name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}

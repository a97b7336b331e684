using System.Data;
using Dapper;
using NodaTime;

namespace ProcedureTracker.Data;

/// <summary>
/// NodaTime through Dapper by hand (Npgsql.NodaTime is not available): <see cref="LocalDate"/> travels as
/// <see cref="DateOnly"/> (PostgreSQL <c>date</c>), <see cref="Instant"/> as a UTC <see cref="DateTime"/> (<c>timestamptz</c>).
/// Neither passes through the session time zone.
/// </summary>
public static class TypeHandlers
{
    private static int _registered;

    /// <summary>Registers the handlers with Dapper once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        SqlMapper.AddTypeHandler(new LocalDateHandler());
        SqlMapper.AddTypeHandler(new InstantHandler());
    }

    private sealed class LocalDateHandler : SqlMapper.TypeHandler<LocalDate>
    {
        public override void SetValue(IDbDataParameter parameter, LocalDate value)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value.ToDateOnly();
        }

        public override LocalDate Parse(object value) => value switch
        {
            DateOnly d => LocalDate.FromDateOnly(d),
            DateTime dt => LocalDate.FromDateTime(dt),
            _ => throw new DataException($"Cannot read {value.GetType()} as a LocalDate."),
        };
    }

    private sealed class InstantHandler : SqlMapper.TypeHandler<Instant>
    {
        public override void SetValue(IDbDataParameter parameter, Instant value)
        {
            parameter.DbType = DbType.DateTimeOffset;
            parameter.Value = value.ToDateTimeUtc();
        }

        public override Instant Parse(object value) => value switch
        {
            DateTime dt => Instant.FromDateTimeUtc(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            DateTimeOffset dto => Instant.FromDateTimeOffset(dto),
            _ => throw new DataException($"Cannot read {value.GetType()} as an Instant."),
        };
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary><see cref="LocalDate"/> as ISO <c>yyyy-MM-dd</c> (NodaTime.Serialization.SystemTextJson is not available here).</summary>
public sealed class LocalDateConverter : JsonConverter<LocalDate>
{
    public override LocalDate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && LocalDatePattern.Iso.Parse(reader.GetString()!) is { Success: true } r
            ? r.Value
            : throw new JsonException("Use a real date as yyyy-MM-dd.");

    public override void Write(Utf8JsonWriter writer, LocalDate value, JsonSerializerOptions options) =>
        writer.WriteStringValue(LocalDatePattern.Iso.Format(value));
}

/// <summary><see cref="Instant"/> as ISO-8601 UTC, e.g. <c>2026-03-02T14:05:00.123Z</c>.</summary>
public sealed class InstantConverter : JsonConverter<Instant>
{
    public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && InstantPattern.ExtendedIso.Parse(reader.GetString()!) is { Success: true } r
            ? r.Value
            : throw new JsonException("Use an ISO-8601 UTC instant.");

    public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) =>
        writer.WriteStringValue(InstantPattern.ExtendedIso.Format(value));
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// A NodaTime value as a JSON string in one NodaTime pattern (NodaTime.Serialization.SystemTextJson is not available
/// here): <see cref="LocalDate"/> as ISO <c>yyyy-MM-dd</c>, <see cref="Instant"/> as ISO-8601 UTC.
/// </summary>
public sealed class PatternConverter<T>(IPattern<T> pattern, string message) : JsonConverter<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && pattern.Parse(reader.GetString()!) is { Success: true } r ? r.Value : throw new JsonException(message);

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(pattern.Format(value));
}

public static class NodaJson
{
    public static readonly JsonConverter<LocalDate> LocalDate = new PatternConverter<LocalDate>(LocalDatePattern.Iso, "Use a real date as yyyy-MM-dd.");
    public static readonly JsonConverter<Instant> Instant = new PatternConverter<Instant>(InstantPattern.ExtendedIso, "Use an ISO-8601 UTC instant.");
}

using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Data.Policies;

/// <summary>The stored form of a rule: the same JSON as the API's rule objects.</summary>
internal sealed record RuleJson(string Id, string Kind, string[] Procedures, string Scope, int? Days, int? Max, decimal? MaxMpeMg, string? Window);

/// <summary>Rules to and from the jsonb column.</summary>
internal static class PolicyJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(IEnumerable<Rule> rules) => JsonSerializer.Serialize(rules.Select(r => new RuleJson(
        r.Id, r.Kind.ToCode(), r.Procedures.ToArray(), r.Scope.ToCode(), r.Days, r.Max, r.MaxMpeMg, r.Window?.ToCode())), Options);

    public static IReadOnlyList<Rule> Deserialize(string json) =>
        JsonSerializer.Deserialize<RuleJson[]>(json, Options)!.Select(ToRule).ToList();

    private static Rule ToRule(RuleJson r)
    {
        var scope = RuleCodes.ParseScope(r.Scope) ?? throw new InvalidDataException($"Stored rule {r.Id} has unknown scope {r.Scope}.");
        var window = RuleCodes.ParseWindow(r.Window);
        return RuleCodes.ParseKind(r.Kind) switch
        {
            RuleKind.MinInterval => Rule.MinInterval(r.Id, r.Procedures, scope, r.Days!.Value),
            RuleKind.MaxSessions => Rule.MaxSessions(r.Id, r.Procedures, scope, r.Max!.Value, window!.Value),
            RuleKind.MaxSteroidSessions => Rule.MaxSteroidSessions(r.Id, r.Procedures, scope, r.Max!.Value, window!.Value),
            RuleKind.MaxSteroidDose => Rule.MaxSteroidDose(r.Id, r.Procedures, scope, r.MaxMpeMg!.Value, window!.Value),
            _ => throw new InvalidDataException($"Stored rule {r.Id} has unknown kind {r.Kind}."),
        };
    }

    public static string FormatAnnualDate(AnnualDate date) => AnnualDatePattern.Iso.Format(date);
    public static AnnualDate ParseAnnualDate(string text) => AnnualDatePattern.Iso.Parse(text).GetValueOrThrow();
}

/// <summary>One stored version of a policy.</summary>
/// <param name="Policy">The domain value.</param>
/// <param name="Version">1 for the first version, then 2, 3, ...</param>
/// <param name="CreatedAt">When this version was stored.</param>
public sealed record PolicyVersion(Policy Policy, int Version, Instant CreatedAt);

/// <summary>A policy_versions row as read.</summary>
public sealed record PolicyRow(string PolicyCode, int Version, string Name, string PlanYearStart, bool AlwaysApply,
    LocalDate? EffectiveFrom, string Rules, Instant CreatedAt, string Aliases)
{
    public PolicyVersion ToVersion() => new(new Policy(PolicyCode, Name, PolicyJson.ParseAnnualDate(PlanYearStart), AlwaysApply,
        EffectiveFrom, PolicyJson.Deserialize(Rules))
    { Aliases = System.Text.Json.JsonSerializer.Deserialize<string[]>(Aliases) ?? [] },
        Version, CreatedAt);
}

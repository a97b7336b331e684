using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Text;
using ProcedureTracker.Domain.Catalog;

namespace ProcedureTracker.Domain.Policies;

/// <summary>A policy as a client wrote it, before validation: every member may be missing or wrong.</summary>
/// <remarks>Record equality compares <see cref="Rules"/> by reference: a draft lives for one request and is validated, never compared.</remarks>
/// <param name="Name">Plain-language name (required).</param>
/// <param name="PlanYearStart"><c>MM-dd</c>; null means 01-01.</param>
/// <param name="AlwaysApply">Null means false.</param>
/// <param name="EffectiveFrom">ISO date; null means from the beginning of time for a policy's first version, and today
/// (in the organization's time zone) for a later one: the store decides, since only it knows which this is.</param>
/// <param name="Rules">The rules (at least one).</param>
/// <param name="Aliases">Other names of the plan (at most <see cref="PolicyValidator.MaxAliases"/>, 1–100 characters each).</param>
public sealed record PolicyDraft(string? Name, string? PlanYearStart, bool? AlwaysApply, string? EffectiveFrom, IReadOnlyList<RuleDraft?>? Rules,
    IReadOnlyList<string?>? Aliases = null);

/// <summary>A rule as a client wrote it.</summary>
/// <remarks>Record equality compares <see cref="Procedures"/> by reference, as for <see cref="PolicyDraft"/>.</remarks>
/// <param name="Id">Id unique in the policy.</param>
/// <param name="Kind">min-interval, max-sessions, max-steroid-sessions or max-steroid-dose.</param>
/// <param name="Procedures">Procedure codes, or <c>["*"]</c>.</param>
/// <param name="Scope">site, region or patient.</param>
/// <param name="Days">min-interval: days between sessions.</param>
/// <param name="Max">max-sessions, max-steroid-sessions: the maximum.</param>
/// <param name="MaxMpeMg">max-steroid-dose: mg methylprednisolone-equivalent.</param>
/// <param name="Window">calendar-year, plan-year or rolling-12-months.</param>
public sealed record RuleDraft(string? Id, string? Kind, IReadOnlyList<string?>? Procedures, string? Scope, int? Days, int? Max,
    decimal? MaxMpeMg, string? Window);

/// <summary>Turns a <see cref="PolicyDraft"/> into a <see cref="Policy"/> or precise per-field messages.</summary>
public static partial class PolicyValidator
{
    /// <summary>Longest min-interval accepted, in days (ten years).</summary>
    public const int MaxDays = 3650;

    /// <summary>Largest session maximum accepted.</summary>
    public const int MaxSessionsLimit = 1000;

    /// <summary>Largest dose maximum accepted, mg MPE.</summary>
    public const decimal MaxMpeLimit = 100_000m;

    /// <summary>Most rules in one policy (real payer policies have a handful; every check evaluates all of them).</summary>
    public const int MaxRules = 100;

    /// <summary>Largest policy document accepted, in bytes of JSON.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>Most aliases one policy lists.</summary>
    public const int MaxAliases = 20;

    /// <summary>Most procedure codes one rule names (the catalog has fewer).</summary>
    public const int MaxProceduresPerRule = 50;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex RuleIdPattern();

    /// <summary>True when <paramref name="code"/> is a valid policy code: 1–64 of lower-case letters, digits, '.', '_', '-'.</summary>
    public static bool IsValidCode(string? code) => code is not null && CodePattern().IsMatch(code);

    /// <summary>Validates a draft for policy <paramref name="code"/>; a missing effective date stays null (see <see cref="PolicyDraft"/>).</summary>
    public static Validated<Policy> Validate(string code, PolicyDraft? draft, ProcedureCatalog catalog)
    {
        var errors = new ValidationErrors();
        if (!IsValidCode(code)) errors.Add("code", "Use 1-64 lower-case letters, digits, '.', '_' or '-'.");
        if (draft is null)
        {
            errors.Add("body", "A policy is required.");
            return Validated<Policy>.Invalid(errors);
        }
        if (string.IsNullOrWhiteSpace(draft.Name)) errors.Add("name", "A name is required.");
        else if (draft.Name.Length > 200) errors.Add("name", "At most 200 characters.");

        var planYearStart = new AnnualDate(1, 1);
        if (draft.PlanYearStart is not null)
        {
            var parsed = AnnualDatePattern.Iso.Parse(draft.PlanYearStart);
            if (parsed.Success) planYearStart = parsed.Value;
            else errors.Add("planYearStart", "Use MM-dd, e.g. 07-01.");
        }

        LocalDate? effectiveFrom = null;
        if (draft.EffectiveFrom is not null)
        {
            if (DateText.TryParse(draft.EffectiveFrom, out var parsed)) effectiveFrom = parsed;
            else errors.Add("effectiveFrom", DateText.Message);
        }

        var aliases = new List<string>();
        if (draft.Aliases is { Count: > MaxAliases }) errors.Add("aliases", $"At most {MaxAliases} aliases.");
        else
            for (var i = 0; i < (draft.Aliases?.Count ?? 0); i++)
            {
                var alias = draft.Aliases![i]?.Trim();
                if (string.IsNullOrEmpty(alias) || alias.Length > 100) errors.Add($"aliases[{i}]", "Use 1-100 characters.");
                else if (string.Equals(alias, code, StringComparison.OrdinalIgnoreCase) || aliases.Contains(alias, StringComparer.OrdinalIgnoreCase))
                    errors.Add($"aliases[{i}]", $"'{alias}' is listed twice (the code counts as a name too).");
                else aliases.Add(alias);
            }

        var rules = new List<Rule>();
        if (draft.Rules is null || draft.Rules.Count == 0) errors.Add("rules", "At least one rule is required.");
        else if (draft.Rules.Count > MaxRules) errors.Add("rules", $"At most {MaxRules} rules in a policy (this one has {draft.Rules.Count}).");
        else
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < draft.Rules.Count; i++)
                if (ValidateRule(draft.Rules[i], $"rules[{i}]", catalog, ids, errors) is { } rule) rules.Add(rule);
        }

        return errors.IsEmpty
            ? Validated<Policy>.Ok(new Policy(code, draft.Name!.Trim(), planYearStart, draft.AlwaysApply ?? false, effectiveFrom, rules) { Aliases = aliases })
            : Validated<Policy>.Invalid(errors);
    }

    private static Rule? ValidateRule(RuleDraft? draft, string at, ProcedureCatalog catalog, HashSet<string> ids, ValidationErrors errors)
    {
        if (draft is null) { errors.Add(at, "A rule is required."); return null; }
        var before = errors.Count;

        if (draft.Id is null || !RuleIdPattern().IsMatch(draft.Id)) errors.Add($"{at}.id", "Use 1-64 letters, digits, '.', '_' or '-'.");
        else if (!ids.Add(draft.Id)) errors.Add($"{at}.id", $"Rule id '{draft.Id}' is used twice in this policy.");

        var kind = RuleCodes.ParseKind(draft.Kind);
        if (kind is null)
            errors.Add($"{at}.kind", draft.Kind is null ? "A kind is required." :
                $"Unknown kind '{draft.Kind}'; use min-interval, max-sessions, max-steroid-sessions or max-steroid-dose.");

        var scope = RuleCodes.ParseScope(draft.Scope);
        if (scope is null)
            errors.Add($"{at}.scope", draft.Scope is null ? "A scope is required." : $"Unknown scope '{draft.Scope}'; use site, region or patient.");

        var procedures = new List<string>();
        if (draft.Procedures is null || draft.Procedures.Count == 0) errors.Add($"{at}.procedures", "Name at least one procedure, or \"*\" for all.");
        else if (draft.Procedures.Count > MaxProceduresPerRule) errors.Add($"{at}.procedures", $"At most {MaxProceduresPerRule} procedures in a rule; use \"*\" for all.");
        else
            for (var j = 0; j < draft.Procedures.Count; j++)
            {
                var p = draft.Procedures[j];
                if (p == Rule.AnyProcedure || (p is not null && catalog.FindProcedure(p) is not null)) procedures.Add(p);
                else errors.Add($"{at}.procedures[{j}]", $"Unknown procedure '{p}'.");
            }

        RuleWindow? window = null;
        var needsWindow = kind is not null and not RuleKind.MinInterval;
        if (draft.Window is not null)
        {
            window = RuleCodes.ParseWindow(draft.Window);
            if (window is null) errors.Add($"{at}.window", $"Unknown window '{draft.Window}'; use calendar-year, plan-year or rolling-12-months.");
            else if (kind == RuleKind.MinInterval) errors.Add($"{at}.window", "A min-interval rule has no window.");
        }
        else if (needsWindow) errors.Add($"{at}.window", "A window is required.");

        Require(kind == RuleKind.MinInterval, draft.Days, $"{at}.days", 1, MaxDays, kind, errors);
        Require(kind is RuleKind.MaxSessions or RuleKind.MaxSteroidSessions, draft.Max, $"{at}.max", 0, MaxSessionsLimit, kind, errors);
        if (kind == RuleKind.MaxSteroidDose)
        {
            if (draft.MaxMpeMg is null) errors.Add($"{at}.maxMpeMg", "Required for max-steroid-dose.");
            else if (draft.MaxMpeMg <= 0 || draft.MaxMpeMg > MaxMpeLimit) errors.Add($"{at}.maxMpeMg", $"Must be more than 0 and at most {MaxMpeLimit}.");
        }
        else if (draft.MaxMpeMg is not null && kind is not null) errors.Add($"{at}.maxMpeMg", $"Not used by {kind.Value.ToCode()}.");

        if (errors.Count != before) return null;
        return kind switch
        {
            RuleKind.MinInterval => Rule.MinInterval(draft.Id!, procedures, scope!.Value, draft.Days!.Value),
            RuleKind.MaxSessions => Rule.MaxSessions(draft.Id!, procedures, scope!.Value, draft.Max!.Value, window!.Value),
            RuleKind.MaxSteroidSessions => Rule.MaxSteroidSessions(draft.Id!, procedures, scope!.Value, draft.Max!.Value, window!.Value),
            _ => Rule.MaxSteroidDose(draft.Id!, procedures, scope!.Value, draft.MaxMpeMg!.Value, window!.Value),
        };
    }

    private static void Require(bool needed, int? value, string field, int min, int max, RuleKind? kind, ValidationErrors errors)
    {
        if (needed)
        {
            if (value is null) errors.Add(field, $"Required for {kind!.Value.ToCode()}.");
            else if (value < min || value > max) errors.Add(field, $"Must be between {min} and {max}.");
        }
        else if (value is not null && kind is not null) errors.Add(field, $"Not used by {kind.Value.ToCode()}.");
    }
}

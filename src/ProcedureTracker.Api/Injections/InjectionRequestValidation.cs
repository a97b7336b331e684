using System.Text.RegularExpressions;
using ProcedureTracker.Domain;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.Injections;

/// <summary>Boundary checks of the non-clinical fields (the clinical ones are the domain's <c>InjectionValidator</c>).</summary>
public static partial class InjectionRequestValidation
{
    public static readonly string[] ImageGuidance = ["none", "ultrasound", "fluoroscopy", "ct"];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex PatientIdPattern();

    public static bool PatientId(string? value, string field, ValidationErrors errors)
    {
        if (value is not null && PatientIdPattern().IsMatch(value)) return true;
        errors.Add(field, "Use 1-64 characters of A-Z a-z 0-9 . _ -");
        return false;
    }

    public static void Plan(string? plan, ValidationErrors errors)
    {
        if (plan is not null && !PolicyValidator.IsValidCode(plan)) errors.Add("plan", $"Unknown plan '{plan}'.");
    }

    public static void Text(string? value, string field, int max, ValidationErrors errors)
    {
        if (value is not null && (value.Length == 0 || value.Length > max)) errors.Add(field, $"Use 1-{max} characters.");
    }
}

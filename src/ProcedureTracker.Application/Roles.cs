namespace ProcedureTracker.Application;

/// <summary>The one list of roles a key (or, later, a person) may have, and what each may do (API.md "Auth").</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Clinician = "clinician";
    public const string Billing = "billing";
    public const string Ehr = "ehr";

    /// <summary>Every role, in the order shown to people.</summary>
    public static readonly IReadOnlyList<string> All = [Admin, Clinician, Billing, Ehr];

    /// <summary>True for a known role.</summary>
    public static bool IsKnown(string? role) => role is not null && All.Contains(role);

    /// <summary>The roles allowed each permission; the API's authorization policies are named after the permissions.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Permissions = new Dictionary<string, string[]>
    {
        [Permission.Admin] = [Admin],
        [Permission.Read] = [Admin, Clinician, Billing, Ehr],
        [Permission.Record] = [Admin, Clinician, Ehr],
        [Permission.Void] = [Admin, Clinician],
        [Permission.Reports] = [Admin, Billing],
        [Permission.Clinical] = [Admin, Clinician],
    };
}

/// <summary>What a caller may do; each names an authorization policy.</summary>
public static class Permission
{
    public const string Admin = "admin";
    public const string Read = "read";
    public const string Record = "record";
    public const string Void = "void";
    public const string Reports = "reports";

    /// <summary>The patient pages' clinical work: check, record, correct and void (people only; EHRs record through their doors).</summary>
    public const string Clinical = "clinical";
}

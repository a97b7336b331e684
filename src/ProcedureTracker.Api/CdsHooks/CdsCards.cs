using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ProcedureTracker.Api.Fhir;
using ProcedureTracker.Domain.Catalog;
using ProcedureTracker.Domain.Eligibility;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Api.CdsHooks;

/// <summary>CDS Hooks cards and the Da Vinci CRD coverage-information extension for one evaluated order.</summary>
public static class CdsCards
{
    public const int SummaryLimit = 140;
    private static readonly LocalDatePattern Iso = LocalDatePattern.Iso;

    public static readonly JsonArray OverrideReasons = new(
        Reason("documented-relief", "Documented relief from the previous injection"),
        Reason("prior-authorization", "Prior authorization obtained"),
        Reason("clinical-urgency", "Clinically urgent; documented in the note"));

    private static JsonObject Reason(string code, string display) =>
        new() { ["code"] = code, ["system"] = "http://proceduretracker.org/fhir/CodeSystem/override-reason", ["display"] = display };

    private static JsonObject Source() => new()
    {
        ["label"] = "ProcedureTracker",
        // CRD 2.0.1's card types (its temporary code system; later CRD versions moved them to THO).
        ["topic"] = new JsonObject { ["system"] = FhirTerms.CrdTemp, ["code"] = "limits", ["display"] = "Limits" },
    };

    /// <summary>
    /// A critical card when not eligible, a warning when this uses the last allowed session, an info card when it is
    /// eligible but something was not checked (no plan, a plan with no version in force), else none.
    /// </summary>
    public static JsonObject? Card(EligibilityResult result, string procedureName, string? patientPage = null)
    {
        if (result.Eligible && result.Warnings.Count == 0) return null;
        var limitWarning = result.Warnings.FirstOrDefault(w => !result.Unchecked.Contains(w));
        var card = new JsonObject { ["uuid"] = Guid.NewGuid().ToString(), ["source"] = Source() };
        if (!result.Eligible)
        {
            var first = result.Violations[0];
            var when = result.EarliestEligibleDate is { } e ? $"Not eligible until {Iso.Format(e)}" : "Not eligible within two years";
            card["indicator"] = "critical";
            card["summary"] = Truncate($"{when}: {Reason(first, result)} ({first.Policy})");
            card["overrideReasons"] = OverrideReasons.DeepClone();
        }
        else if (limitWarning is not null)
        {
            card["indicator"] = "warning";
            card["summary"] = Truncate(limitWarning);
        }
        else
        {
            card["indicator"] = "info";
            // The reason is in the detail: a summary is short and whole.
            card["summary"] = $"Eligible on {Iso.Format(result.Date)}, but not every limit was checked";
        }
        card["detail"] = Detail(result, procedureName);
        if (patientPage is not null)
            card["links"] = new JsonArray(new JsonObject { ["label"] = "Open the patient's injection history", ["url"] = patientPage, ["type"] = "absolute" });
        return card;
    }

    private static string Reason(Violation v, EligibilityResult result)
    {
        if (v.Kind == RuleKind.MinInterval)
            return $"last session {Iso.Format(v.ConflictingDates[^1])} is too recent";
        var usage = result.Usage.FirstOrDefault(u => u.Policy == v.Policy && u.RuleId == v.RuleId);
        if (usage is null) return v.Message;
        var unit = usage.Unit.ToText();
        return $"{Number(usage.Used)} of {Number(usage.Limit)} {unit} used {Window(usage)}";
    }

    private static string Window(RuleUsage u) => u.Window switch
    {
        RuleWindow.CalendarYear => "this year",
        RuleWindow.PlanYear => "this plan year",
        _ => "in 12 months",
    };

    private static string Detail(EligibilityResult result, string procedureName)
    {
        var text = new StringBuilder($"**{procedureName}** on {Iso.Format(result.Date)}\n\n");
        foreach (var v in result.Violations)
            text.Append($"- {v.Message} ({v.Policy}/{v.RuleId}; passes on {(v.PassesOn is { } p ? Iso.Format(p) : "no date within two years")})\n");
        foreach (var w in result.Warnings) text.Append($"- {w}\n");
        text.Append("\nUsage:\n");
        foreach (var u in result.Usage)
            text.Append($"- {u.Policy}/{u.RuleId}: {Number(u.Used)} of {Number(u.Limit)} {u.Unit.ToText()} ({Iso.Format(u.WindowStart)} to {Iso.Format(u.WindowEnd)})\n");
        return text.ToString();
    }

    /// <summary>
    /// The CRD coverage-information extension for one order. With the plan's limits checked: <c>covered</c> (with
    /// <c>pa-needed: no-auth</c>) or <c>not-covered</c> (without pa-needed: invariant crd-ci-q2), and the plan's frequency
    /// limit as allowed quantity and period. With no plan checked (none known, unknown, or not fetched) it is
    /// <c>conditional</c> with the reason: an EHR stores this as the payer's answer, so it never says covered.
    /// </summary>
    public static JsonObject CoverageInformation(EligibilityResult result, string? plan, string? coverageId, LocalDate today, string? notCheckedReason = null)
    {
        var extensions = new JsonArray();
        if (coverageId is not null) extensions.Add(new JsonObject { ["url"] = "coverage", ["valueReference"] = new JsonObject { ["reference"] = $"Coverage/{coverageId}" } });
        if (plan is null)
        {
            extensions.Add(new JsonObject { ["url"] = "covered", ["valueCode"] = "conditional" });
            extensions.Add(new JsonObject { ["url"] = "pa-needed", ["valueCode"] = "conditional" });
            extensions.Add(new JsonObject
            {
                ["url"] = "reason",
                ["valueCodeableConcept"] = new JsonObject { ["text"] = notCheckedReason ?? "No payer plan is known for this patient: the plan's frequency limits were not checked." },
            });
        }
        else
        {
            extensions.Add(new JsonObject { ["url"] = "covered", ["valueCode"] = result.Eligible ? "covered" : "not-covered" });
            if (result.Eligible) extensions.Add(new JsonObject { ["url"] = "pa-needed", ["valueCode"] = "no-auth" });
        }
        extensions.Add(new JsonObject { ["url"] = "date", ["valueDate"] = Iso.Format(today) });
        extensions.Add(new JsonObject { ["url"] = "coverage-assertion-id", ["valueString"] = Guid.NewGuid().ToString("N") });
        var limit = plan is null ? null : result.Usage.FirstOrDefault(u => u.Policy == plan && u.Unit == UsageUnit.Sessions);
        if (limit is not null)
        {
            // What remains of the cap in its window, not the cap itself.
            extensions.Add(DetailExtension("allowed-quantity", "valueQuantity", new JsonObject { ["value"] = Math.Max(0, limit.Limit - limit.Used), ["unit"] = "sessions" }));
            extensions.Add(DetailExtension("allowed-period", "valuePeriod",
                new JsonObject { ["start"] = Iso.Format(limit.WindowStart), ["end"] = Iso.Format(limit.WindowEnd) }));
        }
        return new JsonObject { ["url"] = FhirTerms.CoverageInformation, ["extension"] = extensions };
    }

    private static JsonObject DetailExtension(string code, string valueName, JsonObject value) => new()
    {
        ["url"] = "detail",
        ["extension"] = new JsonArray(
            new JsonObject { ["url"] = "code", ["valueCodeableConcept"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = FhirTerms.CrdTemp, ["code"] = code }) } },
            new JsonObject { ["url"] = "value", [valueName] = value }),
    };

    /// <summary>A summary within the limit, cut at a word (never mid-word) when it must be cut.</summary>
    private static string Truncate(string s)
    {
        if (s.Length < SummaryLimit) return s;
        var cut = s.LastIndexOf(' ', SummaryLimit - 3);
        return s[..(cut > 0 ? cut : SummaryLimit - 2)].TrimEnd(',', ':', ';') + "…";
    }
    private static string Number(decimal d) => d.ToString("0.#", CultureInfo.InvariantCulture);
}

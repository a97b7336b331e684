using NodaTime;

namespace ProcedureTracker.Domain.Eligibility;

/// <summary>A record as the plan rule sees it: when it was performed and recorded, under which plan, whether voided.</summary>
public readonly record struct PlannedRecord(Guid Id, LocalDate DateOfService, Instant RecordedAt, string? Plan, bool Voided);

/// <summary>
/// The one owner of "which plan is a question judged under": the plan named, else the plan of the patient's latest
/// live injection that has one, latest by date of service, then by when it was recorded, then by id (UUIDv7: the
/// order rows were made in one statement). The check, the record, the patient page and the near-a-cap report all
/// ask here; <c>patients.latest_plan</c> (sql/0018) is a copy kept by triggers for speed, held equal by a test over
/// thousands of random histories.
/// </summary>
public static class QuestionPlan
{
    /// <summary>The plan of the latest live record that has one; null when none has.</summary>
    public static string? Latest(IEnumerable<PlannedRecord> history)
    {
        PlannedRecord? best = null;
        foreach (var r in history)
        {
            if (r.Voided || r.Plan is null) continue;
            if (best is not { } b || Later(r, b)) best = r;
        }
        return best?.Plan;
    }

    private static bool Later(PlannedRecord a, PlannedRecord b)
    {
        var byDate = a.DateOfService.CompareTo(b.DateOfService);
        if (byDate != 0) return byDate > 0;
        var byRecorded = a.RecordedAt.CompareTo(b.RecordedAt);
        return byRecorded != 0 ? byRecorded > 0 : a.Id.CompareTo(b.Id) > 0;
    }
}

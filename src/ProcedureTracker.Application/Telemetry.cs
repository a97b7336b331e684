using System.Diagnostics.Metrics;

namespace ProcedureTracker.Application;

/// <summary>
/// What operators watch (the meter <c>ProcedureTracker</c>): checks and records per second with their outcome, check
/// latency, and import rows. Tags carry outcomes and doors only, never a patient or an organization.
/// </summary>
public static class Telemetry
{
    public const string MeterName = "ProcedureTracker";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Eligibility checks answered, by door and outcome (eligible, not-eligible, unknown-plan).</summary>
    public static readonly Counter<long> Checks = Meter.CreateCounter<long>("pt.checks", "{check}", "Eligibility checks answered");

    /// <summary>How long a check took, history read included.</summary>
    public static readonly Histogram<double> CheckDuration = Meter.CreateHistogram<double>("pt.check.duration", "ms", "Time to answer an eligibility check");

    /// <summary>Records, by door and outcome (created, over-limit, replayed, refused, conflict).</summary>
    public static readonly Counter<long> Records = Meter.CreateCounter<long>("pt.records", "{record}", "Injection records handled");

    /// <summary>Rows of history imports, by outcome (imported, unchanged, rejected).</summary>
    public static readonly Counter<long> ImportRows = Meter.CreateCounter<long>("pt.import.rows", "{row}", "History import rows handled");
}

namespace ProcedureTracker.Domain.Catalog;

/// <summary>The catalog shipped with the product (DOMAIN.md); the store seeds it and clinics extend it.</summary>
public static class DefaultCatalog
{
    /// <summary>Procedure types with their CPT/HCPCS codes.</summary>
    public static IReadOnlyList<ProcedureType> Procedures { get; } =
    [
        new("trigger-point-injection", "Trigger point injection", ["20552", "20553"]),
        new("epidural-steroid-injection", "Epidural steroid injection",
            ["62320", "62321", "62322", "62323", "64479", "64480", "64483", "64484"]),
        new("facet-joint-injection", "Facet joint injection", ["64490", "64491", "64492", "64493", "64494", "64495"]),
        new("medial-branch-block", "Medial branch block", ["64490", "64491", "64492", "64493", "64494", "64495"]),
        new("radiofrequency-ablation", "Radiofrequency ablation", ["64633", "64634", "64635", "64636"]),
        new("sacroiliac-joint-injection", "Sacroiliac joint injection", ["27096", "G0260"]),
        new("joint-injection", "Major joint injection", ["20610", "20611"]),
        new("prp-injection", "Platelet-rich plasma injection", ["0232T"]),
        new("nerve-block", "Peripheral nerve block",
            ["64400", "64405", "64408", "64415", "64416", "64417", "64418", "64420", "64421", "64425", "64430", "64435", "64445", "64446", "64447", "64448", "64449", "64450"]),
        new("dry-needling", "Dry needling", ["20560", "20561"]),
    ];

    /// <summary>Body regions; the two spinal regions follow the CPT code families (cervical/thoracic, lumbar/sacral).</summary>
    public static IReadOnlyList<Region> Regions { get; } =
    [
        new("head-jaw", "head and jaw"), new("neck", "neck"), new("shoulder", "shoulder"),
        new("upper-back", "upper back"), new("lower-back", "lower back"), new("hip", "hip"),
        new("buttock", "buttock"), new("knee", "knee"), new("elbow", "elbow"), new("wrist-hand", "wrist and hand"),
        new("ankle-foot", "ankle and foot"), new("cervical-thoracic-spine", "cervical/thoracic spine"),
        new("lumbar-sacral-spine", "lumbar/sacral spine"), new("sacroiliac", "sacroiliac joint"),
    ];

    /// <summary>Corticosteroids with MPE factors (methylprednisolone 4 mg = triamcinolone 4 mg = dexamethasone
    /// 0.75 mg = betamethasone 0.75 mg = prednisolone 5 mg = hydrocortisone 20 mg).</summary>
    public static IReadOnlyList<SteroidDrug> Drugs { get; } =
    [
        new("methylprednisolone", "methylprednisolone", 1m, 200m),
        new("triamcinolone", "triamcinolone", 1m, 200m),
        new("dexamethasone", "dexamethasone", 5.33m, 40m),
        new("betamethasone", "betamethasone", 5.33m, 36m),
        new("prednisolone", "prednisolone", 0.8m, 250m),
        new("hydrocortisone", "hydrocortisone", 0.2m, 1000m),
    ];

    /// <summary>The whole default catalog.</summary>
    public static ProcedureCatalog Instance { get; } = new(Procedures, Regions, Drugs);
}

using NodaTime;
using ProcedureTracker.Application.Policies;
using ProcedureTracker.Domain.Policies;

namespace ProcedureTracker.Application.Tests;

/// <summary>A new policy version without a date takes effect on the organization's today, by the service's clock.</summary>
public class PolicyClockTests
{
    [Test]
    public async Task A_new_version_governs_from_today_in_the_organization_s_zone()
    {
        // 03:00 UTC on March 1 is still February 28 in Chicago.
        await using var host = UseCaseHost.Start(Instant.FromUtc(2030, 3, 1, 3, 0));
        var admin = await host.NewOrganizationAsync("America/Chicago");
        var draft = new PolicyDraft("Stricter", "01-01", false, null,
            [new RuleDraft("gap", "min-interval", ["*"], "site", 30, null, null, null)]);

        var (stored, errors) = await host.Get<PutPolicy>().RunAsync(admin, "medicare-lcd", draft, CancellationToken.None);

        Assert.That(errors, Is.Null);
        Assert.That(stored!.Policy.EffectiveFrom, Is.EqualTo(new LocalDate(2030, 2, 28)));
        var read = host.Get<ReadPolicies>();
        Assert.That((await read.GetAsync(admin, "medicare-lcd", null, CancellationToken.None))!.Version, Is.EqualTo(stored.Version), "in force today");
        Assert.That((await read.GetAsync(admin, "medicare-lcd", new LocalDate(2030, 2, 27), CancellationToken.None))!.Version,
            Is.EqualTo(stored.Version - 1), "the day before, the earlier version");
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;

namespace ProcedureTracker.Web.Tests;

/// <summary>
/// The web application as a clinician, a billing clerk and an admin use it, in Debian's chromium: what a person sees
/// (text, state), never markup details. Screenshots of the main pages land in artifacts/test-results/screenshots.
/// </summary>
[NonParallelizable]
public class WebApplicationTests
{
    private const string Clinician = "dr-web", Billing = "billing-web", Password = "a long enough password 42";
    private static readonly string Patient = "web-" + Guid.NewGuid().ToString("N")[..8];
    private static readonly string Suffix = Guid.NewGuid().ToString("N")[..6];
    private static string ClinicianUser => $"{Clinician}-{Suffix}";
    private static string BillingUser => $"{Billing}-{Suffix}";
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    [OneTimeSetUp]
    public async Task Seed()
    {
        var put = await WebHost.Api.PutAsJsonAsync("/v1/policies/acme-ppo", new
        {
            name = "ACME PPO", planYearStart = "07-01", effectiveFrom = "2020-01-01",
            rules = new object[]
            {
                new { id = "tpi-gap", kind = "min-interval", procedures = new[] { "trigger-point-injection" }, scope = "site", days = 7 },
                new { id = "tpi-year", kind = "max-sessions", procedures = new[] { "trigger-point-injection" }, scope = "patient", max = 4, window = "calendar-year" },
            },
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var date in new[] { "2026-01-20", "2026-02-20", "2026-03-05" })
        {
            var recorded = await WebHost.Api.PostAsJsonAsync($"/v1/patients/{Patient}/injections", new
            {
                procedure = "trigger-point-injection", cptCode = "20553", site = new { region = "neck", laterality = "right" },
                steroid = date == "2026-03-05" ? new { drug = "triamcinolone", doseMg = 40 } : null, dateOfService = date, plan = "acme-ppo",
            });
            Assert.That(recorded.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        // Staff accounts made the way an admin makes them: on the Staff page.
        await using var context = await WebHost.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignInAsync(page, WebHost.AdminUser, WebHost.AdminPassword);
        await page.GotoAsync(WebHost.Url + "/admin/staff");
        foreach (var (user, role) in new[] { (ClinicianUser, "clinician"), (BillingUser, "billing") })
        {
            await page.GetByLabel("Username").FillAsync(user);
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync(role == "clinician" ? "Dr Web" : "Bill Ing");
            await page.GetByLabel("Role").SelectOptionAsync(role);
            await page.GetByLabel(new Regex("^Password")).FillAsync(Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await Expect(page.GetByText($"Account {user} ({role}) created.")).ToBeVisibleAsync();
        }
    }

    [SetUp]
    public async Task NewBrowserContext()
    {
        _context = await WebHost.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 }, AcceptDownloads = true });
        _page = await _context.NewPageAsync();
    }

    [TearDown]
    public async Task CloseBrowserContext() => await _context.DisposeAsync();

    private static Task SignInAsync(IPage page, string user, string password) => People.SignInAsync(page, user, password);

    private async Task ShotAsync(string name)
    {
        await People.AxeAsync(_page, name);
        await People.ShotAsync(_page, name);
    }

    private async Task AskAsync(string date)
    {
        await _page.GetByLabel("Procedure").SelectOptionAsync("trigger-point-injection");
        await _page.GetByLabel("Region").SelectOptionAsync("neck");
        await _page.GetByLabel("Side").SelectOptionAsync("right");
        await _page.GetByLabel("Date", new() { Exact = true }).FillAsync(date);
        await _page.GetByLabel("Plan").SelectOptionAsync("acme-ppo");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
    }

    [Test]
    public async Task Pages_render_styled_under_their_content_security_policy_with_no_violation()
    {
        var violations = new List<string>();
        _page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add(message.Text); };
        var answer = await _page.GotoAsync(WebHost.Url + "/signin");
        Assert.That(answer!.Headers["content-security-policy"], Does.Contain("script-src 'none'"));
        await SignInAsync(_page, ClinicianUser, Password);
        await _page.GotoAsync($"{WebHost.Url}/patients/{Patient}");
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = $"Patient {Patient}" })).ToBeVisibleAsync();
        // The inline stylesheet applied (allowed by its hash), the meters' widths with it (classes, no style attributes).
        Assert.That(await _page.EvaluateAsync<string>("getComputedStyle(document.body).fontFamily"), Does.Contain("system-ui"));
        Assert.That(await _page.EvaluateAsync<string>("getComputedStyle(document.querySelector('.bar span')).width"), Is.Not.EqualTo("0px"));
        Assert.That(violations, Is.Empty);
    }

    [Test]
    public async Task A_clinician_finds_a_patient_and_sees_not_allowed_with_the_exact_earliest_date()
    {
        await SignInAsync(_page, ClinicianUser, Password);
        await _page.GetByLabel(new Regex("Patient id")).FillAsync(Patient);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Open" }).ClickAsync();

        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = $"Patient {Patient}" })).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Img, new() { Name = "Injection history" })).ToBeVisibleAsync();
        await Expect(_page.GetByText("3 of 4 sessions used, window 2026-01-01 to 2026-12-31")).ToBeVisibleAsync();
        await ShotAsync("patient-page");

        await AskAsync("2026-03-10");
        await Expect(_page.GetByText("Not allowed on 2026-03-10")).ToBeVisibleAsync();
        await Expect(_page.GetByText("Earliest allowed date: 2026-03-12")).ToBeVisibleAsync();
        await Expect(_page.GetByText(new Regex("on 2026-03-05 is 5 days before"))).ToBeVisibleAsync();
        await ShotAsync("eligibility-answer");

        await AskAsync("2026-03-12");
        await Expect(_page.GetByText("Allowed on 2026-03-12")).ToBeVisibleAsync();
        await Expect(_page.GetByText(new Regex("This is the last trigger point injection session acme-ppo allows"))).ToBeVisibleAsync();
    }

    [Test]
    public async Task Recording_over_a_limit_needs_a_reason_and_a_record_can_be_voided()
    {
        await SignInAsync(_page, ClinicianUser, Password);
        await _page.GotoAsync($"{WebHost.Url}/patients/{Patient}");
        await AskAsync("2026-03-09");
        await Expect(_page.GetByText("Not allowed on 2026-03-09")).ToBeVisibleAsync();

        await _page.GetByRole(AriaRole.Button, new() { Name = "Record over the limit" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Alert).Filter(new() { HasTextRegex = new Regex("give an override reason or a prior-authorization number") })).ToBeVisibleAsync();

        await _page.GetByLabel(new Regex("^Override reason")).FillAsync("Documented 70% relief; patient request");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record over the limit" }).ClickAsync();
        await Expect(_page.GetByText(new Regex("Recorded: Trigger point injection.* on 2026-03-09.*\\(over a limit"))).ToBeVisibleAsync();
        // The history's row (the standing above may cite the same date).
        var row = _page.Locator("tr[id^='rec-']").Filter(new() { HasText = "2026-03-09" });
        await Expect(row).ToContainTextAsync("Over a limit: Documented 70% relief");

        await row.GetByRole(AriaRole.Link, new() { Name = "Void" }).ClickAsync();
        await _page.GetByLabel("Reason").FillAsync("Entered on the wrong day");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Void" }).ClickAsync();
        await Expect(_page.Locator("tr[id^='rec-']").Filter(new() { HasText = "2026-03-09" })).ToContainTextAsync("Voided: Entered on the wrong day");
    }

    [Test]
    public async Task Billing_sees_yearly_counts_and_downloads_the_csv()
    {
        await SignInAsync(_page, BillingUser, Password);
        await _page.GotoAsync(WebHost.Url + "/billing/yearly?year=2026");
        var row = _page.GetByRole(AriaRole.Row).Filter(new() { HasText = Patient });
        await Expect(row).ToContainTextAsync("acme-ppo");
        await Expect(row).ToContainTextAsync("Trigger point injection");
        await _page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Sessions") }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Columnheader, new() { NameRegex = new Regex("Sessions ▲") })).ToBeVisibleAsync();
        await ShotAsync("billing-yearly-counts");

        var download = await _page.RunAndWaitForDownloadAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.That(csv, Does.StartWith("patientId,plan,procedure,periodStart,periodEnd,sessions,injections,steroidSessions,steroidMpeMg"));
        Assert.That(csv, Does.Contain($"{Patient},acme-ppo,trigger-point-injection,2026-01-01,2026-12-31,"));
    }

    [Test]
    public async Task An_import_with_bad_lines_lists_each_with_its_field()
    {
        await SignInAsync(_page, BillingUser, Password);
        await _page.GotoAsync(WebHost.Url + "/billing/import");
        var file = string.Join("\n",
            "patientId,procedure,cptCode,region,laterality,detail,steroidDrug,steroidDoseMg,dateOfService,plan,externalId,providerId,imageGuidance",
            $"imp-{Suffix},trigger-point-injection,20553,neck,left,,,,2026-01-12,acme-ppo,web-{Suffix}-1,,",
            $"imp-{Suffix},trigger-point-injection,20553,elbowpit,left,,,,2026-01-13,acme-ppo,web-{Suffix}-2,,",
            $"imp-{Suffix},trigger-point-injection,20553,neck,left,,,,2026-02-30,acme-ppo,web-{Suffix}-3,,",
            $"imp-{Suffix},joint-injection,20610,knee,right,,triamcinolone,40,2026-01-14,,web-{Suffix}-4,,ultrasound");
        await _page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "history.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(file) });
        await _page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();

        await Expect(_page.GetByText("Imported 2, unchanged 0, rejected 2, over a limit 0")).ToBeVisibleAsync(new() { Timeout = 15000 });
        var rejected = _page.GetByRole(AriaRole.Table).First;
        await Expect(rejected.GetByRole(AriaRole.Row).Filter(new() { HasText = "region" })).ToContainTextAsync("3");
        await Expect(rejected.GetByRole(AriaRole.Row).Filter(new() { HasText = "dateOfService" })).ToContainTextAsync("4");
        await ShotAsync("import-result");
    }

    [Test]
    public async Task An_admin_editing_a_policy_sees_the_bad_field_named_and_then_saves_a_version()
    {
        await SignInAsync(_page, WebHost.AdminUser, WebHost.AdminPassword);
        await _page.GotoAsync(WebHost.Url + "/admin/policies");
        await Expect(_page.GetByText("At most 4 trigger point injection sessions per patient per calendar year.")).ToBeVisibleAsync();
        await ShotAsync("admin-policies");

        await _page.GotoAsync(WebHost.Url + "/admin/policies/edit?code=acme-ppo");
        await _page.GetByLabel("Policy (JSON)").FillAsync("""
            {"name":"ACME PPO","rules":[{"id":"cap","kind":"max-sessions","procedures":["trigger-point-injection"],"scope":"patient","window":"calendar-year"}]}
            """);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        await Expect(_page.GetByText("Not saved.")).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "rules[0].max" })).ToBeVisibleAsync();

        await _page.GetByLabel("Policy (JSON)").FillAsync("""
            {"name":"ACME PPO","effectiveFrom":"2027-01-01","rules":[{"id":"cap","kind":"max-sessions","procedures":["trigger-point-injection"],"scope":"patient","max":5,"window":"calendar-year"}]}
            """);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        await Expect(_page.GetByText(new Regex("Saved acme-ppo version \\d+, in force from 2027-01-01"))).ToBeVisibleAsync();
    }

    [Test]
    public async Task A_policy_s_aliases_are_shown_in_the_editor_and_kept_when_it_is_saved_again()
    {
        await SignInAsync(_page, WebHost.AdminUser, WebHost.AdminPassword);
        var code = "mcb-" + Guid.NewGuid().ToString("N")[..6];
        await _page.GotoAsync(WebHost.Url + $"/admin/policies/edit?code={code}");
        await _page.GetByLabel("Policy (JSON)").FillAsync($$"""
            {"name":"Medicare Part B","aliases":["Medicare Part B","MEDICARE-B"],"rules":[{"id":"gap","kind":"min-interval","procedures":["*"],"scope":"site","days":30}]}
            """);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        await Expect(_page.GetByText(new Regex($"Saved {code} version 1"))).ToBeVisibleAsync();

        // Editing the stored version starts from what is stored, aliases included, and saving it keeps them.
        await _page.GotoAsync(WebHost.Url + $"/admin/policies/edit?code={code}");
        await Expect(_page.GetByLabel("Policy (JSON)")).ToHaveValueAsync(new Regex("MEDICARE-B"));
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        await Expect(_page.GetByText(new Regex($"Saved {code} version 2"))).ToBeVisibleAsync();
        await _page.GotoAsync(WebHost.Url + $"/admin/policies/edit?code={code}");
        await Expect(_page.GetByLabel("Policy (JSON)")).ToHaveValueAsync(new Regex("Medicare Part B\",\\s*\"MEDICARE-B"));
    }

    [Test]
    public async Task A_clinician_cannot_open_admin_or_billing_pages()
    {
        await SignInAsync(_page, ClinicianUser, Password);
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Policies" })).ToHaveCountAsync(0);
        foreach (var path in new[] { "/admin/policies", "/admin/staff", "/admin/keys", "/billing/yearly" })
        {
            await _page.GotoAsync(WebHost.Url + path);
            await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Not allowed" })).ToBeVisibleAsync();
        }
    }

    [Test]
    public async Task Another_organization_s_patient_is_not_found()
    {
        await SignInAsync(_page, ClinicianUser, Password);
        await _page.GotoAsync($"{WebHost.Url}/patients/{WebHost.OtherOrganizationPatient}");
        // Patient ids belong to an organization: here the id is a patient this clinic has not seen, with no history.
        await Expect(_page.GetByText($"No injections recorded for patient {WebHost.OtherOrganizationPatient} in your organization yet.")).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Table)).ToHaveCountAsync(0);
        await Expect(_page.GetByText("2026-02-01")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task Repeated_wrong_passwords_lock_the_account()
    {
        await using var context = await WebHost.Browser.NewContextAsync();
        var admin = await context.NewPageAsync();
        await SignInAsync(admin, WebHost.AdminUser, WebHost.AdminPassword);
        var user = $"locked-{Suffix}";
        await admin.GotoAsync(WebHost.Url + "/admin/staff");
        await admin.GetByLabel("Username").FillAsync(user);
        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync("Lock Test");
        await admin.GetByLabel(new Regex("^Password")).FillAsync(Password);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(admin.GetByText($"Account {user} (clinician) created.")).ToBeVisibleAsync();

        for (var i = 0; i < 5; i++)
        {
            await _page.GotoAsync(WebHost.Url + "/signin");
            await _page.GetByLabel("Username").FillAsync(user);
            await _page.GetByLabel("Password").FillAsync("wrong password " + i);
            await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(_page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        }
        await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");
        await _page.GetByLabel("Username").FillAsync(user);
        await _page.GetByLabel("Password").FillAsync(Password);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked", new() { });
    }
}

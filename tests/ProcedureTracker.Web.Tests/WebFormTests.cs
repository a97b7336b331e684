using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ProcedureTracker.Web.Tests;

/// <summary>
/// What a person enters is stored once, whole, and shown back: refresh and back-and-resubmit store nothing more, every
/// field of a record survives a correction, a dose needs its drug, the standing is told at a glance, and the pages fit a
/// phone. Each page state visited is checked with axe-core.
/// </summary>
[NonParallelizable]
public class WebFormTests
{
    private static readonly string Suffix = Guid.NewGuid().ToString("N")[..6];
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    [OneTimeSetUp]
    public async Task Seed()
    {
        var put = await WebHost.Api.PutAsJsonAsync($"/v1/policies/forms-{Suffix}", new
        {
            name = "Forms PPO", planYearStart = "01-01", effectiveFrom = "2020-01-01",
            rules = new object[]
            {
                new { id = "tpi-year", kind = "max-sessions", procedures = new[] { "trigger-point-injection" }, scope = "patient", max = 4, window = "calendar-year" },
                new { id = "esi-year", kind = "max-sessions", procedures = new[] { "epidural-steroid-injection" }, scope = "region", max = 3, window = "calendar-year" },
            },
        });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [SetUp]
    public async Task SignIn()
    {
        _context = await WebHost.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 }, AcceptDownloads = true });
        _page = await _context.NewPageAsync();
        await People.SignInAsync(_page, WebHost.AdminUser, WebHost.AdminPassword);
    }

    [TearDown]
    public async Task Close() => await _context.DisposeAsync();

    private string Plan => $"forms-{Suffix}";

    private static async Task<JsonElement[]> StoredAsync(string patient, bool includeVoided = false)
    {
        var response = await WebHost.Api.GetAsync($"/v1/patients/{patient}/injections{(includeVoided ? "?includeVoided=true" : "")}");
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("injections").EnumerateArray().ToArray();
    }

    private static async Task RecordAsync(string patient, string date, object? steroid = null, string procedure = "trigger-point-injection",
        string region = "neck", string laterality = "right", string? plan = null, string? cpt = null)
    {
        var response = await WebHost.Api.PostAsJsonAsync($"/v1/patients/{patient}/injections", new
        {
            procedure, cptCode = cpt, site = new { region, laterality }, steroid, dateOfService = date, plan,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    private async Task AskAsync(string procedure, string region, string side, string date, string? cpt = null, string? drug = null, string? dose = null)
    {
        await _page.GetByLabel("Procedure").SelectOptionAsync(procedure);
        if (cpt is not null) await _page.GetByLabel("CPT code").SelectOptionAsync(cpt);
        await _page.GetByLabel("Region").SelectOptionAsync(region);
        await _page.GetByLabel("Side").SelectOptionAsync(side);
        await _page.GetByLabel("Steroid", new() { Exact = true }).SelectOptionAsync(drug ?? "");
        await _page.GetByLabel("Dose (mg of the drug)").FillAsync(dose ?? "");
        await _page.GetByLabel("Date", new() { Exact = true }).FillAsync(date);
        await _page.GetByLabel("Plan").SelectOptionAsync(Plan);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
    }

    [Test]
    public async Task A_new_patient_s_first_injection_is_recorded_once_however_often_the_page_is_reloaded_or_resent()
    {
        var patient = $"new-{Suffix}";
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        await Expect(_page.GetByText($"No injections recorded for patient {patient} in your organization yet.")).ToBeVisibleAsync();
        await People.AxeAsync(_page, "a new patient");

        await AskAsync("trigger-point-injection", "neck", "left", "2026-11-20", cpt: "20553");
        await Expect(_page.GetByText("Allowed on 2026-11-20")).ToBeVisibleAsync();
        await People.AxeAsync(_page, "an allowed answer");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Recorded: Trigger point injection (20553)" })).ToBeVisibleAsync();
        // After the post: a fresh question, no answer of before, no record button.
        await Expect(_page.GetByText("Allowed on 2026-11-20")).ToHaveCountAsync(0);
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true })).ToHaveCountAsync(0);
        await Expect(_page.GetByLabel("Procedure", new() { Exact = true })).ToHaveValueAsync("trigger-point-injection");
        await Expect(_page.GetByLabel("Side")).ToHaveValueAsync("left");
        await People.AxeAsync(_page, "after recording");

        await _page.ReloadAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = $"Patient {patient}" })).ToBeVisibleAsync();
        Assert.That(await StoredAsync(patient), Has.Length.EqualTo(1), "a reload after recording stored nothing more");

        // Back to the answer's page and press Record again: the browser fetches a fresh form; the page asks instead of storing.
        await _page.GoBackAsync();
        await Expect(_page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true })).ToBeVisibleAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(_page.GetByText(new Regex("An identical injection on 2026-11-20 is already recorded"))).ToBeVisibleAsync();
        await People.AxeAsync(_page, "an identical record asked about");
        Assert.That(await StoredAsync(patient), Has.Length.EqualTo(1), "back and resubmit stored nothing more");

        // A double click sends one rendered form twice: its one-time token is claimed once.
        await AskAsync("trigger-point-injection", "neck", "left", "2026-11-27", cpt: "20553");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).DblClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status).Filter(new() { HasTextRegex = new Regex("Recorded: |That form was already sent") })).ToBeVisibleAsync();
        await _page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.That(await StoredAsync(patient), Has.Length.EqualTo(2), "a double click stored one record");
    }

    [Test]
    public async Task An_override_is_recorded_once_and_a_reload_stores_nothing_more()
    {
        var patient = $"ovr-{Suffix}";
        foreach (var date in new[] { "2026-01-10", "2026-03-10", "2026-05-10", "2026-07-10" }) await RecordAsync(patient, date, plan: Plan);
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        await AskAsync("trigger-point-injection", "neck", "right", "2026-11-25");
        await Expect(_page.GetByText("Not allowed on 2026-11-25")).ToBeVisibleAsync();
        await People.AxeAsync(_page, "a not-allowed answer");
        await _page.GetByLabel(new Regex("^Override reason")).FillAsync("Documented 80% relief; payer called");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record over the limit" }).ClickAsync();
        await Expect(_page.GetByText(new Regex("over a limit, with your documented reason"))).ToBeVisibleAsync();
        await _page.ReloadAsync();
        await _page.ReloadAsync();
        Assert.That(await StoredAsync(patient), Has.Length.EqualTo(5));
    }

    [Test]
    public async Task A_dose_needs_its_drug_and_a_decimal_comma_is_a_decimal_point()
    {
        var patient = $"dose-{Suffix}";
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        await AskAsync("epidural-steroid-injection", "lumbar-sacral-spine", "left", "2026-11-20", dose: "80");
        await Expect(_page.GetByText("Allowed on 2026-11-20")).ToHaveCountAsync(0);
        await Expect(_page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "A drug is required when a steroid dose is given." }).First).ToBeVisibleAsync();
        await People.AxeAsync(_page, "a dose without a drug");

        await AskAsync("epidural-steroid-injection", "lumbar-sacral-spine", "left", "2026-11-20", drug: "dexamethasone", dose: "8,5");
        await Expect(_page.GetByText("Allowed on 2026-11-20")).ToBeVisibleAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status).Filter(new() { HasText = "dexamethasone 8.5 mg" })).ToBeVisibleAsync();
        var stored = (await StoredAsync(patient)).Single();
        Assert.That(stored.GetProperty("steroid").GetProperty("doseMg").GetDecimal(), Is.EqualTo(8.5m));
    }

    [Test]
    public async Task The_question_repeats_the_latest_injection_with_its_steroid_levels_and_the_plan_it_is_judged_under()
    {
        var patient = $"rep-{Suffix}";
        var first = await WebHost.Api.PostAsJsonAsync($"/v1/patients/{patient}/injections", new
        {
            procedure = "epidural-steroid-injection", cptCode = "62323", site = new { region = "lumbar-sacral-spine", laterality = "none", detail = "L4-L5" },
            steroid = new { drug = "dexamethasone", doseMg = 10 }, dateOfService = "2026-02-02", plan = Plan, imageGuidance = "fluoroscopy", levels = 2,
        });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        await Expect(_page.GetByLabel("Procedure", new() { Exact = true })).ToHaveValueAsync("epidural-steroid-injection");
        await Expect(_page.GetByLabel("Steroid", new() { Exact = true })).ToHaveValueAsync("dexamethasone");
        await Expect(_page.GetByLabel("Dose (mg of the drug)")).ToHaveValueAsync("10");
        await Expect(_page.GetByLabel(new Regex("^Levels"))).ToHaveValueAsync("2");
        await Expect(_page.GetByLabel("Plan", new() { Exact = true })).ToHaveValueAsync(Plan);

        // A later record without a plan: a check without one is still judged under the plan, and the form shows it.
        await RecordAsync(patient, "2026-03-02");
        await _page.ReloadAsync();
        await Expect(_page.GetByLabel("Procedure", new() { Exact = true })).ToHaveValueAsync("trigger-point-injection");
        await Expect(_page.GetByLabel("Plan", new() { Exact = true })).ToHaveValueAsync(Plan);
    }

    [Test]
    public async Task Correct_keeps_every_field_says_what_changes_and_judges_without_the_record_it_replaces()
    {
        var patient = $"cor-{Suffix}";
        foreach (var date in new[] { "2026-02-02", "2026-04-02" }) await RecordAsync(patient, date, procedure: "epidural-steroid-injection", region: "lumbar-sacral-spine", laterality: "left", plan: Plan);
        var response = await WebHost.Api.PostAsJsonAsync($"/v1/patients/{patient}/injections", new
        {
            procedure = "epidural-steroid-injection", cptCode = "64483", site = new { region = "lumbar-sacral-spine", laterality = "left", detail = "L5-S1" },
            steroid = new { drug = "dexamethasone", doseMg = 10 }, dateOfService = "2026-06-02", plan = Plan, imageGuidance = "fluoroscopy", providerId = "npi-1234567890",
            @override = new { priorAuthorization = "PA-778" }, levels = 2,
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var original = (await StoredAsync(patient)).Single(i => i.GetProperty("dateOfService").GetString() == "2026-06-02").GetProperty("id").GetString();

        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        // The region is at 3 of 3: the standing says so in words and in red.
        var meter = _page.Locator(".meter").Filter(new() { HasText = "3 of 3 sessions used" });
        await Expect(meter).ToContainTextAsync("At the limit");
        await _page.GetByRole(AriaRole.Link, new() { Name = "Correct the record of 2026-06-02" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Correct the record of 2026-06-02" })).ToBeVisibleAsync();
        await Expect(_page.GetByLabel("CPT code")).ToHaveValueAsync("64483");
        await Expect(_page.GetByLabel(new Regex("^Site detail"))).ToHaveValueAsync("L5-S1");
        await Expect(_page.GetByLabel("Image guidance")).ToHaveValueAsync("fluoroscopy");
        await Expect(_page.GetByLabel(new Regex("^Provider id"))).ToHaveValueAsync("npi-1234567890");
        await Expect(_page.GetByLabel("Dose (mg of the drug)")).ToHaveValueAsync("10");
        await Expect(_page.GetByLabel(new Regex("^Levels"))).ToHaveValueAsync("2");
        await _page.GetByLabel("Side").SelectOptionAsync("right");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();

        // Judged without the record it replaces: 2 of 3 used, so the corrected record is within the limits.
        await Expect(_page.GetByText("The corrected record is within the limits.")).ToBeVisibleAsync();
        var changes = _page.GetByRole(AriaRole.Table).Filter(new() { HasText = "Will be" });
        await Expect(changes.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(changes).ToContainTextAsync("left");
        await Expect(changes).ToContainTextAsync("right");
        await Expect(_page.GetByLabel(new Regex("^Prior-authorization number"))).ToHaveValueAsync("PA-778");
        await People.AxeAsync(_page, "a correction's answer");
        await People.ShotAsync(_page, "correction");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Record the correction" }).ClickAsync();
        await Expect(_page.GetByText(new Regex("Corrected: the record of 2026-06-02 is replaced by"))).ToBeVisibleAsync();
        await _page.ReloadAsync();

        var all = await StoredAsync(patient, includeVoided: true);
        Assert.That(all, Has.Length.EqualTo(4), "one correction, stored once");
        var corrected = all.Single(i => i.TryGetProperty("supersedes", out var s) && s.GetString() == original);
        Assert.Multiple(() =>
        {
            Assert.That(corrected.GetProperty("cptCode").GetString(), Is.EqualTo("64483"));
            Assert.That(corrected.GetProperty("site").GetProperty("detail").GetString(), Is.EqualTo("L5-S1"));
            Assert.That(corrected.GetProperty("site").GetProperty("laterality").GetString(), Is.EqualTo("right"));
            Assert.That(corrected.GetProperty("imageGuidance").GetString(), Is.EqualTo("fluoroscopy"));
            Assert.That(corrected.GetProperty("providerId").GetString(), Is.EqualTo("npi-1234567890"));
            Assert.That(corrected.GetProperty("steroid").GetProperty("doseMg").GetDecimal(), Is.EqualTo(10m));
            Assert.That(corrected.GetProperty("levels").GetInt32(), Is.EqualTo(2), "the levels are kept");
            Assert.That(corrected.GetProperty("overridden").GetBoolean(), Is.False, "a correction within the limits is not over a limit");
        });
        // The old row links to its correction.
        var oldRow = _page.Locator($"#rec-{original}");
        await Expect(oldRow).ToContainTextAsync("Corrected: replaced by the record of 2026-06-02");
    }

    [Test]
    public async Task Meters_turn_amber_at_the_last_session_and_red_at_the_limit_with_the_words_to_match()
    {
        var patient = $"meter-{Suffix}";
        foreach (var date in new[] { "2026-01-05", "2026-02-05", "2026-03-05" }) await RecordAsync(patient, date, plan: Plan);
        foreach (var date in new[] { "2026-01-06", "2026-03-06", "2026-05-06" })
            await RecordAsync(patient, date, procedure: "epidural-steroid-injection", region: "lumbar-sacral-spine", laterality: "left", plan: Plan);
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        var amber = _page.Locator(".meter").Filter(new() { HasText = "3 of 4 sessions used" });
        var red = _page.Locator(".meter").Filter(new() { HasText = "3 of 3 sessions used" });
        await Expect(amber).ToContainTextAsync("1 session left: the next is the last");
        await Expect(red).ToContainTextAsync("At the limit: no more in this window");
        Assert.That(await amber.EvaluateAsync<string>("e => getComputedStyle(e).borderLeftColor"), Is.EqualTo("rgb(212, 167, 44)"));
        Assert.That(await red.EvaluateAsync<string>("e => getComputedStyle(e).borderLeftColor"), Is.EqualTo("rgb(180, 35, 24)"));
        // The next allowed date per procedure and site, before the question.
        var next = _page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Epidural steroid injection" }).First;
        await Expect(next).ToContainTextAsync("From 2027-01-01");
        var standing = await _page.Locator("#standing").BoundingBoxAsync();
        var question = await _page.Locator("#check").BoundingBoxAsync();
        var history = await _page.Locator("#history").BoundingBoxAsync();
        Assert.That(standing!.Y, Is.LessThan(question!.Y));
        Assert.That(question.Y, Is.LessThan(history!.Y));
        await Expect(_page.GetByRole(AriaRole.List, new() { Name = "What the marks mean" })).ToBeVisibleAsync();
        await People.AxeAsync(_page, "meters at the last session and at the limit");
    }

    [Test]
    public async Task A_long_history_reads_newest_first_by_year_and_fits_a_phone()
    {
        var patient = $"long-{Suffix}";
        var batch = Enumerable.Range(0, 60).Select(i => new
        {
            externalId = $"long-{Suffix}-{i}", procedure = i % 3 == 0 ? "joint-injection" : "trigger-point-injection",
            site = new { region = i % 3 == 0 ? "knee" : "neck", laterality = i % 2 == 0 ? "left" : "right" },
            steroid = i % 4 == 0 ? new { drug = "triamcinolone", doseMg = 20 } : null,
            dateOfService = new DateOnly(2021, 1, 4).AddDays(i * 29).ToString("yyyy-MM-dd"),
            @override = new { reason = "history import" },
        }).ToArray();
        foreach (var item in batch)
        {
            var r = await WebHost.Api.PostAsJsonAsync($"/v1/patients/{patient}/injections", item);
            Assert.That((int)r.StatusCode, Is.EqualTo(201), await r.Content.ReadAsStringAsync());
        }
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        var years = _page.Locator("details.year > summary");
        await Expect(years.First).ToContainTextAsync("2025");
        Assert.That(await _page.Locator("details.year[open]").CountAsync(), Is.EqualTo(1), "only the newest year is open");
        // The skip link stays on this page and lands on its content.
        await _page.Keyboard.PressAsync("Tab");
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        await _page.Keyboard.PressAsync("Enter");
        Assert.That(_page.Url, Does.StartWith($"{WebHost.Url}/patients/{patient}"));
        await People.AxeAsync(_page, "a long history");
        await People.ShotAsync(_page, "patient-long-history");

        await _page.SetViewportSizeAsync(390, 844);
        await _page.ReloadAsync();
        Assert.That(await People.ScrollWidthAsync(_page), Is.LessThanOrEqualTo(390), "the patient page scrolls sideways on a phone");
        await Expect(_page.GetByRole(AriaRole.List, new() { Name = "Injection history, lane by lane" })).ToBeVisibleAsync();
        var fontSize = await _page.Locator(".lanes-compact .mark").First.EvaluateAsync<string>("e => getComputedStyle(e).fontSize");
        Assert.That(double.Parse(fontSize.Replace("px", ""), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(12));
        var voidLink = await _page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Void the record of") }).First.BoundingBoxAsync();
        Assert.That(voidLink!.X + voidLink.Width, Is.LessThanOrEqualTo(390), "Void sits within the phone's width");
        await People.AxeAsync(_page, "a long history on a phone");
        await People.ShotAsync(_page, "patient-long-history-phone");

        foreach (var path in new[] { "/admin/staff", "/admin/keys", "/admin/policies", "/billing/approaching" })
        {
            await _page.GotoAsync(WebHost.Url + path);
            Assert.That(await People.ScrollWidthAsync(_page), Is.LessThanOrEqualTo(390), $"{path} scrolls sideways on a phone");
            await People.AxeAsync(_page, path + " on a phone");
        }
    }

    [Test]
    public async Task A_key_is_shown_once_with_its_prefix_kept_and_a_reload_makes_no_second_key()
    {
        var name = $"Epic EHR interface {Suffix}";
        await _page.GotoAsync(WebHost.Url + "/admin/keys");
        await _page.GetByLabel("Name").FillAsync(name);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = await _page.GetByLabel("The new key").TextContentAsync();
        Assert.That(secret, Does.StartWith("pt_"));
        await People.AxeAsync(_page, "a key just created");
        await _page.ReloadAsync();
        await Expect(_page.GetByText(secret!)).ToHaveCountAsync(0);
        var rows = _page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync(secret![..11] + "…");

        // Revoking asks first, names the key by its prefix, and the key stops working.
        await rows.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Revoke") }).ClickAsync();
        await Expect(_page.GetByText(new Regex("Every machine using it is refused"))).ToBeVisibleAsync();
        await People.AxeAsync(_page, "revoke confirmation");
        await _page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {name}" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("revoked");
        using var client = new HttpClient { BaseAddress = new Uri(WebHost.Url) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        Assert.That((await client.GetAsync("/v1/procedures")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Staff_accounts_are_made_once_never_echo_a_password_and_an_admin_set_password_must_be_changed()
    {
        var user = $"nurse-{Suffix}";
        await _page.GotoAsync(WebHost.Url + "/admin/staff");
        // A refused form does not write the typed password back into the page.
        await _page.GetByLabel("Username").FillAsync("X");
        await _page.GetByLabel("Name", new() { Exact = true }).FillAsync("Nurse Web");
        await _page.GetByLabel(new Regex("^Password")).FillAsync("a secret never shown 77");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(_page.GetByText(new Regex("Use 2-64 of a-z"))).ToBeVisibleAsync();
        Assert.That(await _page.ContentAsync(), Does.Not.Contain("a secret never shown 77"));
        await People.AxeAsync(_page, "a refused staff form");

        await _page.GetByLabel("Username").FillAsync(user);
        await _page.GetByLabel(new Regex("^Password")).FillAsync("first passphrase lemon kite");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(_page.GetByText($"Account {user} (clinician) created.")).ToBeVisibleAsync();
        await _page.ReloadAsync();
        await Expect(_page.GetByRole(AriaRole.Row).Filter(new() { HasText = user })).ToHaveCountAsync(1);

        // Manage: role, password set by the admin, disable with a confirmation, enable again.
        await _page.GetByRole(AriaRole.Link, new() { Name = $"Manage {user}" }).ClickAsync();
        await _page.GetByLabel("New role").SelectOptionAsync("billing");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Change role" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{user} is now billing.");
        await _page.GetByLabel(new Regex("^New password")).FillAsync("set by the admin 5678");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync("must change it at the next sign-in");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Disable account" }).ClickAsync();
        await Expect(_page.GetByText("Role billing, active")).ToBeVisibleAsync(); // the box was not ticked: nothing done
        await _page.GetByLabel($"Yes, disable {user}").CheckAsync();
        await _page.GetByRole(AriaRole.Button, new() { Name = "Disable account" }).ClickAsync();
        await Expect(_page.GetByText("Role billing, disabled")).ToBeVisibleAsync();
        await People.AxeAsync(_page, "a disabled account");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Enable account again" }).ClickAsync();
        await Expect(_page.GetByText("Role billing, active")).ToBeVisibleAsync();

        // The person signs in with the admin's password and must choose their own first.
        await using var other = await WebHost.Browser.NewContextAsync();
        var person = await other.NewPageAsync();
        await person.GotoAsync(WebHost.Url + "/signin");
        await person.GetByLabel("Username").FillAsync(user);
        await person.GetByLabel("Password").FillAsync("set by the admin 5678");
        await person.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(person.GetByRole(AriaRole.Heading, new() { Name = "Change your password" })).ToBeVisibleAsync();
        await person.GotoAsync(WebHost.Url + "/billing/yearly");
        await Expect(person.GetByRole(AriaRole.Heading, new() { Name = "Change your password" })).ToBeVisibleAsync();
        await People.AxeAsync(person, "change your password");
        await person.GetByLabel("Current password").FillAsync("set by the admin 5678");
        await person.GetByLabel("New password", new() { Exact = true }).FillAsync("my own passphrase 42");
        await person.GetByLabel("New password again").FillAsync("my own passphrase 42");
        await person.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(person.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password was changed.");
        await person.GotoAsync(WebHost.Url + "/billing/yearly");
        await Expect(person.GetByRole(AriaRole.Heading, new() { Name = "Yearly counts" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Edit_opens_the_newest_version_and_a_reload_after_saving_adds_no_version()
    {
        var code = $"sched-{Suffix}";
        foreach (var (from, max) in new[] { ("2020-01-01", 3), ("2027-01-01", 4) })
        {
            var put = await WebHost.Api.PutAsJsonAsync($"/v1/policies/{code}", new
            {
                name = "Scheduled PPO", effectiveFrom = from,
                rules = new object[] { new { id = "cap", kind = "max-sessions", procedures = new[] { "trigger-point-injection" }, scope = "patient", max, window = "calendar-year" } },
            });
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        await _page.GotoAsync(WebHost.Url + "/admin/policies");
        var section = _page.Locator("section").Filter(new() { HasText = $"({code})" });
        await Expect(section.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("Version 2 scheduled") })).ToBeVisibleAsync();
        await Expect(section.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("Version 1 current") })).ToBeVisibleAsync();
        await Expect(section).ToContainTextAsync("Changed cap: At most 3");
        await People.AxeAsync(_page, "policy versions");

        await _page.GotoAsync($"{WebHost.Url}/admin/policies/edit?code={code}");
        var json = await _page.GetByLabel("Policy (JSON)").InputValueAsync();
        Assert.That(json, Does.Contain("\"max\": 4").And.Contain("\"effectiveFrom\": \"2027-01-01\""), "Edit opens the newest (scheduled) version");
        await _page.GetByLabel("Policy (JSON)").FillAsync("""
            {"name":"Scheduled PPO","effectiveFrom":"2027-01-01","rules":[{"id":"cap","kind":"max-sessions","procedures":["trigger-point-injection"],"scope":"patient","window":"calendar-year"}]}
            """);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "rule \"cap\" rules[0].max" })).ToBeVisibleAsync();
        await People.AxeAsync(_page, "a refused policy");
        await _page.GetByLabel("Policy (JSON)").FillAsync("""
            {"name":"Scheduled PPO","effectiveFrom":"2027-01-01","rules":[{"id":"cap","kind":"max-sessions","procedures":["trigger-point-injection"],"scope":"patient","max":5,"window":"calendar-year"}]}
            """);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Saved {code} version 3, in force from 2027-01-01");
        await _page.ReloadAsync();
        await People.ShotAsync(_page, "policy-versions");
        await Expect(section.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Version") })).ToHaveCountAsync(3);
    }

    [Test]
    public async Task Near_a_cap_lists_over_cap_rows_first_marked_and_linked_and_fits_a_desktop()
    {
        var patient = $"cap-{Suffix}";
        foreach (var date in new[] { "2026-01-07", "2026-02-07", "2026-03-07" })
            await RecordAsync(patient, date, procedure: "epidural-steroid-injection", region: "lumbar-sacral-spine", laterality: "left", plan: Plan);
        await _page.GotoAsync(WebHost.Url + "/billing/approaching");
        var first = _page.Locator("table.approaching tbody tr").First;
        await Expect(first).ToContainTextAsync(new Regex("(At|Over) the cap"));
        var row = _page.GetByRole(AriaRole.Row).Filter(new() { HasText = patient }).Filter(new() { HasText = "esi-year" });
        await Expect(row).ToContainTextAsync("At the cap");
        Assert.That(await People.ScrollWidthAsync(_page), Is.LessThanOrEqualTo(1366));
        await People.AxeAsync(_page, "near a cap");
        await People.ShotAsync(_page, "billing-near-a-cap");
        await row.GetByRole(AriaRole.Link, new() { Name = patient }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = $"Patient {patient}" })).ToBeVisibleAsync();
    }

    [Test]
    public async Task Bad_addresses_and_values_get_pages_in_the_application_never_a_bare_error()
    {
        var missing = await _page.GotoAsync(WebHost.Url + "/no/such/page");
        Assert.That(missing!.Status, Is.EqualTo(404));
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
        await People.AxeAsync(_page, "not found");

        var year = await _page.GotoAsync(WebHost.Url + "/billing/yearly?year=2026.5");
        Assert.That(year!.Status, Is.EqualTo(200));
        await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("'2026.5' is not");
        await _page.GotoAsync(WebHost.Url + "/billing/yearly?year=1850");
        await Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync("from 1900 to 2200");
        var csv = await _page.GotoAsync(WebHost.Url + "/billing/yearly.csv?year=abc");
        Assert.That(csv!.Status, Is.EqualTo(400));
        await Expect(_page.GetByText(new Regex("The field Year was refused"))).ToBeVisibleAsync();

        // A control character typed into a form is refused naming the field, as the JSON API refuses it.
        var patient = $"esc-{Suffix}";
        await _page.GotoAsync($"{WebHost.Url}/patients/{patient}");
        await AskAsync("trigger-point-injection", "neck", "left", "2026-11-20");
        await _page.GetByLabel(new Regex("^Prior-authorization number")).FillAsync("PA\u001b[31m");
        var refused = await _page.RunAndWaitForResponseAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Record", Exact = true }).ClickAsync(),
            r => r.Request.Method == "POST");
        Assert.That(refused.Status, Is.EqualTo(400));
        await Expect(_page.GetByText(new Regex("The field Prior authorization was refused: Text may not contain the control character U\\+001B"))).ToBeVisibleAsync();
        Assert.That(await StoredAsync(patient), Is.Empty);
    }
}

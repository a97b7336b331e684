using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProcedureTracker.Application;
using ProcedureTracker.Application.Staff;
using ProcedureTracker.Data.Organizations;
using ProcedureTracker.Data.Tests;
using ProcedureTracker.Domain;

namespace ProcedureTracker.Api.Tests.Security;

/// <summary>
/// The sign-in and session findings of the attack (issue 21), reproduced against the real service and database: a raced
/// lockout, a cookie copied before sign-out, guessing without limit, and attempts that left no trace.
/// </summary>
public partial class SignInAttackTests : ApiTest
{
    private const string Password = "a long enough password 42";

    private async Task<string> CreatePersonAsync(string role = "clinician")
    {
        var username = "p" + Guid.NewGuid().ToString("N")[..10];
        using var scope = Factory.Services.CreateScope();
        var organization = (await scope.ServiceProvider.GetRequiredService<OrganizationStore>().FindAsync(Factory.OrganizationCode))!;
        var errors = new ValidationErrors();
        var id = await scope.ServiceProvider.GetRequiredService<StaffAccounts>()
            .CreateAsync(new Caller(new Actor.Person(Guid.NewGuid()), organization, Roles.Admin), username, "Test Person", role, Password, errors, default);
        Assert.That(id, Is.Not.Null, string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value)));
        return username;
    }

    [Test]
    public async Task Forty_parallel_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused()
    {
        var username = await CreatePersonAsync();
        var accounts = Factory.Services.GetRequiredService<StaffAccounts>();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => accounts.SignInAsync(username, "wrong password number " + i, "192.0.2.1", default))));
        Assert.That(outcomes.OfType<SignInOutcome.SignedIn>(), Is.Empty);
        Assert.That(outcomes.OfType<SignInOutcome.LockedOut>(), Is.Not.Empty, "the lock holds however many arrive at once");

        var right = await accounts.SignInAsync(username, Password, "192.0.2.1", default);
        Assert.That(right, Is.InstanceOf<SignInOutcome.LockedOut>(), "the 41st attempt, with the right password, is refused");

        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        var (verified, refused) = await db.QuerySingleAsync<(long, long)>("""
            select count(*) filter (where a.action in ('sign-in-failed', 'locked-out')), count(*) filter (where a.action = 'sign-in-refused')
            from audit_log a join staff_accounts s on a.entity_id = s.id::text where s.username = @username
            """, new { username });
        Assert.That(verified, Is.LessThanOrEqualTo(StaffAccounts.MaxFailures), "no more passwords were tried than the lock allows");
        Assert.That(verified + refused, Is.EqualTo(41), "every attempt is audited");
    }

    [Test]
    public async Task An_unknown_username_is_audited_without_the_typed_name()
    {
        var typed = "nobody-" + Guid.NewGuid().ToString("N")[..8];
        var outcome = await Factory.Services.GetRequiredService<StaffAccounts>().SignInAsync(typed, "whatever password 123", "192.0.2.7", default);
        Assert.That(outcome, Is.InstanceOf<SignInOutcome.Refused>());
        await using var db = new NpgsqlConnection(TestDatabase.ConnectionString);
        var rows = (await db.QueryAsync<string>(
            "select detail::text from audit_log where action = 'sign-in-refused' and entity_id = 'unknown' and detail->>'address' = '192.0.2.7'")).ToList();
        Assert.That(rows, Has.Count.EqualTo(1));
        Assert.That(rows[0], Does.Not.Contain(typed));
    }

    [Test]
    public async Task A_cookie_copied_before_sign_out_is_refused_after_it()
    {
        var username = await CreatePersonAsync();
        var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var signedIn = await SignInAsync(browser, username, Password);
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await signedIn.Content.ReadAsStringAsync());
        var copied = SessionCookie(signedIn);

        var thief = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        async Task<HttpStatusCode> ThiefAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("Cookie", copied);
            return (await thief.SendAsync(request)).StatusCode;
        }
        Assert.That(await ThiefAsync(), Is.EqualTo(HttpStatusCode.OK), "the copied cookie works while the session lives");

        var home = await browser.GetStringAsync("/");
        var signOut = await browser.PostAsync("/signout", new FormUrlEncodedContent(HiddenFields(home, "/signout")));
        Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await ThiefAsync(), Is.EqualTo(HttpStatusCode.Redirect), "after sign-out the copy leads to the sign-in page");
    }

    [Test]
    public async Task A_session_made_by_one_process_is_honoured_by_another_sharing_the_database()
    {
        var username = await CreatePersonAsync();
        var browser = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var cookie = SessionCookie(await SignInAsync(browser, username, Password));
        // A second process of the service: its own host, the same database (and so the same Data Protection key ring).
        using var other = new ApiFactory(TestDatabase.ConnectionString, organizationCode: Factory.OrganizationCode);
        var client = other.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        Assert.That((await client.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Guessing_sign_ins_from_one_address_gets_429_with_retry_after()
    {
        using var factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_SIGN_INS_PER_ADDRESS_PER_MINUTE"] = "5" });
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++) statuses.Add((await SignInAsync(browser, "someone-" + i, "wrong password number " + i)).StatusCode);
        Assert.That(statuses.Take(5), Is.All.EqualTo(HttpStatusCode.OK), "refused sign-ins re-render the page");
        var limited = await SignInAsync(browser, "someone-else", "wrong password again");
        Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(limited.Headers.RetryAfter, Is.Not.Null);
        Assert.That(await limited.Content.ReadAsStringAsync(), Does.Contain("Too many attempts"));
    }

    [Test]
    public async Task A_forged_x_forwarded_for_does_not_dodge_the_limit_without_a_trusted_proxy()
    {
        using var factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_SIGN_INS_PER_ADDRESS_PER_MINUTE"] = "3" });
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            browser.DefaultRequestHeaders.Remove("X-Forwarded-For");
            browser.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i}");
            statuses.Add((await SignInAsync(browser, "someone-" + i, "wrong password number " + i)).StatusCode);
        }
        Assert.That(statuses, Does.Contain(HttpStatusCode.TooManyRequests), "each forged address is still the one real client");
    }

    [Test]
    public async Task With_an_https_public_url_the_session_cookie_is_secure()
    {
        using var factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_PUBLIC_URL"] = "https://localhost" },
            Factory.OrganizationCode);
        var username = await CreatePersonAsync();
        var browser = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost") });
        var signedIn = await SignInAsync(browser, username, Password);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("pt_session=", StringComparison.Ordinal));
        Assert.That(cookie.ToLowerInvariant(), Does.Contain("secure").And.Contain("httponly").And.Contain("samesite=strict"));
    }

    [Test]
    public async Task Unknown_api_keys_from_one_address_get_429_problem_json_after_the_limit()
    {
        using var factory = new ApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string> { ["PT_FAILED_KEYS_PER_MINUTE"] = "10" });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add((await factory.Client("pt_guess_" + i).GetAsync("/v1/procedures")).StatusCode);
        Assert.That(statuses.Take(10), Is.All.EqualTo(HttpStatusCode.Unauthorized));
        var limited = await factory.Client("pt_guess_last").GetAsync("/v1/procedures");
        Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(limited.Headers.RetryAfter, Is.Not.Null);
        Assert.That(limited.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public void Common_repetitive_and_context_passwords_are_refused()
    {
        foreach (var weak in new[] { "aaaaaaaaaaaaaaaa", "passwordpassword", "123456789012345", "qwertyuiopasdfgh", "proceduretracker1", "short pass" })
        {
            var errors = new ValidationErrors();
            var created = Factory.Services.GetRequiredService<StaffAccounts>()
                .CreateAsync(new Caller(new Actor.Person(Guid.NewGuid()), new Organization(1, "x", "UTC"), Roles.Admin), "weak-" + Guid.NewGuid().ToString("N")[..6], "Weak",
                    "clinician", weak, errors, default).GetAwaiter().GetResult();
            Assert.That(created, Is.Null, weak);
            Assert.That(errors.ToDictionary().ContainsKey("password"), weak);
        }
    }

    /// <summary>Posts the sign-in form as a browser does: its hidden fields (antiforgery, handler) and the two typed.</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string username, string password)
    {
        var page = await browser.GetStringAsync("/signin");
        var fields = HiddenFields(page, null);
        fields["Form.Username"] = username;
        fields["Form.Password"] = password;
        return await browser.PostAsync("/signin", new FormUrlEncodedContent(fields));
    }

    /// <summary>The hidden inputs of the page's form (the one posting to <paramref name="action"/>, or the first).</summary>
    internal static Dictionary<string, string> HiddenFields(string html, string? action)
    {
        var forms = FormPattern().Matches(html).Select(m => m.Value).ToList();
        var form = action is null ? forms.First() : forms.First(f => f.Contains($"action=\"{action}\""));
        return HiddenPattern().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
    }

    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("pt_session=", StringComparison.Ordinal));

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"", RegexOptions.Singleline)]
    private static partial Regex HiddenPattern();
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.DataProtection;
using ProcedureTracker.Data.Web;

namespace ProcedureTracker.Api.Web;

/// <summary>The model of a form whose only content is its button (a confirmation).</summary>
public sealed class ConfirmForm { public string? Confirm { get; set; } }

/// <summary>What a page says once after a post redirected to it: a result ("ok"), a warning, and a secret shown once.</summary>
public sealed record Flash(string Text, string Kind = "ok", string? Secret = null, string? Anchor = null);

/// <summary>
/// Post/Redirect/Get for every form of the web application. Each rendered form carries a one-time token
/// (<see cref="TokenField"/>, a UUIDv7 made when the page was rendered); a post is carried out only by the request that
/// claims it in the database, so a refresh, a back-and-resubmit or a double click stores nothing more. After a post that
/// stored something the browser is redirected to a page showing what was stored (a <see cref="Flash"/> kept for one
/// request in a data-protected cookie) and a fresh form; a refresh then repeats the GET only.
/// </summary>
public sealed class WebForms(FormSubmissionStore submissions, IDataProtectionProvider protection,
    Microsoft.Extensions.Options.IOptions<TrackerOptions> options)
{
    public const string TokenField = "_once";
    private const string FlashCookie = "pt_flash";
    private const string FlashItem = "pt:flash";

    /// <summary>How long a rendered form may wait before it is sent (then it is shown again with a fresh token).</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(24);

    private IDataProtector Protector => protection.CreateProtector("ProcedureTracker.Web.Flash");

    /// <summary>A fresh token for a form being rendered.</summary>
    public static string NewToken() => Guid.CreateVersion7().ToString();

    /// <summary>
    /// Claims the token of this post: true when this request is the first to send the form, false when it was sent
    /// before (or carries no valid, recent token: a form older than <see cref="TokenLifetime"/>).
    /// </summary>
    public async Task<bool> ClaimAsync(HttpContext context)
    {
        if (Token(context) is not { } token) return false;
        return await submissions.ClaimAsync(token, context.RequestServices.GetRequiredService<Caller>().ActorId, context.RequestAborted);
    }

    /// <summary>Gives the token back when the post stored nothing (the person fixes a field and sends the same form again).</summary>
    public async Task ReleaseAsync(HttpContext context)
    {
        if (Token(context) is { } token)
            await submissions.ReleaseAsync(token, context.RequestServices.GetRequiredService<Caller>().ActorId, CancellationToken.None);
    }

    /// <summary>Redirects (the browser then GETs <paramref name="url"/>), which shows <paramref name="flash"/> once.</summary>
    public void Redirect(HttpContext context, NavigationManager navigation, string url, Flash? flash)
    {
        if (flash is not null)
            context.Response.Cookies.Append(FlashCookie, Protector.Protect(JsonSerializer.Serialize(flash)), new CookieOptions
            {
                // The same rule as the session and antiforgery cookies (Secure behind a TLS proxy too).
                HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", MaxAge = TimeSpan.FromMinutes(5),
                Secure = options.Value.CookieSecurePolicy == CookieSecurePolicy.Always || context.Request.IsHttps,
                IsEssential = true,
            });
        navigation.NavigateTo(url);
    }

    /// <summary>The answer to a form sent again: nothing was done, and the page says so.</summary>
    public void Repeated(HttpContext context, NavigationManager navigation, string url) =>
        Redirect(context, navigation, url, new Flash("That form was already sent (a refresh, a second click or the back button): nothing more was stored.", "warn"));

    /// <summary>Middleware step: moves a flash cookie into the request (it is shown by this response only) and expires it.</summary>
    public void TakeFlash(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(FlashCookie, out var value)) return;
        context.Response.Cookies.Delete(FlashCookie, new CookieOptions { Path = "/" });
        try { context.Items[FlashItem] = JsonSerializer.Deserialize<Flash>(Protector.Unprotect(value)); }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException) { }
    }

    /// <summary>The flash this request shows, if any.</summary>
    public static Flash? FlashOf(HttpContext? context) => context?.Items[FlashItem] as Flash;

    private static Guid? Token(HttpContext context)
    {
        if (!context.Request.HasFormContentType || !Guid.TryParse(context.Request.Form[TokenField].ToString(), out var token) || token.Version != 7)
            return null;
        var ms = long.Parse(token.ToString("N")[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var age = context.RequestServices.GetRequiredService<IClock>().GetCurrentInstant() - Instant.FromUnixTimeMilliseconds(ms);
        return age < Duration.FromTimeSpan(TokenLifetime) && age > Duration.FromMinutes(-5) ? token : null;
    }
}

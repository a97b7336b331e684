namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// Headers on every answer: no MIME sniffing, no referrer, no framing; on the web pages a Content Security Policy that
/// allows only this origin's forms and style sheets (no inline style or style attributes, and the pages run no script at all); and
/// <c>Cache-Control: no-store</c> on everything an authenticated caller receives (health data must not sit in a
/// browser's or a proxy's cache). Anonymous answers (health, OpenAPI, metadata, discovery) keep their own caching.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>The web pages' policy: nothing but this origin; its style sheets; no inline style or script.</summary>
    public static readonly string PagePolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; script-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var c = (HttpContext)state;
            var headers = c.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            if (!Web.WebAuth.IsMachinePath(c.Request.Path))
            {
                headers.ContentSecurityPolicy = PagePolicy;
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
            }
            if (c.User.Identity?.IsAuthenticated == true)
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}

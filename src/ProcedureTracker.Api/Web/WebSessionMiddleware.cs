namespace ProcedureTracker.Api.Web;

/// <summary>
/// The web pages' per-request steps after authentication: the flash of the post that redirected here is taken (shown
/// once), and a person whose password an admin set is sent to change it before any other page opens.
/// </summary>
public sealed class WebSessionMiddleware(RequestDelegate next, WebForms forms)
{
    private static readonly string[] Open = ["/account/password", "/signout", "/signin", "/error", "/not-found"];

    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method)) forms.TakeFlash(context);
        if (context.User.FindFirst(WebAuth.MustChangePasswordClaim) is not null && !Open.Any(p => context.Request.Path.StartsWithSegments(p)))
        {
            context.Response.Redirect("/account/password");
            return Task.CompletedTask;
        }
        return next(context);
    }
}

using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ProcedureTracker.Api.Infrastructure;

/// <summary>
/// Rate limits on guessing (System.Threading.RateLimiting, the limiter ASP.NET Core's middleware runs): sign-in posts per
/// client address and per typed username, and failed API keys per client address. A refusal is a 429 with Retry-After,
/// problem+json on the machine doors and the error page on the web. The account lock (counted in the database) is what
/// holds across processes; these limits keep guessing from loading the database at all.
/// </summary>
public sealed class Throttles : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failedKeys;

    public Throttles(TrackerOptions options)
    {
        _failedKeys = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => PerMinute(options.FailedKeysPerMinute)));
    }

    /// <summary>The client's address as the limits see it (after trusted proxies' X-Forwarded-For).</summary>
    public static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>True when the address has used up its failed keys for now (checked before a key is looked up).</summary>
    public bool KeysExhausted(HttpContext context, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var statistics = _failedKeys.GetStatistics(Address(context));
        if (statistics is null || statistics.CurrentAvailablePermits > 0) return false;
        retryAfter = TimeSpan.FromMinutes(1);
        return true;
    }

    /// <summary>Counts a failed key against the address.</summary>
    public void KeyFailed(HttpContext context)
    {
        using var lease = _failedKeys.AttemptAcquire(Address(context));
    }

    /// <summary>ASP.NET Core's rate limiter for sign-in posts: per client address, then per username typed.</summary>
    public static void AddSignInLimits(IServiceCollection services, TrackerOptions options) =>
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(c => IsSignIn(c)
                    ? RateLimitPartition.GetFixedWindowLimiter("address:" + Address(c), _ => PerMinute(options.SignInsPerAddressPerMinute))
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(c => IsSignIn(c)
                    ? RateLimitPartition.GetFixedWindowLimiter("account:" + Username(c), _ => PerMinute(options.SignInsPerAccountPerMinute))
                    : RateLimitPartition.GetNoLimiter("")));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                var after = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString();
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                // The web's status-code pages render the 429 page.
                return ValueTask.CompletedTask;
            };
        });

    private static bool IsSignIn(HttpContext c) => HttpMethods.IsPost(c.Request.Method) && c.Request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase);

    /// <summary>The username typed (the form was already read by the input guard), normalized as sign-in does.</summary>
    private static string Username(HttpContext c) =>
        c.Request.HasFormContentType && c.Request.Form.TryGetValue("Form.Username", out var name) ? name.ToString().Trim().ToLowerInvariant() : "";

    private static FixedWindowRateLimiterOptions PerMinute(int permits) => new()
    {
        PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true,
    };

    public void Dispose() => _failedKeys.Dispose();
}

using Deque.AxeCore.Playwright;

namespace ProcedureTracker.Web.Tests;

/// <summary>What every browser test does as a person: sign in, look at a page with axe-core, take a picture.</summary>
public static class People
{
    public static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync(WebHost.Url + "/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("Username").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    /// <summary>
    /// axe-core (Deque) on the page as it is now: fails on any serious or critical violation, naming the rule and the
    /// elements, so every page state a test visits is checked.
    /// </summary>
    public static async Task AxeAsync(IPage page, string state)
    {
        var results = await page.RunAxe();
        var bad = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.That(bad, Is.Empty, $"axe-core on {state} ({page.Url}):\n" + string.Join("\n", bad.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }

    /// <summary>A full-page PNG to look at, and a compact JPEG of the first screen (the README's pictures).</summary>
    public static async Task ShotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebHost.Screenshots, name + ".png"), FullPage = true });
        await page.ScreenshotAsync(new() { Path = Path.Combine(WebHost.Screenshots, name + ".jpg"), Type = ScreenshotType.Jpeg, Quality = 60 });
    }

    /// <summary>How wide the page is (it must not scroll sideways on a phone).</summary>
    public static Task<int> ScrollWidthAsync(IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
}

using System.Text.RegularExpressions;
using ProcedureTracker.Data.Tests;

namespace ProcedureTracker.Api.Tests.Readme;

/// <summary>The README's curl examples that send an inline JSON body (<c>-d '...'</c>), in order.</summary>
public static partial class ReadmeCurls
{
    [GeneratedRegex(@"^curl -s -X (?<method>[A-Z]+) http://127\.0\.0\.1:5080(?<path>\S+) .*\n\s*-d '(?<body>[^']*)'", RegexOptions.Multiline)]
    private static partial Regex Curl();

    /// <summary>Method, path and body of each; only those under the heading <paramref name="section"/> when given.</summary>
    public static List<(string Method, string Path, string Body)> Steps(string? section = null)
    {
        var text = Repository.Readme;
        if (section is not null)
        {
            text = text[text.IndexOf(section, StringComparison.Ordinal)..];
            text = text[..text.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        }
        return Curl().Matches(text).Select(m => (m.Groups["method"].Value, m.Groups["path"].Value, m.Groups["body"].Value)).ToList();
    }
}

namespace ProcedureTracker.Cli;

/// <summary>What <c>pt</c> exits with (README "Command line").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Wrong command-line usage (System.CommandLine's own parse errors also exit 1).</summary>
    public const int Usage = 1;
    /// <summary>The server refused the request (4xx): bad input, unknown record, missing permission.</summary>
    public const int Refused = 2;
    /// <summary>The answer is "no": not eligible, or an import rejected some rows.</summary>
    public const int No = 3;
    /// <summary>The server or database could not be reached, or failed (5xx).</summary>
    public const int Unavailable = 4;
}

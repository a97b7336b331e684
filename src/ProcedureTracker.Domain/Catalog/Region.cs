namespace ProcedureTracker.Domain.Catalog;

/// <summary>A body region an injection is performed in, e.g. <c>lower-back</c> or <c>lumbar-sacral-spine</c>.</summary>
/// <param name="Code">Stable machine code.</param>
/// <param name="Name">Plain-language name, e.g. "lower back".</param>
public sealed record Region(string Code, string Name);

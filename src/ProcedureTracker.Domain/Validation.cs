namespace ProcedureTracker.Domain;

/// <summary>Field errors keyed by the field's path as the client spelled it (e.g. <c>rules[1].max</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>True when no error was added.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>The number of messages added so far.</summary>
    public int Count => _errors.Values.Sum(l => l.Count);

    /// <summary>Adds a message for a field.</summary>
    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    /// <summary>The errors as <c>{"field":["message"]}</c>, the shape of a problem's <c>errors</c> member.</summary>
    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>Either a valid value or the field errors explaining why there is none.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class Validated<T> where T : class
{
    private Validated(T? value, ValidationErrors? errors) { Value = value; Errors = errors; }

    /// <summary>The value; null when invalid.</summary>
    public T? Value { get; }

    /// <summary>The errors; null when valid.</summary>
    public ValidationErrors? Errors { get; }

    /// <summary>A valid result.</summary>
    public static Validated<T> Ok(T value) => new(value, null);

    /// <summary>An invalid result.</summary>
    public static Validated<T> Invalid(ValidationErrors errors) => new(null, errors);
}

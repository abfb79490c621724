using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RedWhite.TestKit;

/// <summary>A logger that keeps what was logged, so tests can assert that an alarm reached the log.</summary>
/// <typeparam name="T">The category.</typeparam>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> entries = new();

    /// <summary>Everything logged so far, oldest first.</summary>
    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Entries => [.. entries];

    /// <summary>Whether a message at <paramref name="level"/> or above contains <paramref name="text"/>.</summary>
    public bool Logged(LogLevel level, string text) =>
        entries.Any(e => e.Level >= level && e.Message.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        entries.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}

namespace Mca.Cli.Output;

/// <summary>A command stopped by SIGINT or SIGTERM; the message says what and how far (exit 130 or 143).</summary>
internal sealed class CommandInterruptedException(string message) : Exception(message);

namespace Mca.Cli;

/// <summary>Bad input from the user: the CLI prints the message as one line and exits 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

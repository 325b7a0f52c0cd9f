namespace Mca.Cli.Output;

/// <summary>An output could not be written (full disk, lost device): one line naming the path, exit 2.</summary>
internal sealed class OutputException(string message, Exception? inner = null) : IOException(message, inner);

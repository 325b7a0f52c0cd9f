using System.Runtime.InteropServices;

namespace Mca.Cli.Output;

/// <summary>
/// SIGINT and SIGTERM while a long command runs (README "Outputs and interrupts"): the first signal cancels
/// <see cref="Token"/>, the command stops, removes its temporary files, prints one line and exits 130 or 143.
/// Outside <see cref="Begin"/>, or on a second signal, the default termination applies.
/// </summary>
internal static class Interrupt
{
    public const int ExitSigint = 130;
    public const int ExitSigterm = 143;

    private static readonly CancellationTokenSource Source = new();
    private static int s_active;
    private static int s_exitCode;

    /// <summary>Cancelled by the first SIGINT or SIGTERM during <see cref="Begin"/>.</summary>
    public static CancellationToken Token => Source.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM, 0 before either.</summary>
    public static int ExitCode => Volatile.Read(ref s_exitCode);

    /// <summary>Installs the handlers (the process's Main only; tests never receive signals).</summary>
    public static IDisposable[] Install() =>
    [
        PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Handle(c, ExitSigint)),
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Handle(c, ExitSigterm)),
    ];

    /// <summary>Marks a command that honours <see cref="Token"/> as running, until disposed.</summary>
    public static IDisposable Begin()
    {
        Interlocked.Increment(ref s_active);
        return new Scope();
    }

    private static void Handle(PosixSignalContext context, int exitCode)
    {
        if (Volatile.Read(ref s_active) == 0 || Interlocked.CompareExchange(ref s_exitCode, exitCode, 0) != 0)
        {
            return;
        }

        context.Cancel = true;
        Source.Cancel();
    }

    private sealed class Scope : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref s_active);
            }
        }
    }
}

namespace Mca.Systems.Model;

/// <summary>
/// Which CPUs see one physical bank (docs/design.md "A machine as entities"): a thread bank is private to a
/// logical CPU, a core bank is shared by the core's threads, a package bank (memory controller,
/// LLC) is ONE bank entity seen by every CPU of the socket.
/// </summary>
public enum BankScope : byte
{
    Thread,
    Core,
    Package,
}
